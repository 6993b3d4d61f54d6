// The seed's six secret endpoints and their extensions. Thin: validate, call the service, shape.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ValidationFailed } from '../errors.js';
import { actorOf, errors } from '../http.js';
import type { SecretsService } from './secrets.service.js';
import {
  ConnectorTypes, CreateBody, DeleteQuery, IdAnswer, IdParams, IdsQuery, IdVersionAnswer, IfMatchHeaders, ListQuery,
  parseIfMatch, PatchBody, SecretList, SecretMetadata, SecretValue, UpdateBody, ValueQuery, VersionList,
} from './secrets.schemas.js';
import { SECRET_TYPES } from './types/index.js';

const tags = ['secrets'];
const config = { secretManager: true };

function ifMatch(h: string | undefined): number | undefined {
  const v = parseIfMatch(h);
  if (v === 'invalid') throw ValidationFailed([{ field: 'headers.if-match', message: 'must be the version number, as N or "N"' }]);
  return v;
}

const etag = (reply: FastifyReply, version: number) => reply.header('etag', `"${version}"`);

export function secretsRoutes(secrets: SecretsService) {
  const idsJson = new WeakMap<readonly string[], string>();
  // With a serializer of its own, Fastify sets no content type: these answers say it themselves.
  const JSON_TYPE = 'application/json; charset=utf-8';
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get('/connector-types', {
      schema: { tags, summary: 'Connector types and their fields, for building forms', response: { 200: ConnectorTypes, ...errors() } },
    }, async (req) => {
      actorOf(req);
      return SECRET_TYPES.map((t) => ({
        type: t.type, label: t.label, open_keys: t.openKeys?.source ?? null,
        fields: t.fields.map((f) => ({ name: f.name, label: f.label, required: f.required, sensitive: f.sensitive, input: f.input ?? 'text', help: f.help })),
      }));
    });

    app.get('/secrets/ids', {
      config, schema: { tags, summary: 'Ids of the secrets visible to the caller, sorted', querystring: IdsQuery, response: { 200: z.array(z.string()), ...errors(403, 404) } },
    }, async (req, reply) => {
      const ids = await secrets.listIds(actorOf(req), req.query.connector_type);
      // An unchanged list is the same array: its JSON (half a megabyte for 30k ids) is made once.
      let json = idsJson.get(ids);
      if (json === undefined) {
        json = JSON.stringify(ids);
        idsJson.set(ids, json);
      }
      return reply.type(JSON_TYPE).serializer(() => json).send(ids as string[]);
    });

    app.get('/secrets', {
      config, schema: { tags, summary: 'Secrets with metadata, paged', querystring: ListQuery, response: { 200: SecretList, ...errors(403, 404) } },
    }, async (req) => secrets.list(actorOf(req), req.query));

    app.get('/secrets/trash', {
      config, schema: { tags, summary: 'Deleted secrets that can still be restored', querystring: ListQuery, response: { 200: SecretList, ...errors(403, 404) } },
    }, async (req) => secrets.list(actorOf(req), { ...req.query, deleted: true }));

    app.get('/secrets/:id', {
      config, schema: { tags, summary: 'Metadata of a secret (never its value)', params: IdParams, response: { 200: SecretMetadata, ...errors(403, 404) } },
    }, async (req, reply) => {
      const meta = await secrets.get(actorOf(req), req.params.id);
      etag(reply, meta.version);
      return meta;
    });

    app.get('/secrets/:id/value', {
      config, schema: { tags, summary: 'The value of a secret (audited)', params: IdParams, querystring: ValueQuery, response: { 200: SecretValue, ...errors(403, 404, 503) } },
    }, async (req, reply) => {
      // Already JSON (the value as sealed): its text is the answer, not serialised again.
      const json = await secrets.valueJson(actorOf(req), req.params.id, req.query.version);
      return reply.type(JSON_TYPE).serializer(() => json).send({});
    });

    app.get('/secrets/:id/versions', {
      config, schema: { tags, summary: 'Versions of a secret, newest first (no values)', params: IdParams, response: { 200: VersionList, ...errors(403, 404) } },
    }, async (req) => secrets.versions(actorOf(req), req.params.id));

    app.post('/secrets', {
      config, schema: { tags, summary: 'Create a secret', body: CreateBody, response: { 201: IdAnswer, ...errors(403, 404, 409, 413) } },
    }, async (req, reply) => {
      const r = await secrets.create(actorOf(req), req.body);
      etag(reply, r.version);
      return reply.code(201).send({ id: r.id });
    });

    app.put('/secrets/:id', {
      config, schema: { tags, summary: 'Replace the value of a secret (new version)', params: IdParams, headers: IfMatchHeaders, body: UpdateBody, response: { 200: IdVersionAnswer, ...errors(403, 404, 412, 413) } },
    }, async (req, reply) => {
      const r = await secrets.update(actorOf(req), req.params.id, { ...req.body, ifVersion: ifMatch(req.headers['if-match']) });
      etag(reply, r.version);
      return r;
    });

    app.patch('/secrets/:id', {
      config, schema: { tags, summary: 'Change some fields or the description (new version)', params: IdParams, headers: IfMatchHeaders, body: PatchBody, response: { 200: IdVersionAnswer, ...errors(403, 404, 412, 413) } },
    }, async (req, reply) => {
      const r = await secrets.update(actorOf(req), req.params.id, { ...req.body, merge: true, ifVersion: ifMatch(req.headers['if-match']) });
      etag(reply, r.version);
      return r;
    });

    app.delete('/secrets/:id', {
      config, schema: { tags, summary: 'Move a secret to the trash, or purge it (?purge=true, admin)', params: IdParams, querystring: DeleteQuery, response: { 200: z.object({ id: z.string(), purged: z.boolean() }), ...errors(403, 404, 409) } },
    }, async (req) => secrets.remove(actorOf(req), req.params.id, req.query));

    app.post('/secrets/:id/restore', {
      config, schema: { tags, summary: 'Restore a secret from the trash', params: IdParams, response: { 200: SecretMetadata, ...errors(403, 404) } },
    }, async (req) => secrets.restore(actorOf(req), req.params.id));
  };
}
