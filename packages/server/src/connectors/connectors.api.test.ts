// Connectors through the real API on a real store, against a loopback S3 that verifies SigV4:
// CRUD and validation, who may bind which secret, the usage registry, reading documents with a
// secret the caller cannot see, audit of every use, and no credential in any answer or log.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startFakeS3, type FakeS3 } from '../../test/fakes/s3.js';
import { failAuditWrites, startTestEnv, userWithKey, type TestEnv } from '../../test/helpers.js';

const B = '/api/v1';
const SECRET_KEY = 'conn/Test+Secret+Key+0123456789abcdefghij';
const FILES = { 'reports/q1.txt': 'first quarter', 'reports/2026/q2.txt': 'second quarter', 'reports/ünïcode name.txt': 'u', 'private.txt': 'outside the prefix' };

let t: TestEnv;
let s3: FakeS3;
let s3Value: Record<string, string>;

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const auditOf = async (action: string) =>
  ((await t.admin('GET', `${B}/audit?action=${action}&limit=500`)).json().items as { actor: string; target: string; outcome: string; details: Record<string, unknown> }[]);

before(async () => {
  t = await startTestEnv();
  s3 = await startFakeS3({
    keys: [
      { accessKeyId: 'AKIACONNECTOR', secretAccessKey: SECRET_KEY, buckets: ['finance'] },
      { accessKeyId: 'AKIAOTHER', secretAccessKey: 'other-secret-key', buckets: [] },
    ],
    buckets: { finance: FILES, 'hr-docs': {} },
  });
  s3Value = { access_key_id: 'AKIACONNECTOR', secret_access_key: SECRET_KEY, region: 'eu-west-1', endpoint_url: s3.url };
  assert.equal((await t.admin('POST', `${B}/secrets`, { secret_id: 'finance-s3', secret_type: 's3', scope: 'SYSTEM_SECRET', secret_value: s3Value })).statusCode, 201);
  assert.equal((await t.admin('POST', `${B}/roles`, { name: 'Connector User', permissions: ['connectors/use'] })).statusCode, 201);
  assert.equal((await t.admin('POST', `${B}/roles`, { name: 'Connector Manager', permissions: ['connectors/manage', 'connectors/use', 'secrets/read'] })).statusCode, 201);
  assert.equal((await t.admin('POST', `${B}/roles`, { name: 'Binder Without Read', permissions: ['connectors/manage'] })).statusCode, 201);
});
after(async () => {
  await t.close();
  await s3.close();
});

describe('connector records', () => {
  it('creates, reads, lists, renames, re-binds and deletes a connector, each change audited', async () => {
    const created = await t.admin('POST', `${B}/connectors`, { id: 'crud', name: 'Finance reports', type: 's3', secret_id: 'finance-s3', target: { bucket: 'finance', prefix: 'reports/' } });
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual({ ...(created.json() as object), created_at: undefined, updated_at: undefined }, {
      id: 'crud', name: 'Finance reports', type: 's3', secret_id: 'finance-s3', target: { bucket: 'finance', prefix: 'reports/' }, created_by: 'admin@example.com', created_at: undefined, updated_at: undefined,
    });
    assert.equal((await t.admin('GET', `${B}/connectors/crud`)).json().name, 'Finance reports');
    assert.ok(((await t.admin('GET', `${B}/connectors?secret_id=finance-s3`)).json().items as { id: string }[]).some((c) => c.id === 'crud'), "((await t.admin('GET', `${B}/connectors?secret_id=finance-s3`)).json().items as { id: string }[]).some((c) ...");
    assert.deepEqual((await t.admin('GET', `${B}/connectors?type=gcs`)).json().items, []);

    assert.equal((await t.admin('PATCH', `${B}/connectors/crud`, { name: 'Reports' })).json().name, 'Reports');
    await t.admin('POST', `${B}/secrets`, { secret_id: 'finance-s3-b', secret_type: 's3', secret_value: s3Value });
    const rebound = await t.admin('PATCH', `${B}/connectors/crud`, { secret_id: 'finance-s3-b', target: { bucket: 'finance' } });
    assert.deepEqual([rebound.json().secret_id, rebound.json().target], ['finance-s3-b', { bucket: 'finance' }]);
    assert.equal((await t.admin('POST', `${B}/connectors`, { id: 'crud', name: 'again', type: 's3', secret_id: 'finance-s3', target: { bucket: 'finance' } })).json().error.code, 'connector_exists');

    assert.equal((await t.admin('DELETE', `${B}/connectors/crud`)).statusCode, 200);
    const gone = await t.admin('GET', `${B}/connectors/crud`);
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().error.code, 'connector_not_found');
    assert.equal((await t.admin('DELETE', `${B}/connectors/crud`)).statusCode, 404);
    for (const action of ['connector.create', 'connector.update', 'connector.delete']) {
      assert.ok((await auditOf(action)).some((e) => e.target === 'connector:crud' && e.outcome === 'allowed'), action);
    }
  });

  it('generates an id when none is given and pages the list with a cursor', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await t.admin('POST', `${B}/connectors`, { name: `page ${i}`, type: 's3', secret_id: 'finance-s3', target: { bucket: 'finance' } })).statusCode, 201);
    const first = (await t.admin('GET', `${B}/connectors?limit=2`)).json();
    assert.equal(first.items.length, 2);
    assert.match(first.items[0].id, /^c-[0-9a-f]{12}$/);
    const second = (await t.admin('GET', `${B}/connectors?limit=500&cursor=${first.next_cursor}`)).json();
    assert.ok(second.items.length >= 1, 'second.items.length >= 1');
    assert.ok(second.items.every((c: { id: string }) => c.id > first.items[1].id), 'second.items.every((c: { id: string }) => c.id > first.items[1].id)');
  });

  it('refuses bad input with a 400 naming every field', async () => {
    const cases: [unknown, string[]][] = [
      [{ name: 'x', type: 's3', secret_id: 'finance-s3', target: {} }, ['body.target.bucket']],
      [{ name: 'x', type: 's3', secret_id: 'finance-s3', target: { bucket: 'Not A Bucket', prefix: '/abs', region: 'x' } }, ['body.target.bucket', 'body.target.prefix', 'body.target.region']],
      [{ name: 'x', type: 'gcs', secret_id: 'finance-s3', target: { bucket: 'finance' } }, ['body.type']],
      [{ name: 'x', type: 'generic', secret_id: 'finance-s3', target: {} }, ['body.type']],
      [{ name: '', type: 's3', secret_id: 'finance-s3', target: { bucket: 'finance' } }, ['body.name']],
      [{ name: 'x', type: 's3', secret_id: 'finance-s3', target: { bucket: 'finance', prefix: 'a/../../b' } }, ['body.target.prefix']],
      [{ name: 'x', type: 's3', secret_id: 'finance-s3', target: { bucket: 'finance' }, extra: 1 }, ['body.extra']],
      [{ id: 'bad id!', name: 'x', type: 's3', secret_id: 'finance-s3', target: { bucket: 'finance' } }, ['body.id']],
    ];
    for (const [body, fields] of cases) {
      const r = await t.admin('POST', `${B}/connectors`, body);
      assert.equal(r.statusCode, 400, JSON.stringify(body));
      assert.deepEqual((r.json().error.details.fields as { field: string }[]).map((f) => f.field).sort(), [...fields].sort(), JSON.stringify(body));
    }
    await t.admin('POST', `${B}/secrets`, { secret_id: 'conf-no-base', secret_type: 'confluence', secret_value: { username: 'u', password: 'p' } });
    const conf = await t.admin('POST', `${B}/connectors`, { name: 'wiki', type: 'confluence', secret_id: 'conf-no-base', target: { space: 'ENG' } });
    assert.equal(conf.json().error.details.fields[0].field, 'body.target.base_url');
    // An endpoint must not smuggle a credential into the (clear-text) connector record.
    await t.admin('POST', `${B}/secrets`, { secret_id: 'az-key', secret_type: 'azure_key', secret_value: { account_name: 'acct', account_key: 'a2V5' } });
    const smuggled = await t.admin('POST', `${B}/connectors`, { name: 'az', type: 'azure_key', secret_id: 'az-key', target: { container: 'docs', endpoint_url: 'https://acct.blob.core.windows.net/?sv=2024&sig=abc' } });
    assert.equal(smuggled.json().error.details.fields[0].field, 'body.target.endpoint_url');
  });
});

describe('who may bind and use', () => {
  it('binding needs connectors/manage and sight of the secret; connectors/manage alone cannot take a USER_SECRET', async () => {
    const manager = await userWithKey(t, 'manager@example.com', ['Connector Manager']);
    const blind = await userWithKey(t, 'blind@example.com', ['Binder Without Read']);
    await t.admin('POST', `${B}/secrets`, { secret_id: 'admins-own', secret_type: 's3', secret_value: s3Value });
    const body = (secret: string) => ({ name: 'n', type: 's3', secret_id: secret, target: { bucket: 'finance' } });
    const hidden = await t.as(manager.key)('POST', `${B}/connectors`, body('admins-own'));
    assert.equal(hidden.statusCode, 404, "another's USER_SECRET is invisible, as if missing");
    assert.equal(hidden.json().error.code, 'secret_not_found');
    assert.equal((await t.as(manager.key)('POST', `${B}/connectors`, { ...body('finance-s3'), id: 'by-manager' })).statusCode, 201, 'a SYSTEM_SECRET can be bound');
    const noRead = await t.as(blind.key)('POST', `${B}/connectors`, body('finance-s3'));
    assert.equal(noRead.statusCode, 403);
    assert.equal(noRead.json().error.details.permission, 'secrets/read');

    // Re-pointing someone's connector needs sight of its secret too.
    await t.admin('POST', `${B}/connectors`, { id: 'on-admins-own', name: 'n', type: 's3', secret_id: 'admins-own', target: { bucket: 'finance' } });
    assert.equal((await t.as(manager.key)('PATCH', `${B}/connectors/on-admins-own`, { target: { bucket: 'hr-docs' } })).statusCode, 404);
    assert.equal((await t.admin('GET', `${B}/connectors/on-admins-own`)).json().target.bucket, 'finance');
    const user = await userWithKey(t, 'plain-user@example.com', ['Connector User']);
    assert.equal((await t.as(user.key)('DELETE', `${B}/connectors/on-admins-own`)).statusCode, 403);
    assert.equal((await t.as(user.key)('POST', `${B}/connectors`, body('finance-s3'))).statusCode, 403);
  });

  it('a connectors/use holder without secrets/read lists and reads documents, and never sees the secret', async () => {
    await t.admin('POST', `${B}/secrets`, { secret_id: 'admin-only-s3', secret_type: 's3', secret_value: s3Value });
    await t.admin('POST', `${B}/connectors`, { id: 'reports', name: 'Finance reports', type: 's3', secret_id: 'admin-only-s3', target: { bucket: 'finance', prefix: 'reports/' } });
    const u = await userWithKey(t, 'reader@example.com', ['Connector User']);
    const as = t.as(u.key);
    const seen: string[] = [];
    const call = async (m: 'GET' | 'POST', url: string) => {
      const r = await as(m, url);
      seen.push(r.body);
      return r;
    };

    assert.equal((await call('GET', `${B}/secrets/admin-only-s3/value`)).statusCode, 403);
    assert.equal((await call('GET', `${B}/secrets/admin-only-s3`)).statusCode, 403);
    assert.equal((await call('POST', `${B}/secrets/admin-only-s3/check`)).statusCode, 403);

    const list = await call('GET', `${B}/connectors/reports/objects`);
    assert.equal(list.statusCode, 200, list.body);
    assert.deepEqual((list.json().items as { key: string }[]).map((i) => i.key), ['2026/q2.txt', 'q1.txt', 'ünïcode name.txt']);
    const sub = await call('GET', `${B}/connectors/reports/objects?prefix=2026/`);
    assert.deepEqual((sub.json().items as { key: string }[]).map((i) => i.key), ['2026/q2.txt']);
    const paged = (await call('GET', `${B}/connectors/reports/objects?limit=2`)).json();
    assert.equal(paged.items.length, 2);
    assert.deepEqual((await call('GET', `${B}/connectors/reports/objects?limit=2&cursor=${paged.next_cursor}`)).json().items.map((i: { key: string }) => i.key), ['ünïcode name.txt']);

    const doc = await call('GET', `${B}/connectors/reports/objects/${encodeURIComponent('2026/q2.txt')}`);
    assert.equal(doc.statusCode, 200);
    assert.equal(doc.body, 'second quarter');
    assert.match(String(doc.headers['content-disposition']), /^attachment; filename="q2.txt"/);
    assert.equal(doc.headers['x-content-type-options'], 'nosniff');
    assert.match(String(doc.headers['content-security-policy']), /sandbox/);
    assert.equal((await call('GET', `${B}/connectors/reports/objects/${encodeURIComponent('ünïcode name.txt')}`)).body, 'u');

    // The prefix confines the connector: keys are relative to it and cannot climb out.
    const outside = await call('GET', `${B}/connectors/reports/objects/private.txt`);
    assert.equal(outside.statusCode, 404);
    assert.equal(outside.json().error.code, 'object_not_found');
    assert.equal((await call('GET', `${B}/connectors/reports/objects/${encodeURIComponent('../private.txt')}`)).statusCode, 400);
    assert.equal((await call('GET', `${B}/connectors/reports/objects?prefix=../`)).statusCode, 400);

    const check = (await call('POST', `${B}/connectors/reports/check`)).json();
    assert.equal(check.ok, true);
    assert.equal(check.reason, 'ok');

    for (const body of [...seen, t.logs()]) {
      assert.ok(!body.includes(SECRET_KEY), 'the secret access key never reaches the caller or the log');
    }
    const uses = (await t.admin('GET', `${B}/audit?actor=reader@example.com&limit=100`)).json().items as { action: string; outcome: string; details: Record<string, unknown> }[];
    const actions = uses.map((e) => `${e.action}:${e.outcome}`);
    for (const a of ['connector.list_objects:allowed', 'connector.read_object:allowed', 'connector.check:allowed', 'connector.read_object:failed', 'secret.read_value:denied']) assert.ok(actions.includes(a), a);
    assert.ok(uses.some((e) => e.action === 'connector.read_object' && e.details.key === '2026/q2.txt' && e.details.secret_id === 'admin-only-s3'), "uses.some((e) => e.action === 'connector.read_object' && e.details.key === '2026/q2.txt' && e.details.secre...");
    assert.ok(!JSON.stringify(uses).includes(SECRET_KEY), '!JSON.stringify(uses).includes(SECRET_KEY)');
    assert.ok(s3.verified() > 0, 'the fake S3 checked signatures');
  });
});

describe('checks and the usage registry', () => {
  it('checks a connector and a secret, answering the precise reason, never the credential', async () => {
    const bad = { ...s3Value, secret_access_key: 'a-wrong-secret-access-key' };
    await t.admin('POST', `${B}/secrets`, { secret_id: 'wrong-s3', secret_type: 's3', secret_value: bad });
    await t.admin('POST', `${B}/connectors`, { id: 'wrong', name: 'wrong key', type: 's3', secret_id: 'wrong-s3', target: { bucket: 'finance' } });
    const r = await t.admin('POST', `${B}/connectors/wrong/check`);
    assert.equal(r.statusCode, 200);
    assert.deepEqual([r.json().ok, r.json().reason, r.json().provider_code], [false, 'invalid_credentials', 'SignatureDoesNotMatch']);
    assert.ok(!r.body.includes('a-wrong-secret-access-key'), "!r.body.includes('a-wrong-secret-access-key')");

    const hr = await t.admin('POST', `${B}/connectors`, { id: 'hr', name: 'hr', type: 's3', secret_id: 'finance-s3', target: { bucket: 'hr-docs' } });
    assert.equal(hr.statusCode, 201, hr.body);
    assert.equal((await t.admin('POST', `${B}/connectors/hr/check`)).json().reason, 'no_access');
    const objects = await t.admin('GET', `${B}/connectors/hr/objects`);
    assert.equal(objects.statusCode, 502);
    assert.deepEqual([objects.json().error.code, objects.json().error.details.reason], ['connector_failed', 'no_access']);

    assert.equal((await t.admin('POST', `${B}/secrets/finance-s3/check`)).json().ok, true);
    assert.equal((await t.admin('POST', `${B}/secrets/finance-s3/check`, { target: { bucket: 'nosuchbucket' } })).json().reason, 'target_not_found');
    assert.equal((await t.admin('POST', `${B}/secrets/finance-s3/check`, { target: { bucket: 'Bad Name' } })).statusCode, 400);
    const port = await closedPort();
    await t.admin('POST', `${B}/secrets`, { secret_id: 'nowhere-s3', secret_type: 's3', secret_value: { ...s3Value, endpoint_url: `http://127.0.0.1:${port}` } });
    const down = (await t.admin('POST', `${B}/secrets/nowhere-s3/check`)).json();
    assert.deepEqual([down.ok, down.reason, down.provider_code], [false, 'unreachable', 'ECONNREFUSED']);
    await t.admin('POST', `${B}/secrets`, { secret_id: 'gen', secret_value: { a: 'b' } });
    assert.equal((await t.admin('POST', `${B}/secrets/gen/check`)).statusCode, 400);

    const entries = await auditOf('secret.check');
    assert.ok(entries.some((e) => e.target === 'secret:nowhere-s3' && e.details.reason === 'unreachable'), "entries.some((e) => e.target === 'secret:nowhere-s3' && e.details.reason === 'unreachable')");
    assert.ok((await auditOf('connector.check')).some((e) => e.target === 'connector:wrong' && e.details.reason === 'invalid_credentials'), "(await auditOf('connector.check')).some((e) => e.target === 'connector:wrong' && e.details.reason === 'inva...");
  });

  it('a used secret lists its connectors and cannot be deleted unless forced; then the connector says so', async () => {
    await t.admin('POST', `${B}/secrets`, { secret_id: 'in-use', secret_type: 's3', secret_value: s3Value });
    await t.admin('POST', `${B}/connectors`, { id: 'user-of', name: 'The user', type: 's3', secret_id: 'in-use', target: { bucket: 'finance', prefix: 'reports/' } });
    assert.deepEqual((await t.admin('GET', `${B}/secrets/in-use`)).json().used_by, [{ id: 'user-of', name: 'The user' }]);
    const refused = await t.admin('DELETE', `${B}/secrets/in-use`);
    assert.equal(refused.statusCode, 409);
    assert.deepEqual(refused.json().error.details.connectors, [{ id: 'user-of', name: 'The user' }]);
    assert.equal((await t.admin('DELETE', `${B}/secrets/in-use?force=true`)).statusCode, 200);

    const check = (await t.admin('POST', `${B}/connectors/user-of/check`)).json();
    assert.deepEqual([check.ok, check.reason, check.secret_version], [false, 'secret_missing', null]);
    const list = await t.admin('GET', `${B}/connectors/user-of/objects`);
    assert.equal(list.statusCode, 409);
    assert.equal(list.json().error.code, 'connector_secret_missing');

    await t.admin('POST', `${B}/secrets/in-use/restore`);
    assert.equal((await t.admin('GET', `${B}/connectors/user-of/objects`)).statusCode, 200);
    await t.admin('DELETE', `${B}/connectors/user-of`);
    assert.deepEqual((await t.admin('GET', `${B}/secrets/in-use`)).json().used_by, []);
    assert.equal((await t.admin('DELETE', `${B}/secrets/in-use`)).statusCode, 200);
  });

  it('fails closed: when the audit log cannot be written, no document is served', async () => {
    await t.admin('POST', `${B}/connectors`, { id: 'guarded', name: 'g', type: 's3', secret_id: 'finance-s3', target: { bucket: 'finance', prefix: 'reports/' } });
    const restore = await failAuditWrites(t);
    try {
      const doc = await t.admin('GET', `${B}/connectors/guarded/objects/q1.txt`);
      assert.equal(doc.statusCode, 503);
      assert.ok(!doc.body.includes('first quarter'), "!doc.body.includes('first quarter')");
      assert.equal((await t.admin('GET', `${B}/connectors/guarded/objects`)).statusCode, 503);
      assert.equal((await t.admin('POST', `${B}/connectors/guarded/check`)).statusCode, 503);
    } finally {
      await restore();
    }
    assert.equal((await t.admin('GET', `${B}/connectors/guarded/objects/q1.txt`)).body, 'first quarter');
  });

  it('answers 404 secret_manager_disabled when the Secret Manager is off', async () => {
    const off = await startTestEnv({ SECRET_MANAGER_ENABLED: 'false' });
    try {
      for (const [m, u] of [['GET', `${B}/connectors`], ['POST', `${B}/connectors/x/check`], ['GET', `${B}/connectors/x/objects`]] as const) {
        const r = await off.admin(m, u);
        assert.equal(r.statusCode, 404);
        assert.equal(r.json().error.code, 'secret_manager_disabled');
      }
    } finally {
      await off.close();
    }
  });
});
