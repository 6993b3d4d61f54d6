// The HTTP surface over real sockets against the real server process: TLS with Secure cookies and
// HSTS, slow clients cut off by the timeouts, oversized headers and broken HTTP answered in the
// catalogue's shape. app.inject() cannot show any of this: it has no socket and no parser.
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { ADMIN_KEY, tempDir } from '../../test/helpers.js';
import { runMain, startServer, type ServerProcess } from '../../test/process.js';
import { rawBody, rawExchange } from '../../test/sockets.js';
import { selfSignedCert, type TestCert } from '../../test/tls.js';
import { HSTS } from './headers.js';

const PASSWORD = 'a-password-for-the-network-test';

function httpsCall(url: string, ca: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = https.request(url, { method: init.method ?? 'GET', ca, headers: init.headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += String(d)));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('TLS', () => {
  let s: ServerProcess;
  let cert: TestCert;
  before(async () => {
    const dir = tempDir();
    cert = selfSignedCert(dir);
    s = await startServer({
      SECRET_MANAGER_DATA_DIR: dir, SECRET_MANAGER_ADMIN_PASSWORD: PASSWORD,
      SECRET_MANAGER_TLS_CERT_FILE: cert.certFile, SECRET_MANAGER_TLS_KEY_FILE: cert.keyFile,
    });
  });
  after(async () => s.stop());

  it('serves HTTPS only, with HSTS, and signs in with a Secure cookie', async () => {
    assert.match(s.url, /^https:\/\//);
    const health = await httpsCall(`${s.url}/healthz`, cert.cert);
    assert.equal(health.status, 200);
    assert.equal(health.headers['strict-transport-security'], HSTS);
    const login = await httpsCall(`${s.url}/api/v1/auth/login`, cert.cert, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@localhost', password: PASSWORD }),
    });
    assert.equal(login.status, 200, login.body);
    const cookie = String(login.headers['set-cookie']);
    for (const attr of ['Secure', 'HttpOnly', 'SameSite=Strict']) assert.ok(cookie.includes(attr), `${attr} missing: ${cookie}`);
    // Plain HTTP on the TLS port gets no answer that a client could take for one.
    const plain = await rawExchange(s.url.replace('https:', 'http:'), 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', { giveUpMs: 3000 });
    assert.ok(!plain.text.startsWith('HTTP/1.1 200'), plain.text);
  });

  it('refuses to start with half a TLS setting, naming it', async () => {
    const r = runMain({ SECRET_MANAGER_DATA_DIR: tempDir(), SECRET_MANAGER_TLS_CERT_FILE: cert.certFile, SECRET_MANAGER_PORT: '0' });
    assert.equal(await r.exited, 2);
    assert.match(r.output(), /SECRET_MANAGER_TLS_CERT_FILE and SECRET_MANAGER_TLS_KEY_FILE: set both or neither/);
  });
});

describe('slow and broken clients (real sockets)', () => {
  let s: ServerProcess;
  before(async () => {
    s = await startServer({
      SECRET_MANAGER_DATA_DIR: tempDir(), SECRET_MANAGER_ADMIN_API_KEY: ADMIN_KEY,
      SECRET_MANAGER_HEADERS_TIMEOUT_SECONDS: '1', SECRET_MANAGER_REQUEST_TIMEOUT_SECONDS: '2',
    });
  });
  after(async () => s.stop());

  const healthy = async () => {
    const t0 = performance.now();
    const r = await fetch(`${s.url}/healthz`);
    assert.equal(r.status, 200);
    return performance.now() - t0;
  };

  it('cuts off a client that dribbles its headers (slowloris) with 408, and keeps serving others', async () => {
    const slow = Array.from({ length: 50 }, () => rawExchange(s.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', { drip: 'X-Slow: 1\r\n', everyMs: 200 }));
    assert.ok((await healthy()) < 2000, 'others are served while slow clients hang on');
    for (const r of await Promise.all(slow)) {
      assert.ok(r.closedAfterMs !== undefined && r.closedAfterMs < 4000, `closed after ${r.closedAfterMs} ms`);
      assert.match(r.text, /^HTTP\/1\.1 408 /);
      assert.equal((rawBody(r.text) as { error: { code: string } }).error.code, 'request_timeout');
    }
  });

  it('cuts off a client that dribbles its body', async () => {
    const head = 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{';
    const r = await rawExchange(s.url, head, { drip: ' ', everyMs: 100 });
    assert.ok(r.closedAfterMs !== undefined && r.closedAfterMs < 5000, `closed after ${r.closedAfterMs} ms`);
    assert.match(r.text, /^HTTP\/1\.1 408 /);
  });

  it('closes a connection that never sends a byte', async () => {
    const r = await rawExchange(s.url, '');
    assert.ok(r.closedAfterMs !== undefined && r.closedAfterMs < 3000, `closed after ${r.closedAfterMs} ms`);
  });

  it('answers oversized headers with 431 and broken HTTP with 400, in the error shape', async () => {
    const big = await rawExchange(s.url, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
    assert.match(big.text, /^HTTP\/1\.1 431 /);
    assert.equal((rawBody(big.text) as { error: { code: string } }).error.code, 'headers_too_large');
    const junk = await rawExchange(s.url, 'NOT HTTP AT ALL\r\n\r\n');
    assert.match(junk.text, /^HTTP\/1\.1 400 /);
    assert.equal((rawBody(junk.text) as { error: { code: string } }).error.code, 'validation_error');
    // Request smuggling shapes: two lengths, or a length beside chunked encoding.
    for (const head of ['Content-Length: 2\r\nContent-Length: 40', 'Content-Length: 2\r\nTransfer-Encoding: chunked']) {
      const r = await rawExchange(s.url, `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${head}\r\n\r\n{}`);
      assert.match(r.text, /^HTTP\/1\.1 400 /, head);
    }
    const tooBig = await fetch(`${s.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'x'.repeat(300 * 1024) }) });
    assert.equal(tooBig.status, 413);
    assert.equal(((await tooBig.json()) as { error: { code: string } }).error.code, 'payload_too_large');
    await healthy();
  });
});
