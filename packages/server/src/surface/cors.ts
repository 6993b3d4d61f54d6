// CORS, closed unless SECRET_MANAGER_CORS_ORIGINS lists origins. The UI is served from the same
// origin and needs none of this; it is for other sites' pages calling the API with an API key.
// No credentials mode: the session cookie is SameSite=Strict and never travels cross-site, so
// only Authorization: Bearer works from another origin. Our own hook rather than @fastify/cors:
// that plugin adds a catch-all OPTIONS route and answers malformed preflights in plain text,
// outside the error catalogue; this is the whole of what Coffer needs.
import type { FastifyInstance } from 'fastify';

const METHODS = 'GET, POST, PUT, PATCH, DELETE';
const REQUEST_HEADERS = 'authorization, content-type, if-match';
/** What a script on an allowed origin may read from an answer besides the safe-listed headers. */
const EXPOSED = 'etag, retry-after, x-request-id';

export function registerCors(app: FastifyInstance, origins: readonly string[]): void {
  // Closed: no header is ever added, so browsers refuse every cross-origin read, and a preflight
  // meets the ordinary 404 of a method no route has.
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  app.addHook('onRequest', async (req, reply) => {
    // The answer depends on Origin, so caches must keep one copy per origin.
    reply.header('vary', 'Origin');
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || !allowed.has(origin.toLowerCase())) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-expose-headers', EXPOSED);
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      return reply
        .code(204)
        .header('access-control-allow-methods', METHODS)
        .header('access-control-allow-headers', REQUEST_HEADERS)
        .header('access-control-max-age', '600')
        .send();
    }
  });
}
