// Resolves who is calling before anything else runs (bodies are not even parsed for strangers).
// Deny by default: every route needs credentials unless its config says `public`.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, Unauthenticated } from '../errors.js';
import { requestInfo } from '../http.js';
import type { IdentityService } from './identity.service.js';

export const SESSION_COOKIE = 'coffer_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (h === undefined) return undefined;
  const m = /^Bearer\s+(\S{1,512})\s*$/i.exec(h);
  if (!m) throw new AppError('unauthenticated', "The Authorization header must be 'Bearer <api key>'.");
  return m[1];
}

export function registerAuth(app: FastifyInstance, deps: { identity: IdentityService; secretManagerEnabled: boolean }): void {
  const { identity } = deps;

  async function refuse(req: FastifyRequest, reason: string): Promise<never> {
    await identity.recordUnauthenticated(requestInfo(req), `route:${req.method} ${req.routeOptions.url ?? ''}`, reason);
    throw Unauthenticated();
  }

  app.addHook('onRequest', async (req) => {
    const cfg = req.routeOptions.config;
    if (cfg.secretManager && !deps.secretManagerEnabled) {
      throw new AppError('secret_manager_disabled', 'The Secret Manager is disabled on this server (SECRET_MANAGER_ENABLED=false).');
    }
    if (cfg.public || req.routeOptions.url === undefined) return;
    const info = requestInfo(req);
    const key = bearer(req);
    if (key !== undefined) {
      req.actor = await identity.fromApiKey(key, info);
      if (!req.actor) await refuse(req, 'bad_api_key');
      return;
    }
    const token = req.cookies?.[SESSION_COOKIE];
    if (!token) return refuse(req, 'no_credentials');
    const session = await identity.fromSession(token, info);
    if (!session) return refuse(req, 'bad_session');
    // A cookie is sent by the browser on its own; a state change must also prove it read the sign-in answer.
    if (!SAFE_METHODS.has(req.method)) {
      const sent = req.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !sameString(sent, session.csrf)) {
        await identity.recordDenied(session.actor, `route:${req.method} ${req.routeOptions.url}`, 'csrf_failed');
        throw new AppError('csrf_failed', 'This request needs the X-CSRF-Token header from the sign-in answer.');
      }
    }
    req.actor = session.actor;
  });
}
