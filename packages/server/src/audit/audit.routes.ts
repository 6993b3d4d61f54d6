import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Guard } from '../access/guard.js';
import { actorOf, errors } from '../http.js';
import type { Actor } from '../access/actor.js';
import type { AuditService } from './audit.service.js';
import { AuditPage, AuditQueryString, VerifyAnswer } from './audit.schemas.js';

/** Reading the log needs audit/read; the check lives here so HTTP and CLI callers share it. */
export function createAuditReader(deps: { audit: AuditService; guard: Guard }) {
  const { audit, guard } = deps;
  return {
    async list(a: Actor, q: z.infer<typeof AuditQueryString>) {
      await guard.need(a, 'audit/read', 'audit.read', 'audit');
      const rows = await audit.list({ ...q, beforeSeq: q.cursor });
      return { items: rows, next_cursor: rows.length === q.limit ? rows[rows.length - 1]!.seq : null };
    },
    async verify(a: Actor) {
      await guard.need(a, 'audit/read', 'audit.verify', 'audit');
      return audit.verify();
    },
  };
}

export type AuditReader = ReturnType<typeof createAuditReader>;

export function auditRoutes(reader: AuditReader) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    const tags = ['audit'];
    app.get('/audit', {
      schema: { tags, summary: 'Audit entries, newest first', querystring: AuditQueryString, response: { 200: AuditPage, ...errors(403) } },
    }, async (req) => reader.list(actorOf(req), req.query));
    app.get('/audit/verify', {
      schema: { tags, summary: 'Check the hash chain of the whole log', response: { 200: VerifyAnswer, ...errors(403) } },
    }, async (req) => reader.verify(actorOf(req)));
  };
}
