// Security headers on every answer (helmet), with one Content-Security-Policy that suits both
// pages the server serves: the React UI at / and the Swagger UI at /api/v1/docs. Both load only
// their own files: scripts from this origin and never inline; styles from this origin plus
// inline, because Mantine writes its CSS variables into <style> elements and the Swagger UI sets
// inline styles (both refused without it, in csp.browser.test.ts; a nonce would need the server to
// rewrite index.html per request; injected CSS cannot run script). Nothing may frame a page
// (clickjacking on Reveal), and the API's JSON needs nothing at all.
import helmet from 'helmet';
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
  // Built once: @fastify/helmet rebuilt the middleware (and re-parsed the policy) on every request,
  // which cost a tenth of the server's time on small answers.
  const headers = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Sent per request below: only an answer that travels over TLS may carry it.
    strictTransportSecurity: false,
  });
  app.addHook('onRequest', (req, reply, done) => {
    // req.protocol is https on a TLS socket, or behind a trusted proxy that says X-Forwarded-Proto: https.
    if (req.protocol === 'https') reply.header('strict-transport-security', HSTS);
    headers(req.raw, reply.raw, (err) => done(err as Error | undefined));
  });
}
