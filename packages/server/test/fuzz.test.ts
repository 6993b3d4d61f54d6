// Hostile input, property-based: generated requests per route family (secrets, users, roles, keys,
// audit, auth) from callers of every kind, against the real app on a real store. Every answer
// must pass test/fuzz/oracle.ts. The header abuse that only a socket can carry goes over a real
// socket afterwards. Sizes (docs/security.md records the last full run):
//   COFFER_FUZZ_RUNS=N   requests per family (npm test: 1000; npm run test:fuzz: 10000)
//   COFFER_FUZZ_SEED=S   replay a run (printed at the start of each family)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { systemActor } from '../src/access/actor.js';
import { PERMISSION_IDS } from '../src/access/permissions.js';
import { ADMIN_KEY, startTestEnv, userWithKey, type TestEnv } from './helpers.js';
import { requests, type Caller, type Family, type Req } from './fuzz/families.js';
import { judge, type Canary } from './fuzz/oracle.js';
import type { Planted } from './fuzz/pieces.js';
import { rawRequests } from './fuzz/raw.js';
import { rawExchange } from './sockets.js';

const RUNS = Number(process.env.COFFER_FUZZ_RUNS ?? 1000);
/** Interim 1xx answers ahead of the final one, head and blank line each. */
const INTERIM = /^(?:HTTP\/1\.1 1\d\d [^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n)+/;
const SEED = process.env.COFFER_FUZZ_SEED ? Number(process.env.COFFER_FUZZ_SEED) : undefined;
// audit first: each of its verify calls walks the whole log, which the other families make long.
const FAMILIES: Family[] = ['audit', 'secrets', 'users', 'roles', 'keys', 'auth'];
const B = '/api/v1';

describe(`hostile input: ${RUNS} generated requests per route family`, () => {
  let t: TestEnv;
  let planted: Planted;
  let canaries: Canary[];
  let neverShown: string[];
  const creds: Partial<Record<Caller, Record<string, string>>> = {};
  let session: { cookie: string; csrf: string };
  const stats = new Map<string, number>();

  async function signInReader() {
    // From an address of its own: the fuzz's failed sign-ins from 127.0.0.1 soon hit the sign-in limit.
    const r = await t.app.inject({ method: 'POST', url: `${B}/auth/login`, remoteAddress: '10.9.9.9', payload: { email: 'reader@example.com', password: 'a-long-enough-password' } });
    assert.equal(r.statusCode, 200, r.body);
    session = { cookie: r.cookies.find((c) => c.name === 'coffer_session')!.value, csrf: (r.json() as { csrf_token: string }).csrf_token };
  }

  const headersOf = (c: Caller): Record<string, string> => {
    if (c === 'session') return { cookie: `coffer_session=${session.cookie}`, 'x-csrf-token': session.csrf };
    if (c === 'session-no-csrf') return { cookie: `coffer_session=${session.cookie}` };
    return creds[c] ?? {};
  };

  before(async () => {
    // No request limits here (they are tested on their own): they would answer most of the fuzz with 429.
    t = await startTestEnv({ SECRET_MANAGER_RATE_LIMIT_PER_KEY: '0', SECRET_MANAGER_RATE_LIMIT_PER_ADDRESS: '0', SECRET_MANAGER_HEADERS_TIMEOUT_SECONDS: '1', SECRET_MANAGER_REQUEST_TIMEOUT_SECONDS: '2' });
    const ok = async (p: Promise<{ statusCode: number; body: string; json: () => unknown }>, status = 201) => {
      const r = await p;
      assert.equal(r.statusCode, status, r.body);
      return r.json() as { id: string; key: string };
    };
    await ok(t.admin('POST', `${B}/roles`, { name: 'writers', permissions: ['secrets/read', 'secrets/manage'] }));
    const victimRole = await ok(t.admin('POST', `${B}/roles`, { name: 'victim-role', permissions: ['secrets/read'] }));
    const reader = await userWithKey(t, 'reader@example.com', ['default']);
    const writer = await userWithKey(t, 'writer@example.com', ['writers']);
    const victim = await ok(t.admin('POST', `${B}/users`, { email: 'victim@example.com', password: 'a-long-enough-password', roles: ['victim-role'] }));
    creds.admin = { authorization: `Bearer ${ADMIN_KEY}` };
    creds.reader = { authorization: `Bearer ${reader.key}` };
    creds.writer = { authorization: `Bearer ${writer.key}` };
    creds.badkey = { authorization: 'Bearer coffer_0123456789abcdef_not-the-secret-part-of-any-key' };
    await signInReader();

    const value = (name: string) => `FUZZ-CANARY-${name}-${Math.random().toString(36).slice(2)}`;
    canaries = [
      { id: 'admin-private', value: value('admin'), readers: ['admin'] },
      { id: 'shared', value: value('shared'), readers: ['admin', 'reader', 'writer', 'session', 'session-no-csrf'] },
      { id: 'writer-private', value: value('writer'), readers: ['admin', 'writer'] },
    ];
    await ok(t.admin('POST', `${B}/secrets`, { secret_id: 'admin-private', secret_value: { token: canaries[0]!.value } }));
    await ok(t.admin('POST', `${B}/secrets`, { secret_id: 'shared', scope: 'SYSTEM_SECRET', secret_value: { token: canaries[1]!.value } }));
    await ok(t.as(writer.key)('POST', `${B}/secrets`, { secret_id: 'writer-private', secret_value: { token: canaries[2]!.value } }));
    await ok(t.admin('POST', `${B}/secrets`, { secret_id: 'victim-secret', secret_type: 's3', secret_value: { access_key_id: 'AKIAVICTIM', secret_access_key: 'victim', region: 'eu-west-1' } }));
    // Keys the fuzz may revoke: one more per caller, never the ones it signs in with.
    const spare = await Promise.all([ADMIN_KEY, reader.key, writer.key].map((k) => ok(t.as(k)('POST', `${B}/users/current/api-keys`, { name: 'spare' }))));
    planted = {
      ids: ['admin-private', 'shared', 'writer-private', 'victim-secret'],
      // The callers' own records are left alone, so that what each may do and see stays fixed
      // (the administrator could otherwise make the victim an admin, then demote itself).
      userIds: [victim.id, '00000000-0000-4000-8000-000000000000', 'current'],
      roleIds: ['admin', 'default', 'user', 'viewer', 'victim-role', victimRole.id, '11111111-1111-4111-8111-111111111111'],
      keyIds: spare.map((k) => k.id),
    };
    neverShown = [ADMIN_KEY, reader.key, writer.key, session.cookie, t.coffer.keyring.current().key.toString('base64'), '$argon2'];
  });

  after(async () => {
    const summary = [...stats].sort().map(([k, n]) => `${k}:${n}`).join(' ');
    console.error(`# fuzz answers by family and status: ${summary}`);
    await t.close();
  });

  async function send(r: Req) {
    const res = await t.app.inject({
      method: r.method as 'GET',
      url: `${B}${r.path}`,
      headers: { ...r.headers, ...(r.contentType !== undefined && r.body !== undefined ? { 'content-type': r.contentType } : {}), ...headersOf(r.caller) },
      ...(r.body !== undefined ? { payload: r.body } : {}),
    });
    if (r.caller === 'session' && r.path.startsWith('/auth/logout') && res.statusCode === 200) await signInReader();
    return res;
  }

  for (const family of FAMILIES) {
    it(family, { timeout: 30 * 60_000 }, async (ctx) => {
      const seed = SEED ?? Math.floor(Math.random() * 2 ** 31);
      ctx.diagnostic(`seed ${seed}`);
      const t0 = performance.now();
      await fc.assert(
        fc.asyncProperty(requests(family, planted), async (r) => {
          const res = await send(r);
          const k = `${family}/${res.statusCode}`;
          stats.set(k, (stats.get(k) ?? 0) + 1);
          const wrong = judge(r, res, canaries, neverShown);
          if (wrong) throw new Error(wrong);
          // How often a planted value was rightly shown: the leak check had something to look at.
          if (canaries.some((c) => res.body.includes(c.value))) stats.set('values shown rightly', (stats.get('values shown rightly') ?? 0) + 1);
        }),
        { numRuns: RUNS, seed },
      );
      ctx.diagnostic(`${RUNS} requests in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      // After each family, so that a broken chain points at the family that broke it.
      const v = await t.coffer.audit.verify();
      assert.equal(v.ok, true, `the audit chain broke: ${v.reason}`);
    });
  }

  it('header abuse over a real socket', { timeout: 10 * 60_000 }, async (ctx) => {
    const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const runs = Math.max(100, Math.floor(RUNS / 20));
    const seed = SEED ?? Math.floor(Math.random() * 2 ** 31);
    ctx.diagnostic(`seed ${seed}, ${runs} raw requests`);
    await fc.assert(
      fc.asyncProperty(rawRequests(planted), async (r) => {
        const raw = r.build(headersOf(r.caller));
        const res = await rawExchange(url, raw, { giveUpMs: 8000 });
        // `Expect: 100-continue` rightly gets an interim "100 Continue" first (RFC 9110 §10.1.1):
        // the answer judged is the final one after it.
        const text = res.text.replace(INTERIM, '');
        const m = /^HTTP\/1\.1 (\d{3}) /.exec(text);
        if (!m) throw new Error(`no HTTP answer (closed after ${res.closedAfterMs} ms): ${JSON.stringify(raw.toString('latin1').slice(0, 300))}`);
        const at = text.indexOf('\r\n\r\n');
        const wrong = judge({ method: r.method, path: r.path.replace(/^\/api\/v1/, ''), headers: {}, caller: r.caller }, { statusCode: Number(m[1]), headers: {}, body: text.slice(at + 4) }, canaries, neverShown);
        if (wrong) throw new Error(`${wrong}\nrequest: ${JSON.stringify(raw.toString('latin1').slice(0, 300))}`);
      }),
      { numRuns: runs, seed },
    );
  });

  it('leaves a server that still answers, an audit chain that verifies and the planted values intact', async () => {
    assert.equal((await t.admin('GET', '/healthz')).statusCode, 200);
    // Through the services, not the API: the fuzz may have taken permissions away from its callers.
    const v = await t.coffer.audit.verify();
    assert.equal(v.ok, true, v.reason);
    assert.ok(v.entries > RUNS, `${v.entries} audit entries`);
    const system = systemActor('fuzz-check', PERMISSION_IDS);
    for (const c of canaries) {
      const value = await t.coffer.secrets.value(system, c.id, 1).catch(() => undefined); // purged is allowed
      if (value) assert.equal(value.token, c.value, `${c.id} v1 is unchanged`);
    }
  });
});
