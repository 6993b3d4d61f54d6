// Connectors: CRUD, credential checks and the documents a connector opens. Thin: validate, call
// the service, shape the answer.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, errors, Ok } from '../http.js';
import { IdParams } from '../secrets/secrets.schemas.js';
import {
  CheckResult, Connector, ConnectorList, ConnectorParams, CreateConnector, ListConnectorsQuery, ObjectList, ObjectParams, ObjectsQuery, PatchConnector, SecretCheckBody,
} from './connectors.schemas.js';
import type { ConnectorsService } from './connectors.service.js';

const tags = ['connectors'];
const config = { secretManager: true };
const MEDIA_TYPE = /^[\w.+-]{1,64}\/[\w.+-]{1,64}(\s*;\s*[\w.+-]{1,32}=("[^"\r\n]{0,64}"|[\w.+-]{1,64}))*$/;

/** Documents come from outside: never let a browser run them on the API's origin. */
function downloadHeaders(name: string, contentType: string, size: number | null): Record<string, string> {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return {
    'content-type': MEDIA_TYPE.test(contentType) ? contentType : 'application/octet-stream',
    'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    ...(size !== null ? { 'content-length': String(size) } : {}),
  };
}

export function connectorsRoutes(connectors: ConnectorsService) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get('/connectors', {
      config, schema: { tags, summary: 'Connectors, paged', querystring: ListConnectorsQuery, response: { 200: ConnectorList, ...errors(403, 404) } },
    }, async (req) => connectors.list(actorOf(req), req.query));

    app.post('/connectors', {
      config, schema: { tags, summary: 'Create a connector: a secret bound to a target (needs sight of the secret)', body: CreateConnector, response: { 201: Connector, ...errors(403, 404, 409) } },
    }, async (req, reply) => reply.code(201).send(await connectors.create(actorOf(req), req.body)));

    app.get('/connectors/:id', {
      config, schema: { tags, summary: 'A connector', params: ConnectorParams, response: { 200: Connector, ...errors(403, 404) } },
    }, async (req) => connectors.get(actorOf(req), req.params.id));

    app.patch('/connectors/:id', {
      config, schema: { tags, summary: 'Rename a connector, or bind it to another secret or target', params: ConnectorParams, body: PatchConnector, response: { 200: Connector, ...errors(403, 404) } },
    }, async (req) => connectors.update(actorOf(req), req.params.id, req.body));

    app.delete('/connectors/:id', {
      config, schema: { tags, summary: 'Delete a connector (its secret stays)', params: ConnectorParams, response: { 200: Ok, ...errors(403, 404) } },
    }, async (req) => {
      await connectors.remove(actorOf(req), req.params.id);
      return { ok: true as const };
    });

    app.post('/connectors/:id/check', {
      config, schema: { tags, summary: "Check the connector's credential against its target with the provider (audited)", params: ConnectorParams, response: { 200: CheckResult, ...errors(403, 404, 503) } },
    }, async (req) => connectors.check(actorOf(req), req.params.id));

    app.post('/secrets/:id/check', {
      config, schema: { tags, summary: "Check a secret's credential with its provider, optionally against a target (audited)", params: IdParams, body: SecretCheckBody.nullish(), response: { 200: CheckResult, ...errors(403, 404, 503) } },
    }, async (req) => connectors.checkSecret(actorOf(req), req.params.id, req.body?.target));

    app.get('/connectors/:id/objects', {
      config, schema: { tags, summary: 'What the connector can read under its target (audited; the secret is never revealed)', params: ConnectorParams, querystring: ObjectsQuery, response: { 200: ObjectList, ...errors(403, 404, 409, 502, 503) } },
    }, async (req) => connectors.listObjects(actorOf(req), req.params.id, req.query));

    app.get('/connectors/:id/objects/:key', {
      config,
      schema: {
        tags, summary: 'Stream one document the connector opens (audited)', params: ObjectParams,
        response: { 200: { description: 'The document, as an attachment', content: { 'application/octet-stream': { schema: z.string().meta({ format: 'binary' }) } } }, ...errors(403, 404, 409, 502, 503) },
      },
    }, async (req, reply) => {
      const o = await connectors.readObject(actorOf(req), req.params.id, req.params.key);
      reply.headers(downloadHeaders(o.name, o.contentType, o.size));
      // The schema types the body as a string for the OpenAPI document; a stream is sent as it comes.
      return reply.send(o.body as unknown as string);
    });
  };
}
