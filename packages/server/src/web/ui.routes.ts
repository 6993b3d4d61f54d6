// What the browser UI needs from the server: a public /info (which screens to show before and
// after sign-in), /auth/session (the CSRF token again after a page reload; the cookie is HttpOnly,
// so the page cannot read it), and the built UI itself with a single-page-app fallback.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SESSION_COOKIE } from '../access/auth.hook.js';
import { CurrentUser } from '../access/access.schemas.js';
import type { IdentityService } from '../access/identity.service.js';
import { requestInfo } from '../http.js';
import { CONTENT_SECURITY_POLICY } from '../surface/headers.js';

/** packages/web/dist, where `npm run build -w @coffer/web` writes the UI. */
export const DEFAULT_WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

export const Info = z.object({ secret_manager_enabled: z.boolean(), version: z.string() }).meta({ id: 'Info' });
export const SessionAnswer = z.object({ user: CurrentUser.nullable(), csrf_token: z.string().nullable() }).meta({ id: 'Session' });

export function uiApiRoutes(deps: { identity: IdentityService; secretManagerEnabled: boolean; version: string }) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    // Public on purpose: the flag says only whether a menu entry exists, and the sign-in page
    // uses it nowhere; it lets the UI hide Secret Manager without probing /secrets for a 404.
    app.get('/info', {
      config: { public: true },
      schema: { tags: ['ui'], summary: 'Server facts the UI needs (feature flags)', response: { 200: Info } },
    }, async () => ({ secret_manager_enabled: deps.secretManagerEnabled, version: deps.version }));

    // Public, and "signed out" is a normal answer (200, user null): every visit to the sign-in
    // page asks this, and a 401 would fill the audit log with denied entries for nobody.
    app.get('/auth/session', {
      config: { public: true },
      schema: { tags: ['auth'], summary: 'The browser session: the signed-in user and its CSRF token, or nulls (session cookie only)', response: { 200: SessionAnswer } },
    }, async (req) => {
      const token = req.cookies[SESSION_COOKIE];
      // An API key has no CSRF token and no browser session: it gets the signed-out answer.
      const s = token ? await deps.identity.fromSession(token, requestInfo(req)) : undefined;
      return s ? { user: deps.identity.describe(s.actor), csrf_token: s.csrf } : { user: null, csrf_token: null };
    });
  };
}

// The UI loads only its own scripts and styles; Mantine sets CSS variables in <style> tags,
// hence 'unsafe-inline' for styles only. Nothing may frame the page (clickjacking on Reveal).
// One policy for every page: surface/headers.ts, which also sends it on every other answer.
const CSP = CONTENT_SECURITY_POLICY;

/** The client-side routes of packages/web (src/App.tsx). */
export const UI_PATHS = ['/', '/sign-in', '/dashboard', '/dashboard/*'];

function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CSP)
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache');
}

/**
 * Serves the built UI at `/`. Files under /assets carry a content hash in their names, so they
 * are cached for good; index.html never is, so a new build is picked up on the next load.
 * The UI's own addresses (/, /sign-in, /dashboard/…) answer index.html, so a deep link or a
 * reload of /dashboard/secret-manager works.
 */
export function uiStatic(webRoot: string) {
  return async (app: FastifyInstance) => {
    // Everything in this scope is the public page: the auth hook must let it through.
    app.addHook('onRoute', (r) => {
      r.config = { ...(r.config as object), public: true };
    });
    const built = existsSync(path.join(webRoot, 'index.html'));
    if (built) {
      await app.register(fastifyStatic, {
        root: webRoot,
        wildcard: false,
        index: false,
        cacheControl: false, // ours below; send would otherwise overwrite it with max-age=0
        setHeaders: (res, file) => {
          if (file.includes(`${path.sep}assets${path.sep}`)) res.setHeader('cache-control', 'public, max-age=31536000, immutable');
          else res.setHeader('cache-control', 'no-cache');
          res.setHeader('x-content-type-options', 'nosniff');
        },
      });
    }
    // The UI's own addresses (src/App.tsx), listed rather than a catch-all, so anything else (an
    // unknown API path, a missing asset, /metrics when it is off) stays an ordinary 404.
    const page = async (_req: FastifyRequest, reply: FastifyReply) => {
      if (!built) {
        return pageHeaders(reply).code(503).type('text/plain; charset=utf-8')
          .send('The Coffer web UI is not built. Run `npm run build -w @coffer/web` (or `npm start`, which builds it), then reload.\n');
      }
      return pageHeaders(reply).sendFile('index.html');
    };
    for (const url of UI_PATHS) app.get(url, { schema: { hide: true } }, page);
  };
}
