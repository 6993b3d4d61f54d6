// buildApp: the HTTP face of a Coffer instance. No listen() here, so tests use inject().
import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { accessRoutes } from './access/access.routes.js';
import { registerAuth } from './access/auth.hook.js';
import { auditRoutes } from './audit/audit.routes.js';
import type { Coffer } from './coffer.js';
import { connectorsRoutes } from './connectors/connectors.routes.js';
import { registerErrorHandler, sendError, toAppError } from './errors.js';
import { RequestLogger } from './logging.js';
import { registerMetrics } from './metrics/metrics.routes.js';
import { secretsRoutes } from './secrets/secrets.routes.js';
import { registerCors } from './surface/cors.js';
import { registerSecurityHeaders } from './surface/headers.js';
import { limitByAddress, limitByCredential } from './surface/rate-limit.hooks.js';
import { ignoreUnknownExpectations, serverOptions } from './surface/server-options.js';
import { DEFAULT_WEB_ROOT, uiApiRoutes, uiStatic } from './web/ui.routes.js';

export const API_PREFIX = '/api/v1';
/** Big enough for a 64 KiB value with JSON escaping; anything larger is refused with 413 before parsing. */
export const BODY_LIMIT = 256 * 1024;

declare module 'fastify' {
  interface FastifyInstance {
    registeredRoutes: string[];
  }
}

export interface AppDeps {
  coffer: Coffer;
  logger?: Logger;
  version?: string;
  /** The built web UI; defaults to packages/web/dist. */
  webRoot?: string;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { coffer } = deps;
  const { config } = coffer;
  // With TLS the server is an https.Server; Fastify's types tie that to the option, ours do not need it.
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger as FastifyBaseLogger } : { logger: false }),
    // A request's pino child is made only if it logs (logging.ts), and then by pino's quick path:
    // with an options object (even empty, Fastify's default) it rebuilds the child's formatters.
    childLoggerFactory: (logger: FastifyBaseLogger, bindings: Record<string, unknown>) => new RequestLogger(logger, bindings),
    ...serverOptions(config),
    bodyLimit: BODY_LIMIT,
    // Our own ids only: a client-chosen request id would end up in audit entries and logs.
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    routerOptions: { maxParamLength: 2000 },
    // A URL that cannot be decoded (%ZZ, %%) fails in the router, before any hook or handler:
    // without this its answer would be Fastify's own shape, not the catalogue's.
    frameworkErrors: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => sendError(req, reply, toAppError(err)),
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
  ignoreUnknownExpectations(app.server);
  // JSON only: a text/plain body would otherwise reach validation as a string.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  // Every route, so the authorization test can insist that each one is in its table.
  const routes: string[] = [];
  app.decorate('registeredRoutes', routes);
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) if (m !== 'HEAD') routes.push(`${m} ${r.url}`);
  });
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  registerMetrics(app, { metrics: coffer.metrics, token: coffer.config.metricsToken, identity: coffer.identity });

  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Coffer', description: 'Self-hosted secret manager for data connectors', version: deps.version ?? '0.1.0' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: coffer_<id>_<secret>' }, session: { type: 'apiKey', in: 'cookie', name: 'coffer_session' } } },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  // Order matters: onRequest hooks run as added. Headers first (every answer carries them, refusals
  // too), then the per-address limit (before credentials cost a lookup), CORS (a preflight carries
  // no credentials), who is calling, and the per-credential limit.
  await registerSecurityHeaders(app);
  limitByAddress(app, { perMinute: config.rateLimitPerAddress, identity: coffer.identity });
  registerCors(app, config.corsOrigins);
  registerAuth(app, { identity: coffer.identity, secretManagerEnabled: config.enabled });
  limitByCredential(app, { perMinute: config.rateLimitPerKey, identity: coffer.identity });

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    // Nothing the API says may sit in a shared or browser cache: values, keys, metadata alike.
    if (req.url.startsWith(API_PREFIX)) reply.header('cache-control', 'no-store');
  });

  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
    try {
      await coffer.database.ping();
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'unavailable' });
    }
  });

  await app.register(async (api) => {
    await api.register(secretsRoutes(coffer.secrets));
    await api.register(connectorsRoutes(coffer.connectors));
    await api.register(accessRoutes({ identity: coffer.identity, roles: coffer.roles, secureCookies: config.tls !== undefined }));
    await api.register(auditRoutes(coffer.auditReader));
    await api.register(uiApiRoutes({ identity: coffer.identity, secretManagerEnabled: coffer.config.enabled, version: deps.version ?? '0.1.0' }));
    api.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
    await api.register(async (docs) => {
      docs.addHook('onRoute', (r) => {
        r.config = { ...(r.config as object), public: true };
      });
      // No validator badge: it would load an image from validator.swagger.io, which the CSP refuses.
      await docs.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null } });
    }, { prefix: '' });
  }, { prefix: API_PREFIX });
  await app.register(uiStatic(deps.webRoot ?? DEFAULT_WEB_ROOT));

  return app;
}
