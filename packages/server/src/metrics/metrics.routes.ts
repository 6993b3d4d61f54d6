// GET /metrics (Prometheus text format) and the hook that times every request.
//
// Decision: /metrics is served on the API port but is OFF unless SECRET_MANAGER_METRICS_TOKEN is
// set, and then answers only `Authorization: Bearer <that token>`. The numbers hold no secret, but
// they do tell a stranger how many secrets exist, which key is in use and how busy the server is;
// deny by default. The token grants nothing else, and no API key (not even an admin's) opens
// /metrics, so a scraper's credential cannot read secrets and a user's key is not lying in a
// Prometheus config. A refused scrape is audited like any refused request.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IdentityService } from '../access/identity.service.js';
import { Unauthenticated } from '../errors.js';
import { requestInfo } from '../http.js';
import type { Metrics } from './metrics.js';

export const METRICS_PATH = '/metrics';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time in the token's content and length (both sides hashed to 32 bytes first). */
function bearerMatches(req: FastifyRequest, token: string): boolean {
  const m = /^Bearer\s+(\S{1,512})\s*$/i.exec(req.headers.authorization ?? '');
  return m !== null && timingSafeEqual(digest(m[1]!), digest(token));
}

export function registerMetrics(app: FastifyInstance, deps: { metrics: Metrics; token: string | undefined; identity: IdentityService }): void {
  const { metrics, token } = deps;

  // Route templates only: an unmatched URL (scanners, typos) is one series, not one per URL.
  app.addHook('onResponse', async (req, reply) => {
    metrics.observeRequest(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  if (token === undefined) return; // not registered: /metrics is a 404 like any unknown path

  app.get(METRICS_PATH, { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
    if (!bearerMatches(req, token)) {
      await deps.identity.recordUnauthenticated(requestInfo(req), `route:GET ${METRICS_PATH}`, 'bad_metrics_token');
      throw Unauthenticated();
    }
    return reply.header('cache-control', 'no-store').type(metrics.contentType).send(await metrics.text());
  });
}
