import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ADMIN_EMAIL, ADMIN_KEY, ADMIN_PASSWORD, startTestEnv, tempDir, type TestEnv } from '../../test/helpers.js';
import { buildApp } from '../app.js';

async function signIn(app: FastifyInstance) {
  const r = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  assert.equal(r.statusCode, 200, r.body);
  return { cookie: r.cookies.find((c) => c.name === 'coffer_session')!.value, csrf: (r.json() as { csrf_token: string }).csrf_token };
}

describe('GET /api/v1/info', () => {
  it('tells anyone whether the Secret Manager is enabled', async () => {
    for (const [flag, expected] of [['true', true], ['false', false]] as const) {
      const t = await startTestEnv({ SECRET_MANAGER_ENABLED: flag });
      try {
        const r = await t.app.inject({ method: 'GET', url: '/api/v1/info' });
        assert.equal(r.statusCode, 200);
        assert.equal(r.json().secret_manager_enabled, expected);
      } finally {
        await t.close();
      }
    }
  });
});

describe('GET /api/v1/auth/session', () => {
  let t: TestEnv;
  before(async () => (t = await startTestEnv()));
  after(async () => t.close());

  it('gives a signed-in browser its CSRF token again, which then works for a state change', async () => {
    const s = await signIn(t.app);
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', cookies: { coffer_session: s.cookie } });
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json();
    assert.equal(body.csrf_token, s.csrf);
    assert.equal(body.user.email, ADMIN_EMAIL);
    const change = await t.app.inject({
      method: 'POST', url: '/api/v1/roles', cookies: { coffer_session: s.cookie }, headers: { 'x-csrf-token': body.csrf_token },
      payload: { name: 'from-session', permissions: [] },
    });
    assert.equal(change.statusCode, 201, change.body);
  });

  it('answers "signed out" to strangers, ended sessions and API keys, without a denied audit entry', async () => {
    const before = (await t.admin('GET', '/api/v1/audit?limit=500')).json().items.length;
    for (const cookies of [undefined, { coffer_session: 'nonsense' }]) {
      const r = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', ...(cookies ? { cookies } : {}) });
      assert.equal(r.statusCode, 200);
      assert.deepEqual(r.json(), { user: null, csrf_token: null });
    }
    const byKey = await t.admin('GET', '/api/v1/auth/session');
    assert.deepEqual(byKey.json(), { user: null, csrf_token: null });
    const s = await signIn(t.app);
    const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies: { coffer_session: s.cookie }, headers: { 'x-csrf-token': s.csrf } });
    assert.equal(out.statusCode, 200);
    const ended = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', cookies: { coffer_session: s.cookie } });
    assert.deepEqual(ended.json(), { user: null, csrf_token: null });
    const entries = (await t.admin('GET', '/api/v1/audit?limit=500')).json().items as { action: string; outcome: string }[];
    // Only the sign-in and sign-out above were added (plus the admin's own audit reads, which are not logged).
    assert.equal(entries.length - before, 2, JSON.stringify(entries.slice(0, entries.length - before)));
    assert.ok(!entries.some((e) => e.outcome === 'denied'), "!entries.some((e) => e.outcome === 'denied')");
  });
});

describe('the web UI at /', () => {
  let t: TestEnv;
  let app: FastifyInstance;
  const root = tempDir('coffer-web-');
  before(async () => {
    mkdirSync(path.join(root, 'assets'));
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Coffer</title><div id="root"></div>');
    writeFileSync(path.join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    t = await startTestEnv();
    app = await buildApp({ coffer: t.coffer, webRoot: root });
  });
  after(async () => {
    await app.close();
    await t.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html without credentials, with a strict content security policy', async () => {
    const r = await app.inject({ method: 'GET', url: '/' });
    assert.equal(r.statusCode, 200);
    assert.match(r.headers['content-type'] as string, /text\/html/);
    assert.match(r.body, /<title>Coffer/);
    assert.match(r.headers['content-security-policy'] as string, /script-src 'self'/);
    assert.match(r.headers['content-security-policy'] as string, /frame-ancestors 'none'/);
    assert.equal(r.headers['cache-control'], 'no-cache');
  });

  it('answers deep links with the app page, so a reload of /dashboard/secrets works', async () => {
    const r = await app.inject({ method: 'GET', url: '/dashboard/secrets?connector_type=s3' });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<div id="root">/);
  });

  it('serves hashed assets with a long cache, and a missing asset is a 404', async () => {
    const js = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    assert.equal(js.statusCode, 200);
    assert.match(js.headers['content-type'] as string, /javascript/);
    assert.match(js.headers['cache-control'] as string, /immutable/);
    assert.equal((await app.inject({ method: 'GET', url: '/assets/gone.js' })).statusCode, 404);
  });

  it('keeps unknown paths as JSON 404s and API routes behind authentication', async () => {
    for (const url of ['/api/v1/no-such-thing', '/metrics', '/wp-login.php', '/dashboardx']) {
      const r = await app.inject({ method: 'GET', url });
      assert.equal(r.statusCode, 404, url);
      assert.equal(r.json().error.code, 'not_found');
    }
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/secrets' })).statusCode, 401);
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/secrets', headers: { authorization: `Bearer ${ADMIN_KEY}` } })).statusCode, 200);
  });

  it('says how to build the UI when it is missing, instead of a blank page', async () => {
    const bare = await buildApp({ coffer: t.coffer, webRoot: path.join(root, 'nothing-here') });
    try {
      const r = await bare.inject({ method: 'GET', url: '/dashboard' });
      assert.equal(r.statusCode, 503);
      assert.match(r.body, /npm run build -w @coffer\/web/);
    } finally {
      await bare.close();
    }
  });
});
