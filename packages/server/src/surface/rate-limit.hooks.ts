// The global request limits (the sign-in limiter in access/ counts only failed sign-ins).
// Per address: checked before credentials, so a flood of bad keys is refused before each one
// costs a database lookup and an audit entry. Per credential: checked once the caller is known,
// so a key used from many addresses is limited as one. Our own small limiter rather than
// @fastify/rate-limit: that plugin keeps one counter per request, keyed before authentication;
// here two counters apply, one of them keyed by the authenticated key id (not by whatever a
// client puts in the header), and refusals use the error catalogue and the audit log.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IdentityService } from '../access/identity.service.js';
import { AppError } from '../errors.js';
import { requestInfo } from '../http.js';
import { addressKey, RequestLimiter } from './request-limit.js';

/** Probes from the orchestrator must never be refused. */
const EXEMPT = new Set(['/healthz', '/readyz']);

const refuse = (seconds: number, what: string) =>
  new AppError('rate_limited', `Too many requests from this ${what}; try again in ${seconds} seconds.`, { retry_after: seconds }, { 'retry-after': String(seconds) });

const target = (req: FastifyRequest) => `route:${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]!.slice(0, 200)}`;

export function limitByAddress(app: FastifyInstance, deps: { perMinute: number; identity: IdentityService }): void {
  if (deps.perMinute <= 0) return;
  const limiter = new RequestLimiter(deps.perMinute);
  app.addHook('onRequest', async (req) => {
    if (EXEMPT.has(req.routeOptions.url ?? '')) return;
    const key = addressKey(req.ip);
    const wait = limiter.take(key);
    if (wait === 0) return;
    if (limiter.shouldAudit(key)) {
      // A refusal is answered even when the audit log is down: nothing is revealed or changed.
      await deps.identity.recordUnauthenticated(requestInfo(req), target(req), 'rate_limited').catch(() => undefined);
    }
    throw refuse(wait, 'address');
  });
}

/** Must be added after the authentication hook, which sets req.actor. */
export function limitByCredential(app: FastifyInstance, deps: { perMinute: number; identity: IdentityService }): void {
  if (deps.perMinute <= 0) return;
  const limiter = new RequestLimiter(deps.perMinute);
  app.addHook('onRequest', async (req) => {
    const a = req.actor;
    if (!a) return;
    const key = a.keyId ? `key:${a.keyId}` : `session:${a.userId}`;
    const wait = limiter.take(key);
    if (wait === 0) return;
    if (limiter.shouldAudit(key)) await deps.identity.recordDenied(a, target(req), 'rate_limited').catch(() => undefined);
    throw refuse(wait, a.keyId ? 'API key' : 'session');
  });
}
