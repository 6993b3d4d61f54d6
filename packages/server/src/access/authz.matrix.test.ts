// The authorization matrix: every route × every kind of caller × whose secret it is, generated
// from one table. A route that the server has but the table lacks fails the test, so a new
// endpoint cannot ship without saying who may call it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemActor } from './actor.js';
import { PERMISSION_IDS, type Permission } from './permissions.js';
import { startFakeS3, type FakeS3 } from '../../test/fakes/s3.js';
import { startTestEnv, userWithKey, type TestEnv } from '../../test/helpers.js';

type Kind = 'own' | 'other' | 'system';
interface Fixture {
  secret: string;
  connector: string;
  role: string;
  user: string;
  key: string;
}
interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** public: no credentials; auth: any signed-in caller; else the permission needed. */
  needs: 'public' | 'auth' | Permission;
  ok: number;
  /** The route acts on one secret: the scope rule applies (another's USER_SECRET is a 404). */
  secret?: 'live' | 'trash';
  adminOnly?: boolean;
  url: (f: Fixture) => string;
  body?: (f: Fixture) => unknown;
}

const B = '/api/v1';
// Points at a loopback S3 (set in before()), so connector checks and reads really run.
const S3: Record<string, string> = { access_key_id: 'AKIAMATRIX', secret_access_key: 'matrix-secret', region: 'us-east-1' };
const r = (method: Route['method'], path: string, needs: Route['needs'], ok: number, url: Route['url'], extra: Partial<Route> = {}): Route => ({ method, path, needs, ok, url, ...extra });

const ROUTES: Route[] = [
  r('GET', '/healthz', 'public', 200, () => '/healthz'),
  r('GET', '/readyz', 'public', 200, () => '/readyz'),
  r('GET', `${B}/openapi.json`, 'public', 200, () => `${B}/openapi.json`),
  r('GET', `${B}/info`, 'public', 200, () => `${B}/info`),
  r('GET', `${B}/auth/session`, 'public', 200, () => `${B}/auth/session`),
  r('POST', `${B}/auth/login`, 'public', 401, () => `${B}/auth/login`, { body: (f) => ({ email: `${f.role}@nowhere.example.com`, password: 'wrong-password' }) }),
  r('POST', `${B}/auth/logout`, 'auth', 200, () => `${B}/auth/logout`),
  r('GET', `${B}/users/current`, 'auth', 200, () => `${B}/users/current`),
  r('GET', `${B}/users/current/permissions`, 'auth', 200, () => `${B}/users/current/permissions`),
  r('GET', `${B}/users/current/roles`, 'auth', 200, () => `${B}/users/current/roles`),
  r('POST', `${B}/users/current/api-keys`, 'auth', 201, () => `${B}/users/current/api-keys`, { body: () => ({ name: 'matrix' }) }),
  r('GET', `${B}/users/current/api-keys`, 'auth', 200, () => `${B}/users/current/api-keys`),
  r('DELETE', `${B}/users/current/api-keys/:id`, 'auth', 200, (f) => `${B}/users/current/api-keys/${f.key}`),
  r('GET', `${B}/connector-types`, 'auth', 200, () => `${B}/connector-types`),

  r('GET', `${B}/secrets/ids`, 'secrets/read', 200, () => `${B}/secrets/ids`),
  r('GET', `${B}/secrets`, 'secrets/read', 200, () => `${B}/secrets`),
  r('GET', `${B}/secrets/trash`, 'secrets/read', 200, () => `${B}/secrets/trash`),
  r('GET', `${B}/secrets/:id`, 'secrets/read', 200, (f) => `${B}/secrets/${f.secret}`, { secret: 'live' }),
  r('GET', `${B}/secrets/:id/value`, 'secrets/read', 200, (f) => `${B}/secrets/${f.secret}/value`, { secret: 'live' }),
  r('GET', `${B}/secrets/:id/versions`, 'secrets/read', 200, (f) => `${B}/secrets/${f.secret}/versions`, { secret: 'live' }),
  r('POST', `${B}/secrets`, 'secrets/manage', 201, () => `${B}/secrets`, { body: (f) => ({ secret_id: `${f.secret}-new`, secret_type: 's3', secret_value: S3 }) }),
  r('PUT', `${B}/secrets/:id`, 'secrets/manage', 200, (f) => `${B}/secrets/${f.secret}`, { secret: 'live', body: () => ({ secret_value: S3 }) }),
  r('PATCH', `${B}/secrets/:id`, 'secrets/manage', 200, (f) => `${B}/secrets/${f.secret}`, { secret: 'live', body: () => ({ description: 'changed' }) }),
  r('DELETE', `${B}/secrets/:id`, 'secrets/manage', 200, (f) => `${B}/secrets/${f.secret}`, { secret: 'live' }),
  r('DELETE', `${B}/secrets/:id`, 'secrets/manage', 200, (f) => `${B}/secrets/${f.secret}?purge=true`, { secret: 'live', adminOnly: true }),
  r('POST', `${B}/secrets/:id/restore`, 'secrets/manage', 200, (f) => `${B}/secrets/${f.secret}/restore`, { secret: 'trash' }),

  r('POST', `${B}/secrets/:id/check`, 'secrets/read', 200, (f) => `${B}/secrets/${f.secret}/check`, { secret: 'live' }),

  r('GET', `${B}/connectors`, 'connectors/use', 200, () => `${B}/connectors`),
  r('GET', `${B}/connectors/:id`, 'connectors/use', 200, (f) => `${B}/connectors/${f.connector}`),
  r('POST', `${B}/connectors/:id/check`, 'connectors/use', 200, (f) => `${B}/connectors/${f.connector}/check`),
  r('GET', `${B}/connectors/:id/objects`, 'connectors/use', 200, (f) => `${B}/connectors/${f.connector}/objects`),
  r('GET', `${B}/connectors/:id/objects/:key`, 'connectors/use', 200, (f) => `${B}/connectors/${f.connector}/objects/doc.txt`),
  // Binding needs sight of the secret as well: only the admin role has both here.
  r('POST', `${B}/connectors`, 'connectors/manage', 201, () => `${B}/connectors`, { secret: 'live', body: (f) => ({ name: 'new', type: 's3', secret_id: f.secret, target: { bucket: 'matrix' } }) }),
  r('PATCH', `${B}/connectors/:id`, 'connectors/manage', 200, (f) => `${B}/connectors/${f.connector}`, { body: () => ({ name: 'renamed' }) }),
  r('DELETE', `${B}/connectors/:id`, 'connectors/manage', 200, (f) => `${B}/connectors/${f.connector}`),

  r('GET', `${B}/permissions`, 'roles/manage', 200, () => `${B}/permissions`),
  r('GET', `${B}/roles`, 'roles/manage', 200, () => `${B}/roles`),
  r('POST', `${B}/roles`, 'roles/manage', 201, () => `${B}/roles`, { body: (f) => ({ name: `${f.role}-new`, permissions: ['secrets/read'] }) }),
  r('GET', `${B}/roles/:id`, 'roles/manage', 200, (f) => `${B}/roles/${f.role}`),
  r('PUT', `${B}/roles/:id`, 'roles/manage', 200, (f) => `${B}/roles/${f.role}`, { body: () => ({ description: 'changed' }) }),
  r('DELETE', `${B}/roles/:id`, 'roles/manage', 200, (f) => `${B}/roles/${f.role}`),
  r('PUT', `${B}/roles/:id/permissions/:permission`, 'roles/manage', 200, (f) => `${B}/roles/${f.role}/permissions/audit%2Fread`),
  r('DELETE', `${B}/roles/:id/permissions/:permission`, 'roles/manage', 200, (f) => `${B}/roles/${f.role}/permissions/secrets%2Fread`),
  r('GET', `${B}/users`, 'roles/manage', 200, () => `${B}/users`),
  r('POST', `${B}/users`, 'roles/manage', 201, () => `${B}/users`, { body: (f) => ({ email: `${f.role}@new.example.com`, password: 'a-long-enough-password' }) }),
  r('PATCH', `${B}/users/:id`, 'roles/manage', 200, (f) => `${B}/users/${f.user}`, { body: () => ({ disabled: true }) }),
  r('DELETE', `${B}/users/:id`, 'roles/manage', 200, (f) => `${B}/users/${f.user}`),
  r('PUT', `${B}/users/:id/roles/:roles`, 'roles/manage', 200, (f) => `${B}/users/${f.user}/roles/default,viewer`),

  r('GET', `${B}/audit`, 'audit/read', 200, () => `${B}/audit`),
  r('GET', `${B}/audit/verify`, 'audit/read', 200, () => `${B}/audit/verify`),
];

/** Routes served for people, not programs, with no data: the API docs and the web UI's files. */
const UNLISTED = /^GET (\/api\/v1\/docs|\/$|\/sign-in$|\/dashboard|\/index\.html$|\/assets\/)/;

interface Principal {
  name: string;
  key?: string;
  userId?: string;
  permissions: Set<string>;
  isAdmin: boolean;
  /** Credentials are sent but must not work. */
  broken?: boolean;
}

let t: TestEnv;
let s3: FakeS3;
const principals: Principal[] = [];
const system = systemActor('matrix', PERMISSION_IDS);
let otherUserId = '';
let n = 0;

async function principal(name: string, roles: string[], permissions: Permission[], extra: Partial<Principal> = {}): Promise<Principal> {
  const u = await userWithKey(t, `${name}@matrix.example.com`, roles);
  return { name, key: u.key, userId: u.id, permissions: new Set(permissions), isAdmin: roles.includes('admin'), ...extra };
}

before(async () => {
  t = await startTestEnv();
  s3 = await startFakeS3({ keys: [{ accessKeyId: S3.access_key_id!, secretAccessKey: S3.secret_access_key!, buckets: ['matrix'] }], buckets: { matrix: { 'doc.txt': 'matrix document' } } });
  S3.endpoint_url = s3.url;
  await t.admin('POST', `${B}/roles`, { name: 'Secret Manager User', description: 'the seed example', permissions: ['secrets/read', 'secrets/manage'] });
  await t.admin('POST', `${B}/roles`, { name: 'auditor', permissions: ['audit/read'] });
  principals.push(
    await principal('admin2', ['admin'], [...PERMISSION_IDS]),
    await principal('default', ['default'], ['secrets/read', 'connectors/use', 'connectors/manage']),
    await principal('user', ['user'], ['secrets/read']),
    await principal('viewer', ['viewer'], []),
    await principal('custom', ['Secret Manager User'], ['secrets/read', 'secrets/manage']),
    await principal('auditor', ['auditor'], ['audit/read']),
    { name: 'anonymous', permissions: new Set(), isAdmin: false, broken: true },
  );
  const revoked = await principal('revoked', ['admin'], [], { broken: true });
  const keys = (await t.as(revoked.key)('GET', `${B}/users/current/api-keys`)).json() as { id: string }[];
  await t.as(revoked.key)('DELETE', `${B}/users/current/api-keys/${keys[0]!.id}`);
  const disabled = await principal('disabled', ['admin'], [], { broken: true });
  await t.admin('PATCH', `${B}/users/${disabled.userId}`, { disabled: true });
  principals.push(revoked, disabled);
  otherUserId = (await userWithKey(t, 'other@matrix.example.com', ['default'])).id;
});
after(async () => {
  await t.close();
  await s3.close();
});

async function fixture(p: Principal, route: Route, kind: Kind): Promise<Fixture> {
  const id = `m${++n}`;
  await t.coffer.secrets.create(system, { secret_id: id, secret_type: 's3', secret_value: S3, scope: kind === 'system' ? 'SYSTEM_SECRET' : 'USER_SECRET' });
  const owner = kind === 'own' && p.userId ? p.userId : otherUserId;
  await t.coffer.database.db.updateTable('secrets').set({ owner_id: owner }).where('id', '=', id).execute();
  if (route.secret === 'trash') await t.coffer.secrets.remove(system, id, {});
  // Connector routes act on a connector of the admin's, bound to the fixture secret.
  let connector = 'none';
  if (route.path.includes('/connectors/:id') && route.secret !== 'trash') {
    connector = (await t.coffer.connectors.create(system, { id: `conn-${id}`, name: `conn ${id}`, type: 's3', secret_id: id, target: { bucket: 'matrix' } })).id;
  }
  if (route.path.includes('/roles/:id')) await t.coffer.roles.createRole(system, { name: `role${n}`, permissions: ['secrets/read'] });
  // Only routes about a user get a fresh target: each costs an argon2 hash.
  const user = route.path.includes('/users/:id') ? (await t.coffer.roles.createUser(system, { email: `target${n}@matrix.example.com`, password: 'a-long-enough-password' })).id : '00000000-0000-4000-8000-000000000000';
  let key = '0000000000000000';
  if (p.key && !p.broken && route.path.includes('api-keys/:id')) {
    const actor = (await t.coffer.identity.fromApiKey(p.key, { ip: '127.0.0.1', userAgent: 'matrix', requestId: 'setup' }))!;
    key = (await t.coffer.identity.createApiKey(actor, { name: 'to-revoke' })).id;
  }
  return { secret: id, connector, role: `role${n}`, user, key };
}

function expected(route: Route, p: Principal, kind: Kind): number {
  if (route.needs === 'public') return route.ok;
  if (p.broken) return 401;
  if (route.needs !== 'auth' && !p.permissions.has(route.needs)) return 403;
  if (route.adminOnly && !p.isAdmin) return 403;
  if (route.secret && kind === 'other' && !p.isAdmin) return 404;
  return route.ok;
}

describe('authorization matrix', () => {
  it('lists every route the server serves', () => {
    const table = new Set(ROUTES.map((x) => `${x.method} ${x.path}`));
    const missing = t.app.registeredRoutes.filter((x) => !table.has(x) && !UNLISTED.test(x));
    assert.deepEqual(missing, [], 'add these routes to ROUTES with the permission they need');
  });

  it('answers every route × caller × secret as the table says', async () => {
    const wrong: string[] = [];
    let cases = 0;
    for (const route of ROUTES) {
      for (const p of principals) {
        for (const kind of route.secret ? (['own', 'other', 'system'] as Kind[]) : (['own'] as Kind[])) {
          const f = await fixture(p, route, kind);
          const res = await t.as(p.key)(route.method, route.url(f), route.body?.(f));
          const want = expected(route, p, kind);
          cases++;
          if (res.statusCode !== want) wrong.push(`${p.name} ${route.method} ${route.url(f)} (${kind}): ${res.statusCode}, expected ${want} ${res.body.slice(0, 160)}`);
          if (res.statusCode === 200 && route.path.endsWith('/value')) assert.equal(res.json().secret_access_key, S3.secret_access_key);
        }
      }
    }
    assert.deepEqual(wrong, []);
    assert.ok(cases > 400, `only ${cases} cases`);
  });

  it('lists only the secrets each caller may see', async () => {
    for (const p of principals.filter((x) => !x.broken && x.permissions.has('secrets/read'))) {
      const own = await fixture(p, ROUTES[0]!, 'own');
      const other = await fixture(p, ROUTES[0]!, 'other');
      const sys = await fixture(p, ROUTES[0]!, 'system');
      const ids = (await t.as(p.key)('GET', `${B}/secrets/ids`)).json() as string[];
      // Every page: the matrix above leaves more secrets than one page holds.
      const listed: string[] = [];
      for (let cursor = ''; ;) {
        const page = (await t.as(p.key)('GET', `${B}/secrets?limit=500${cursor}`)).json() as { items: { id: string }[]; next_cursor: string | null };
        listed.push(...page.items.map((s) => s.id));
        if (!page.next_cursor) break;
        cursor = `&cursor=${page.next_cursor}`;
      }
      for (const seen of [ids, listed]) {
        assert.ok(seen.includes(own.secret), `${p.name} misses its own secret`);
        assert.ok(seen.includes(sys.secret), `${p.name} misses a system secret`);
        assert.equal(seen.includes(other.secret), p.isAdmin, `${p.name} and another's USER_SECRET`);
      }
    }
  });

  it('every refusal is in the audit log', async () => {
    const viewer = principals.find((p) => p.name === 'viewer')!;
    await t.as(viewer.key)('GET', `${B}/secrets/ids`);
    const entries = (await t.admin('GET', `${B}/audit?actor=viewer@matrix.example.com&action=secret.list`)).json().items as { outcome: string; details: { missing: string } }[];
    assert.ok(entries.length > 0, 'entries.length > 0');
    assert.ok(entries.every((e) => e.outcome === 'denied' && e.details.missing === 'secrets/read'), "entries.every((e) => e.outcome === 'denied' && e.details.missing === 'secrets/read')");
    await t.as('coffer_0123456789abcdef_notarealkeynotarealkeynotarealkey')('GET', `${B}/secrets/ids`);
    const anon = (await t.admin('GET', `${B}/audit?actor=anonymous&action=auth.request`)).json().items as { outcome: string; details: { reason: string } }[];
    assert.ok(anon.some((e) => e.outcome === 'denied' && e.details.reason === 'bad_api_key'), "anon.some((e) => e.outcome === 'denied' && e.details.reason === 'bad_api_key')");
  });
});
