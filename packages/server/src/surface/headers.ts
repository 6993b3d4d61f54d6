// Security headers on every answer (helmet), with one Content-Security-Policy that suits both
// pages the server serves: the React UI at / and the Swagger UI at /api/v1/docs. Both load only
// their own files: scripts from this origin and never inline; styles from this origin plus
// inline, because Mantine writes its CSS variables into <style> elements and the Swagger UI sets
// inline styles (both refused without it, in csp.browser.test.ts; a nonce would need the server to
// rewrite index.html per request; injected CSS cannot run script). Nothing may frame a page
// (clickjacking on Reveal), and the API's JSON needs nothing at all.
import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';

export const CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** The same policy as a header value, for pages that set their headers themselves (web/ui.routes.ts). */
export const CONTENT_SECURITY_POLICY = Object.entries(CSP_DIRECTIVES).map(([k, v]) => `${k} ${v.join(' ')}`).join('; ');

/** A year, for this host and its subdomains; not preloaded (that is the operator's choice). */
export const HSTS = 'max-age=31536000; includeSubDomains';

export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  const middleware = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Sent per request below: only an answer that travels over TLS may carry it.
    strictTransportSecurity: false,
  });
  // Every directive above is fixed, so helmet's answer is the same for every request: take it once
  // and copy it onto each answer (running helmet's dozen middlewares per request cost several
  // percent of a value read).
  const fixed: [string, string][] = [];
  const recorder = { setHeader: (k: string, v: unknown) => fixed.push([k, String(v)]), removeHeader: () => undefined };
  let failed: unknown;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => (failed = err));
  if (failed || fixed.length === 0) throw new Error('security headers: helmet did not produce its headers');
  app.addHook('onRequest', (req, reply, done) => {
    for (const [k, v] of fixed) reply.raw.setHeader(k, v);
    // req.protocol is https on a TLS socket, or behind a trusted proxy that says X-Forwarded-Proto: https.
    if (req.protocol === 'https') reply.raw.setHeader('strict-transport-security', HSTS);
    done();
  });
}
