// Security headers and CORS on every kind of answer, and what a reverse proxy may and may not claim.
// coffer-test: sqlite-only (the HTTP surface sits in front of the store; a second run on PostgreSQL would test nothing new)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestEnv, type TestEnv } from '../../test/helpers.js';
import { HSTS } from './headers.js';

const B = '/api/v1';

function assertSecurityHeaders(h: Record<string, unknown>, what: string) {
  const csp = String(h['content-security-policy']);
  for (const d of ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"]) {
    assert.ok(csp.includes(d), `${what}: CSP lacks ${d}: ${csp}`);
  }
  assert.ok(!/script-src[^;]*'unsafe-inline'/.test(csp), `${what}: inline scripts allowed: ${csp}`);
  assert.equal(h['x-content-type-options'], 'nosniff', what);
  assert.equal(h['x-frame-options'], 'DENY', what);
  assert.equal(h['referrer-policy'], 'no-referrer', what);
  assert.equal(h['x-powered-by'], undefined, what);
}

describe('security headers', () => {
  let t: TestEnv;
  before(async () => (t = await startTestEnv()));
  after(async () => t.close());

  it('are on answers of every kind: data, refusals, errors, pages, probes', async () => {
    const answers = {
      data: await t.admin('GET', `${B}/secrets`),
      refusal: await t.as(undefined)('GET', `${B}/secrets`),
      'bad json': await t.admin('POST', `${B}/secrets`, '{"secret_id":'),
      'no route': await t.admin('GET', '/nowhere'),
      docs: await t.admin('GET', `${B}/docs/`),
      probe: await t.admin('GET', '/healthz'),
    };
    assert.deepEqual(Object.values(answers).map((r) => r.statusCode), [200, 401, 400, 404, 200, 200]);
    for (const [what, r] of Object.entries(answers)) assertSecurityHeaders(r.headers, what);
  });

  it('send no HSTS and no Secure cookie over plain HTTP, and ignore X-Forwarded-Proto from untrusted peers', async () => {
    const r = await t.app.inject({ method: 'POST', url: `${B}/auth/login`, payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['strict-transport-security'], undefined);
    assert.equal(r.cookies[0]?.secure, undefined);
  });
});

describe('behind a trusted TLS-terminating proxy', () => {
  let t: TestEnv;
  before(async () => (t = await startTestEnv({ SECRET_MANAGER_TRUSTED_PROXIES: '127.0.0.1/32' })));
  after(async () => t.close());

  it('believes X-Forwarded-Proto and -For from the proxy: HSTS, Secure cookie, the client address in the audit log', async () => {
    const r = await t.app.inject({
      method: 'POST', url: `${B}/auth/login`, payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
    });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['strict-transport-security'], HSTS);
    assert.equal(r.cookies[0]?.secure, true);
    const audit = (await t.admin('GET', `${B}/audit?action=auth.login&limit=1`)).json() as { items: { client_ip: string }[] };
    assert.equal(audit.items[0]?.client_ip, '203.0.113.9');
  });

  it('does not believe the same headers from another peer', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/healthz', remoteAddress: '198.51.100.7', headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(r.headers['strict-transport-security'], undefined);
  });
});

describe('CORS', () => {
  const preflight = (t: TestEnv, origin: string) =>
    t.app.inject({ method: 'OPTIONS', url: `${B}/secrets`, headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });

  it('is closed unless configured: no header, and a preflight is a 404', async () => {
    const t = await startTestEnv();
    try {
      const r = await t.admin('GET', `${B}/secrets`, undefined, { origin: 'https://evil.example' });
      assert.equal(r.statusCode, 200);
      assert.equal(r.headers['access-control-allow-origin'], undefined);
      const p = await preflight(t, 'https://evil.example');
      assert.equal(p.statusCode, 404);
      assert.equal(p.headers['access-control-allow-origin'], undefined);
    } finally {
      await t.close();
    }
  });

  it('answers listed origins only, without credentials', async () => {
    const t = await startTestEnv({ SECRET_MANAGER_CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' });
    try {
      const p = await preflight(t, 'https://app.example.com');
      assert.equal(p.statusCode, 204);
      assert.equal(p.headers['access-control-allow-origin'], 'https://app.example.com');
      assert.match(String(p.headers['access-control-allow-methods']), /POST/);
      assert.match(String(p.headers['access-control-allow-headers']), /authorization/);
      assert.equal(p.headers['access-control-allow-credentials'], undefined);
      const r = await t.admin('GET', `${B}/secrets`, undefined, { origin: 'http://localhost:5173' });
      assert.equal(r.headers['access-control-allow-origin'], 'http://localhost:5173');
      assert.match(String(r.headers['access-control-expose-headers']), /etag/);
      assert.match(String(r.headers.vary), /Origin/);
      for (const other of ['https://evil.example', 'https://app.example.com.evil.example', 'null']) {
        const o = await t.admin('GET', `${B}/secrets`, undefined, { origin: other });
        assert.equal(o.headers['access-control-allow-origin'], undefined, other);
        assert.equal((await preflight(t, other)).statusCode, 404, other);
      }
    } finally {
      await t.close();
    }
  });
});
