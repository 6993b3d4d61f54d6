import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestEnv, userWithKey, type TestEnv } from '../../test/helpers.js';

const B = '/api/v1';
let t: TestEnv;
let clock = Date.now();

before(async () => {
  t = await startTestEnv({ SECRET_MANAGER_SESSION_IDLE_MINUTES: '30', SECRET_MANAGER_SESSION_ABSOLUTE_HOURS: '2' }, { now: () => new Date(clock) });
});
after(() => t.close());

async function login(email = ADMIN_EMAIL, password = ADMIN_PASSWORD, ip = '10.0.0.1') {
  const r = await t.app.inject({ method: 'POST', url: `${B}/auth/login`, payload: { email, password }, remoteAddress: ip });
  const cookie = r.cookies.find((c) => c.name === 'coffer_session');
  return { r, cookie, csrf: r.statusCode === 200 ? (r.json().csrf_token as string) : '' };
}

const withCookie = (cookie: string, method: 'GET' | 'POST' | 'DELETE' | 'PUT', url: string, headers: Record<string, string> = {}, payload?: unknown) =>
  t.app.inject({ method, url, cookies: { coffer_session: cookie }, headers, ...(payload ? { payload: payload as object } : {}) });

describe('sign-in and sessions', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie and answers the user and a CSRF token', async () => {
    const { r, cookie, csrf } = await login();
    assert.equal(r.statusCode, 200);
    assert.ok(cookie, 'cookie');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.path, '/');
    assert.ok(!cookie.secure, 'not Secure over plain HTTP');
    assert.ok(csrf.length >= 32, 'csrf.length >= 32');
    const body = r.json();
    assert.equal(body.user.email, ADMIN_EMAIL);
    assert.deepEqual(body.user.roles, ['admin']);
    assert.ok(body.user.permissions.includes('secrets/manage'), "body.user.permissions.includes('secrets/manage')");
    const me = await withCookie(cookie.value, 'GET', `${B}/users/current`);
    assert.equal(me.json().email, ADMIN_EMAIL);
  });

  it('answers the same 401 for an unknown email and a wrong password', async () => {
    const a = (await login('nobody@example.com', 'whatever-password', '10.0.0.2')).r;
    const b = (await login(ADMIN_EMAIL, 'wrong-password-here', '10.0.0.2')).r;
    assert.equal(a.statusCode, 401);
    assert.equal(b.statusCode, 401);
    assert.deepEqual(a.json(), b.json());
    assert.equal(a.json().error.code, 'invalid_credentials');
  });

  it('refuses a state change made with the cookie but without the CSRF token', async () => {
    const { cookie, csrf } = await login();
    const body = { secret_id: 'csrf-test', secret_value: { a: 'b' } };
    const none = await withCookie(cookie!.value, 'POST', `${B}/secrets`, {}, body);
    assert.equal(none.statusCode, 403);
    assert.equal(none.json().error.code, 'csrf_failed');
    const wrong = await withCookie(cookie!.value, 'POST', `${B}/secrets`, { 'x-csrf-token': `${csrf.slice(0, -2)}xx` }, body);
    assert.equal(wrong.statusCode, 403);
    assert.equal((await t.admin('GET', `${B}/secrets/csrf-test`)).statusCode, 404, 'nothing was created');
    const right = await withCookie(cookie!.value, 'POST', `${B}/secrets`, { 'x-csrf-token': csrf }, body);
    assert.equal(right.statusCode, 201);
    // Reads need no token.
    assert.equal((await withCookie(cookie!.value, 'GET', `${B}/secrets/csrf-test`)).statusCode, 200);
  });

  it('ends a session after the idle time and after the absolute time', async () => {
    const idle = await login();
    clock += 31 * 60_000;
    assert.equal((await withCookie(idle.cookie!.value, 'GET', `${B}/users/current`)).statusCode, 401);

    const busy = await login();
    for (let i = 0; i < 4; i++) {
      clock += 25 * 60_000; // active every 25 minutes: never idle…
      assert.equal((await withCookie(busy.cookie!.value, 'GET', `${B}/users/current`)).statusCode, 200, `request ${i}`);
    }
    clock += 25 * 60_000; // …but 125 minutes after sign-in, past the 2-hour limit
    assert.equal((await withCookie(busy.cookie!.value, 'GET', `${B}/users/current`)).statusCode, 401);
  });

  it('sign-out ends the session at once', async () => {
    const { cookie, csrf } = await login();
    const out = await withCookie(cookie!.value, 'POST', `${B}/auth/logout`, { 'x-csrf-token': csrf });
    assert.equal(out.statusCode, 200);
    assert.ok(out.cookies.some((c) => c.name === 'coffer_session' && c.value === ''), "out.cookies.some((c) => c.name === 'coffer_session' && c.value === '')");
    assert.equal((await withCookie(cookie!.value, 'GET', `${B}/users/current`)).statusCode, 401);
  });

  it('limits failed sign-ins per account and per address with 429 and Retry-After', async () => {
    await userWithKey(t, 'victim@example.com', ['default']);
    for (let i = 0; i < 5; i++) assert.equal((await login('victim@example.com', 'guess-number-' + i, `10.1.0.${i}`)).r.statusCode, 401);
    const locked = (await login('victim@example.com', 'a-long-enough-password', '10.1.0.99')).r;
    assert.equal(locked.statusCode, 429);
    assert.ok(Number(locked.headers['retry-after']) > 0, "Number(locked.headers['retry-after']) > 0");
    assert.equal(locked.json().error.code, 'rate_limited');
    // Another account from the same addresses is not locked…
    assert.equal((await login()).r.statusCode, 200);
    // …but one address guessing many accounts is.
    for (let i = 0; i < 30; i++) await login(`spray${i}@example.com`, 'password-spray', '10.2.0.1');
    assert.equal((await login(ADMIN_EMAIL, ADMIN_PASSWORD, '10.2.0.1')).r.statusCode, 429);
    const audit = (await t.admin('GET', `${B}/audit?action=auth.login&actor=victim@example.com`)).json().items as { outcome: string; details: { reason: string } }[];
    assert.ok(audit.some((e) => e.details.reason === 'rate_limited'), "audit.some((e) => e.details.reason === 'rate_limited')");
  });
});

describe('API key expiry', () => {
  it('a key stops working when its expiry passes; a past expiry is refused at creation', async () => {
    const past = await t.admin('POST', `${B}/users/current/api-keys`, { name: 'old', expires_at: new Date(clock - 1000).toISOString() });
    assert.equal(past.statusCode, 400);
    const soon = await t.admin('POST', `${B}/users/current/api-keys`, { name: 'soon', expires_at: new Date(clock + 60_000).toISOString() });
    assert.equal(soon.statusCode, 201);
    const { key } = soon.json();
    assert.equal((await t.as(key)('GET', `${B}/users/current`)).statusCode, 200);
    clock += 61_000;
    assert.equal((await t.as(key)('GET', `${B}/users/current`)).statusCode, 401);
  });
});

describe('users and roles', () => {
  it('a role change holds on the very next request', async () => {
    const u = await userWithKey(t, 'promoted@example.com', ['viewer']);
    assert.equal((await t.as(u.key)('GET', `${B}/secrets/ids`)).statusCode, 403);
    assert.equal((await t.admin('PUT', `${B}/users/${u.id}/roles/user`)).statusCode, 200);
    assert.equal((await t.as(u.key)('GET', `${B}/secrets/ids`)).statusCode, 200);
    await t.admin('PUT', `${B}/users/${u.id}/roles/viewer`);
    assert.equal((await t.as(u.key)('GET', `${B}/secrets/ids`)).statusCode, 403);
    assert.deepEqual((await t.as(u.key)('GET', `${B}/users/current/roles`)).json(), ['viewer']);
  });

  it('a change made through another server on the same store holds here on the next request', async () => {
    const u = await userWithKey(t, 'two-servers@example.com', ['default']);
    const other = await startTestEnv({ SECRET_MANAGER_DATA_DIR: t.dir });
    try {
      assert.equal((await t.as(u.key)('GET', `${B}/secrets/ids`)).statusCode, 200, 'remembered here');
      await other.admin('PUT', `${B}/users/${u.id}/roles/viewer`);
      assert.equal((await t.as(u.key)('GET', `${B}/secrets/ids`)).statusCode, 403);
      const keyId = ((await other.as(u.key)('GET', `${B}/users/current/api-keys`)).json() as { id: string }[])[0]!.id;
      await other.as(u.key)('DELETE', `${B}/users/current/api-keys/${keyId}`);
      assert.equal((await t.as(u.key)('GET', `${B}/users/current`)).statusCode, 401);
    } finally {
      await other.app.close();
      await other.coffer.close();
    }
  });

  it('custom roles: create with permissions, grant, revoke, rename, delete; the seed flow', async () => {
    const perms = (await t.admin('GET', `${B}/permissions`)).json() as { id: string; name: string }[];
    assert.deepEqual(perms.map((p) => p.name).slice(0, 2), ['Read secrets', 'Manage secrets']);
    const created = await t.admin('POST', `${B}/roles`, { name: 'Secret Manager User', description: 'Can manage secrets', permissions: ['secrets/manage', 'secrets/read'] });
    assert.equal(created.statusCode, 201);
    const { id } = created.json();
    assert.equal((await t.admin('POST', `${B}/roles`, { name: 'Secret Manager User', permissions: [] })).statusCode, 409);
    const u = await userWithKey(t, 'smu@example.com', ['Secret Manager User']);
    assert.equal((await t.as(u.key)('POST', `${B}/secrets`, { secret_id: 'by-smu', secret_value: { a: 'b' } })).statusCode, 201);

    await t.admin('DELETE', `${B}/roles/${id}/permissions/secrets%2Fmanage`);
    assert.equal((await t.as(u.key)('POST', `${B}/secrets`, { secret_id: 'by-smu-2', secret_value: { a: 'b' } })).statusCode, 403);
    const granted = await t.admin('PUT', `${B}/roles/${id}/permissions/secrets%2Fmanage`);
    assert.deepEqual(granted.json().permissions, ['secrets/manage', 'secrets/read']);
    const renamed = await t.admin('PUT', `${B}/roles/${id}`, { name: 'Secret Keepers', permissions: ['secrets/read'] });
    assert.equal(renamed.json().name, 'Secret Keepers');
    assert.deepEqual((await t.as(u.key)('GET', `${B}/users/current/roles`)).json(), ['Secret Keepers']);
    assert.equal((await t.admin('DELETE', `${B}/roles/${id}`)).statusCode, 200);
    assert.equal((await t.as(u.key)('GET', `${B}/secrets/ids`)).statusCode, 403, 'deleting the role takes its permissions away');
  });

  it('refuses unknown permissions and roles with a 400 naming them', async () => {
    const r = await t.admin('POST', `${B}/roles`, { name: 'bad', permissions: ['secrets/read', 'secrets/everything'] });
    assert.equal(r.statusCode, 400);
    assert.match(r.json().error.message, /secrets\/everything/);
    const u = await userWithKey(t, 'roleless@example.com', []);
    const bad = await t.admin('PUT', `${B}/users/${u.id}/roles/default,superuser`);
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.message, /superuser/);
    assert.equal((await t.admin('PUT', `${B}/roles/nope/permissions/root`)).statusCode, 400);
    assert.equal((await t.admin('POST', `${B}/roles`, { name: 'a,b', permissions: [] })).statusCode, 400);
    assert.equal((await t.admin('POST', `${B}/users`, { email: 'not-an-email', password: 'short' })).statusCode, 400);
  });

  it('built-in roles cannot be changed or deleted', async () => {
    const roles = (await t.admin('GET', `${B}/roles`)).json() as { id: string; name: string; builtin: boolean; permissions: string[] }[];
    const builtin = roles.filter((r) => r.builtin).map((r) => [r.name, r.permissions]);
    assert.deepEqual(builtin, [
      ['admin', ['audit/read', 'connectors/manage', 'connectors/use', 'roles/manage', 'secrets/manage', 'secrets/read']],
      ['default', ['connectors/manage', 'connectors/use', 'secrets/read']],
      ['user', ['secrets/read']],
      ['viewer', []],
    ]);
    const viewer = roles.find((r) => r.name === 'viewer')!;
    for (const [m, u] of [['DELETE', `${B}/roles/${viewer.id}`], ['PUT', `${B}/roles/${viewer.id}/permissions/secrets%2Fread`], ['DELETE', `${B}/roles/admin`]] as const) {
      const r = await t.admin(m, u);
      assert.equal(r.statusCode, 409, `${m} ${u}`);
      assert.equal(r.json().error.code, 'role_builtin');
    }
  });

  it('the last active administrator cannot be removed, disabled or demoted', async () => {
    const users = (await t.admin('GET', `${B}/users`)).json() as { id: string; email: string; roles: string[] }[];
    const admins = users.filter((u) => u.roles.includes('admin'));
    assert.equal(admins.length, 1);
    const id = admins[0]!.id;
    for (const [m, u, body] of [['DELETE', `${B}/users/${id}`, undefined], ['PATCH', `${B}/users/${id}`, { disabled: true }], ['PUT', `${B}/users/${id}/roles/default`, undefined]] as const) {
      const r = await t.admin(m, u, body);
      assert.equal(r.statusCode, 409, `${m} ${u}`);
      assert.equal(r.json().error.code, 'last_admin');
    }
    // With a second administrator, the first can step down.
    const second = await userWithKey(t, 'second-admin@example.com', ['admin']);
    assert.equal((await t.as(second.key)('PUT', `${B}/users/${id}/roles/admin,default`)).statusCode, 200);
  });

  it('a disabled user is locked out at once, everywhere, and can be enabled again', async () => {
    const u = await userWithKey(t, 'leaver@example.com', ['default']);
    const s = await login('leaver@example.com', 'a-long-enough-password', '10.3.0.1');
    assert.equal((await t.admin('PATCH', `${B}/users/${u.id}`, { disabled: true })).json().disabled, true);
    assert.equal((await t.as(u.key)('GET', `${B}/users/current`)).statusCode, 401);
    assert.equal((await withCookie(s.cookie!.value, 'GET', `${B}/users/current`)).statusCode, 401);
    assert.equal((await login('leaver@example.com', 'a-long-enough-password', '10.3.0.2')).r.statusCode, 401);
    await t.admin('PATCH', `${B}/users/${u.id}`, { disabled: false });
    assert.equal((await t.as(u.key)('GET', `${B}/users/current`)).statusCode, 200);
  });

  it('deleting a user revokes their keys; their secrets stay', async () => {
    const u = await userWithKey(t, 'deleted@example.com', ['admin']);
    await t.as(u.key)('POST', `${B}/secrets`, { secret_id: 'orphan', secret_value: { a: 'b' } });
    assert.equal((await t.admin('DELETE', `${B}/users/${u.id}`)).statusCode, 200);
    assert.equal((await t.as(u.key)('GET', `${B}/users/current`)).statusCode, 401);
    assert.equal((await t.admin('GET', `${B}/secrets/orphan`)).statusCode, 200);
    assert.equal((await t.admin('DELETE', `${B}/users/${u.id}`)).statusCode, 404);
    assert.equal((await t.admin('POST', `${B}/users`, { email: 'DELETED@example.com', password: 'a-long-enough-password' })).statusCode, 201, 'the email is free again');
    assert.equal((await t.admin('POST', `${B}/users`, { email: 'deleted@EXAMPLE.com', password: 'a-long-enough-password' })).statusCode, 409);
  });
});
