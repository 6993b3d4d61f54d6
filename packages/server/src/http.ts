// What every route module shares: the error body schema, the acting user of a request, and the
// request facts that go into audit entries.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor, RequestInfo } from './access/actor.js';
import { Unauthenticated } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
  }
  interface FastifyContextConfig {
    /** No credentials needed (health, sign-in, the OpenAPI document). */
    public?: boolean;
    /** Part of the Secret Manager: answers 404 when it is disabled. */
    secretManager?: boolean;
  }
}

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().describe('Stable snake_case code from the error catalogue'),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });

/** Response schemas for the given error statuses, so the OpenAPI document lists them. */
export function errors(...statuses: number[]): Record<number, typeof ErrorBody> {
  const out: Record<number, typeof ErrorBody> = { 400: ErrorBody, 401: ErrorBody };
  for (const s of statuses) out[s] = ErrorBody;
  return out;
}

export const requestInfo = (req: FastifyRequest): RequestInfo => ({
  ip: req.ip,
  userAgent: String(req.headers['user-agent'] ?? '').slice(0, 256),
  requestId: String(req.id),
});

export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw Unauthenticated();
  return req.actor;
}

export const Ok = z.object({ ok: z.literal(true) }).meta({ id: 'Ok' });
