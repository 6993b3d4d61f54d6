// Several real server processes (securestore) on one PostgreSQL behave as one: they start together,
// race on the same secrets, change roles and keys under each other, and one dies by SIGKILL mid-load.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { ADMIN_KEY, ADMIN_PASSWORD, tempDir } from './helpers.js';
import { MIGRATION_NAMES } from '../src/store/db.js';
import { createTestDatabase, type TestDatabase } from './pg.js';
import { apiClient, startServer, type Answer, type ServerProcess } from './process.js';

let database: TestDatabase;
let servers: ServerProcess[];
let admins: ReturnType<typeof apiClient>[];
let sql: pg.Pool;

before(async () => {
  database = await createTestDatabase('replicas');
  sql = new pg.Pool({ connectionString: database.url, max: 2 });
  const env = {
    SECRET_MANAGER: 'securestore',
    SECRET_MANAGER_DATABASE_URL: database.url,
    SECRET_MANAGER_MASTER_KEY: `k1:${randomBytes(32).toString('base64')}`,
    SECRET_MANAGER_ADMIN_EMAIL: 'admin@example.com',
    SECRET_MANAGER_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SECRET_MANAGER_ADMIN_API_KEY: ADMIN_KEY,
    SECRET_MANAGER_DATA_DIR: tempDir(),
  };
  // All three at once on an empty database: migrations and the first start must not collide.
  servers = await Promise.all([0, 1, 2].map(() => startServer(env, 60_000)));
  admins = servers.map((s) => apiClient(s.url, { key: ADMIN_KEY }));
});

after(async () => {
  // A replica that died on its own (not the one the last test kills) tells why.
  for (const s of (servers ?? []).slice(0, 2)) if (s.proc.exitCode !== null || s.proc.signalCode !== null) console.error(`a replica died:\n${s.output()}`);
  await Promise.all((servers ?? []).map((s) => s.stop()));
  await sql?.end();
  await database?.drop();
});

const count = async (query: string, params: unknown[] = []) => Number((await sql.query<{ n: string }>(query, params)).rows[0]!.n);
const statuses = (answers: Answer[]) => answers.map((a) => a.status).sort((x, y) => x - y);

describe('three replicas on one PostgreSQL', () => {
  it('started together, they migrated once and created one first administrator', async () => {
    assert.equal(servers.filter((s) => s.output().includes('First administrator')).length, 1, servers.map((s) => s.output()).join('\n---\n'));
    assert.equal(await count('select count(*) as n from users'), 1);
    assert.equal(await count('select count(*) as n from roles where builtin = 1'), 4);
    assert.equal(await count('select count(*) as n from kysely_migration'), MIGRATION_NAMES.length);
    for (const a of admins) assert.equal((await a('GET', '/users/current')).status, 200);
  });

  it('creates racing on one id across replicas: exactly one 201, the rest 409', async () => {
    for (let i = 0; i < 8; i++) {
      const id = `race-create-${i}`;
      const answers = await Promise.all(Array.from({ length: 9 }, (_, j) => admins[j % 3]!('POST', '/secrets', { secret_id: id, secret_value: { writer: String(j) } })));
      assert.deepEqual(statuses(answers), [201, 409, 409, 409, 409, 409, 409, 409, 409], id);
      assert.ok(answers.filter((a) => a.status === 409).every((a) => a.body.error.code === 'secret_exists'), "answers.filter((a) => a.status === 409).every((a) => a.body.error.code === 'secret_exists')");
      const winner = answers.findIndex((a) => a.status === 201);
      for (const a of admins) assert.deepEqual((await a('GET', `/secrets/${id}/value`)).body, { writer: String(winner) });
    }
  });

  it('updates racing with If-Match across replicas: exactly one winner, the rest 412', async () => {
    for (let i = 0; i < 5; i++) {
      const id = `race-ifmatch-${i}`;
      assert.equal((await admins[0]!('POST', '/secrets', { secret_id: id, secret_value: { v: 'start' } })).status, 201);
      const answers = await Promise.all(Array.from({ length: 9 }, (_, j) => admins[j % 3]!('PUT', `/secrets/${id}`, { secret_value: { v: `w${j}` } }, { 'if-match': '"1"' })));
      assert.deepEqual(statuses(answers), [200, 412, 412, 412, 412, 412, 412, 412, 412], id);
      const winner = answers.findIndex((a) => a.status === 200);
      for (const a of admins) {
        assert.equal((await a('GET', `/secrets/${id}`)).body.version, 2);
        assert.deepEqual((await a('GET', `/secrets/${id}/value`)).body, { v: `w${winner}` });
      }
    }
  });

  it('updates without If-Match across replicas each land as their own version', async () => {
    assert.equal((await admins[1]!('POST', '/secrets', { secret_id: 'race-put', secret_value: { v: '0' } })).status, 201);
    const answers = await Promise.all(Array.from({ length: 15 }, (_, j) => admins[j % 3]!('PUT', '/secrets/race-put', { secret_value: { v: `p${j}` } })));
    assert.ok(answers.every((a) => a.status === 200), JSON.stringify(answers.map((a) => a.body)));
    assert.deepEqual(answers.map((a) => a.body.version).sort((x, y) => x - y), Array.from({ length: 15 }, (_, i) => i + 2));
    for (const [j, a] of answers.entries()) {
      assert.deepEqual((await admins[(j + 1) % 3]!('GET', `/secrets/race-put/value?version=${a.body.version}`)).body, { v: `p${j}` });
    }
  });

  it('a role change or key revocation on one replica holds on every replica at the next request', async () => {
    const [a, b, c] = admins as [ReturnType<typeof apiClient>, ReturnType<typeof apiClient>, ReturnType<typeof apiClient>];
    const created = await a('POST', '/users', { email: 'moving@example.com', password: 'a-long-enough-password', roles: ['user'] });
    assert.equal(created.status, 201);
    const userId = created.body.id as string;
    // Signs in on replica 2, makes a key there.
    const login = await fetch(`${servers[1]!.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'moving@example.com', password: 'a-long-enough-password' }) });
    assert.equal(login.status, 200);
    const cookie = login.headers.getSetCookie().map((h) => h.split(';')[0]).join('; ');
    const { csrf_token } = (await login.json()) as { csrf_token: string };
    const made = await apiClient(servers[1]!.url, { cookie, csrf: csrf_token })('POST', '/users/current/api-keys', { name: 'roaming' });
    assert.equal(made.status, 201);
    const as = servers.map((s) => apiClient(s.url, { key: made.body.key }));
    const session = servers.map((s) => apiClient(s.url, { cookie }));

    for (const u of as) assert.equal((await u('GET', '/secrets/ids')).status, 200);
    for (const u of as) assert.equal((await u('POST', '/secrets', { secret_id: 'by-moving', secret_value: { a: 'b' } })).status, 403);

    assert.equal((await a('PUT', `/users/${userId}/roles/viewer`)).status, 200);
    for (const u of [...as, ...session]) assert.equal((await u('GET', '/secrets/ids')).status, 403, 'viewer may not read, on any replica');

    assert.equal((await b('PUT', `/users/${userId}/roles/admin`)).status, 200);
    assert.equal((await as[2]!('POST', '/secrets', { secret_id: 'by-moving', secret_value: { a: 'b' } })).status, 201);

    // A custom role whose permissions change on one replica.
    const role = await c('POST', '/roles', { name: 'readers-plus', permissions: ['secrets/read'] });
    assert.equal(role.status, 201);
    assert.equal((await c('PUT', `/users/${userId}/roles/readers-plus`)).status, 200);
    assert.equal((await as[0]!('POST', '/secrets', { secret_id: 'by-moving-2', secret_value: { a: 'b' } })).status, 403);
    assert.equal((await a('PUT', `/roles/${role.body.id}`, { permissions: ['secrets/read', 'secrets/manage'] })).status, 200);
    assert.equal((await as[1]!('POST', '/secrets', { secret_id: 'by-moving-2', secret_value: { a: 'b' } })).status, 201);

    // The key is revoked on replica 1: refused on every replica; the session on replica 3 still works.
    assert.equal((await as[0]!('DELETE', `/users/current/api-keys/${made.body.id}`)).status, 200);
    for (const u of as) assert.equal((await u('GET', '/users/current')).status, 401);
    assert.equal((await session[2]!('GET', '/users/current')).status, 200);
    // The user is deleted on replica 3: the session made on replica 2 ends everywhere.
    assert.equal((await c('DELETE', `/users/${userId}`)).status, 200);
    for (const u of session) assert.equal((await u('GET', '/users/current')).status, 401);
  });

  it('under concurrent load a replica killed with SIGKILL loses nothing that was acknowledged, and the audit chain verifies', async () => {
    const acknowledged = new Map<string, Map<number, string>>(); // secret → version → value
    const alive = [true, true, true];
    const served = [0, 0, 0];
    let afterKill = 0;
    let killed = false;
    const failed: string[] = [];
    const churn = await admins[0]!('POST', '/users', { email: 'churn@example.com', password: 'a-long-enough-password', roles: ['user'] });
    assert.equal(churn.status, 201);

    const pick = (n: number) => {
      const live = [0, 1, 2].filter((i) => alive[i]);
      return live[n % live.length]!;
    };
    const call = async (n: number, method: string, p: string, body?: unknown): Promise<Answer | undefined> => {
      const i = pick(n);
      try {
        const r = await admins[i]!(method, p, body);
        served[i]!++;
        if (r.status >= 500) failed.push(`${method} ${p} → ${r.status} ${JSON.stringify(r.body)}`);
        if (killed) afterKill++;
        return r;
      } catch {
        return undefined; // the connection died with the replica: not acknowledged
      }
    };

    const stopAt = Date.now() + 4000;
    const worker = async (w: number) => {
      for (let n = 0; Date.now() < stopAt; n++) {
        const id = `load-${w}-${n >> 2}`;
        const op = n % 4;
        if (op === 0) {
          const value = `c-${w}-${n}`;
          const r = await call(w + n, 'POST', '/secrets', { secret_id: id, secret_value: { value } });
          if (r?.status === 201) acknowledged.set(id, new Map([[1, value]]));
        } else if (op === 1 || op === 2) {
          if (!acknowledged.has(id)) continue;
          const value = `u-${w}-${n}`;
          const r = await call(w + n, 'PUT', `/secrets/${id}`, { secret_value: { value } });
          if (r?.status === 200) acknowledged.get(id)!.set(r.body.version, value);
        } else {
          await call(w + n, 'PUT', `/users/${churn.body.id}/roles/${n % 8 === 3 ? 'viewer' : 'user'}`);
          await call(w + n + 1, 'GET', `/secrets/load-${(w + 1) % 8}-0/value`);
        }
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    await sleep(1500);
    assert.ok(served[2]! > 0, 'replica 3 served requests before it was killed');
    servers[2]!.proc.kill('SIGKILL');
    alive[2] = false;
    killed = true;
    await load;
    assert.equal(await servers[2]!.stop(), null, 'replica 3 died by a signal');
    assert.ok(afterKill > 20, `the load went on after the kill (${afterKill} answers)`);
    assert.deepEqual(failed, [], 'no request failed on a live replica');

    // Every acknowledged version is there, on both survivors, with its value.
    let versions = 0;
    for (const [id, byVersion] of acknowledged) {
      for (const [version, value] of byVersion) {
        const r = await admins[versions++ % 2]!('GET', `/secrets/${id}/value?version=${version}`);
        assert.equal(r.status, 200, `${id} v${version}`);
        assert.deepEqual(r.body, { value }, `${id} v${version}`);
      }
    }
    assert.ok(acknowledged.size > 20 && versions > acknowledged.size, `load too small: ${acknowledged.size} secrets, ${versions} versions`);

    // No half-written change: every secret's versions are 1..head, each with exactly one audit entry.
    assert.equal(await count(`select count(*) as n from secrets s where not exists (select 1 from secret_versions v where v.secret_id = s.id and v.version = s.version)`), 0);
    assert.equal(await count(`select count(*) as n from (select secret_id, count(*) c, max(version) m from secret_versions group by secret_id) x where c <> m`), 0);
    assert.equal(await count(`select count(*) as n from secrets s where s.version <> (select count(*) from audit_log a where a.target = 'secret:' || s.id and a.action in ('secret.create', 'secret.update') and a.outcome = 'allowed')`), 0);

    for (const a of admins.slice(0, 2)) {
      const v = await a('GET', '/audit/verify');
      assert.equal(v.status, 200);
      assert.equal(v.body.ok, true, JSON.stringify(v.body));
      assert.equal(v.body.entries, await count('select count(*) as n from audit_log'));
    }
    assert.equal(await count('select max(seq) - count(*) as n from audit_log'), 0, 'audit seq has no gaps');
  });
});
