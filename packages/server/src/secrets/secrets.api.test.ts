import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { S3_VALUE, startTestEnv, userWithKey, type TestEnv } from '../../test/helpers.js';

const B = '/api/v1';
let t: TestEnv;

before(async () => {
  t = await startTestEnv();
});
after(() => t.close());

const errorOf = (r: { json: () => unknown }) => (r.json() as { error: { code: string; message: string; details?: { fields?: { field: string; message: string }[] } } }).error;
const fieldsOf = (r: { json: () => unknown }) => (errorOf(r).details?.fields ?? []).map((f) => f.field).sort();

describe('POST /secrets', () => {
  it('creates a secret and answers 201 {id}', async () => {
    const r = await t.admin('POST', `${B}/secrets`, { secret_id: 'create-1', secret_value: S3_VALUE, secret_type: 's3', description: 'prod bucket' });
    assert.equal(r.statusCode, 201);
    assert.deepEqual(r.json(), { id: 'create-1' });
  });

  it('answers 409 secret_exists for a taken id, also while the first is in the trash', async () => {
    await t.admin('POST', `${B}/secrets`, { secret_id: 'dup', secret_value: { a: '1' } });
    const again = await t.admin('POST', `${B}/secrets`, { secret_id: 'dup', secret_value: { a: '2' } });
    assert.equal(again.statusCode, 409);
    assert.equal(errorOf(again).code, 'secret_exists');
    await t.admin('DELETE', `${B}/secrets/dup`);
    const inTrash = await t.admin('POST', `${B}/secrets`, { secret_id: 'dup', secret_value: { a: '3' } });
    assert.equal(inTrash.statusCode, 409);
  });

  it('lists every problem of a value by field', async () => {
    const r = await t.admin('POST', `${B}/secrets`, { secret_id: 'bad-s3', secret_type: 's3', secret_value: { access_key_id: 'AK', region: 'Not A Region', colour: 'blue', session_token: 5 } });
    assert.equal(r.statusCode, 400);
    assert.equal(errorOf(r).code, 'validation_error');
    assert.deepEqual(fieldsOf(r), ['secret_value.access_key_id', 'secret_value.colour', 'secret_value.region', 'secret_value.secret_access_key', 'secret_value.session_token']);
  });

  it('validates each connector type against its own fields', async () => {
    const cases: [string, Record<string, string>, boolean][] = [
      ['azure_key', { account_name: 'mystorage', account_key: 'c2VjcmV0a2V5c2VjcmV0a2V5' }, true],
      ['azure_key', { account_name: 'My_Storage!', account_key: 'not base64 !' }, false],
      ['azure_sas', { account_name: 'mystorage', sas_token: 'sv=2022-11-02&ss=b&sig=abc%3D' }, true],
      ['azure_sas', { account_name: 'mystorage', sas_token: 'no-signature-here' }, false],
      ['gcs', { project_id: 'my-project-123', service_account_json: JSON.stringify({ type: 'service_account', client_email: 'x@y.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n' }) }, true],
      ['gcs', { project_id: 'my-project-123', service_account_json: '{"client_email":"x@y"}' }, false],
      ['sharepoint_online', { site_url: 'https://contoso.sharepoint.com/sites/a', tenant_id: 'contoso.onmicrosoft.com', client_id: '11111111-2222-3333-4444-555555555555', client_secret: 's' }, true],
      ['sharepoint_online', { site_url: 'http://contoso.sharepoint.com', tenant_id: 't', client_id: 'nope', client_secret: 's' }, false],
      ['sharepoint_on_premise', { site_url: 'http://sp.intranet/sites/a', username: 'CORP\\svc', password: 'p' }, true],
      ['confluence', { username: 'bot@example.com', password: 'api-token', base_url: 'https://example.atlassian.net' }, true],
      ['confluence', { username: 'bot@example.com', password: 'x', base_url: 'ftp://example' }, false],
      ['generic', { ANY_key: 'x' }, true],
      ['generic', { 'bad key': 'x' }, false],
    ];
    for (const [i, [type, value, ok]] of cases.entries()) {
      const r = await t.admin('POST', `${B}/secrets`, { secret_id: `type-${i}`, secret_type: type, secret_value: value });
      assert.equal(r.statusCode, ok ? 201 : 400, `${type} ${JSON.stringify(value)}: ${r.body}`);
    }
  });

  it('refuses bad input with a 4xx naming the problem, never a 5xx', async () => {
    const cases: [unknown, number, string][] = [
      [{ secret_id: 'has space', secret_value: { a: 'b' } }, 400, 'body.secret_id'],
      [{ secret_id: '-leading', secret_value: { a: 'b' } }, 400, 'body.secret_id'],
      [{ secret_id: 'x'.repeat(129), secret_value: { a: 'b' } }, 400, 'body.secret_id'],
      [{ secret_id: 'ids', secret_value: { a: 'b' } }, 400, 'body.secret_id'],
      [{ secret_id: 'trash', secret_value: { a: 'b' } }, 400, 'body.secret_id'],
      [{ secret_id: 123, secret_value: { a: 'b' } }, 400, 'body.secret_id'],
      [{ secret_id: 'ok', secret_value: 'a string' }, 400, 'body.secret_value'],
      [{ secret_id: 'ok', secret_value: ['a'] }, 400, 'body.secret_value'],
      [{ secret_id: 'ok', secret_value: { a: 'b' }, secret_type: 'ftp' }, 400, 'body.secret_type'],
      [{ secret_id: 'ok', secret_value: { a: 'b' }, scope: 'EVERYONE' }, 400, 'body.scope'],
      [{ secret_id: 'ok', secret_value: { a: 'b' }, extra: 1 }, 400, 'body.extra'],
      [{ secret_id: 'ok', secret_value: { a: { nested: 'x' } } }, 400, 'secret_value.a'],
      [{ secret_id: 'ok' }, 400, 'body.secret_value'],
    ];
    for (const [body, status, field] of cases) {
      const r = await t.admin('POST', `${B}/secrets`, body);
      assert.equal(r.statusCode, status, JSON.stringify(body));
      assert.ok(fieldsOf(r).includes(field), `${JSON.stringify(body)} → ${r.body}`);
      assert.match(errorOf(r).message, /\w/);
    }
  });

  it('answers malformed JSON, wrong content types and oversized values with 4xx', async () => {
    const malformed = await t.admin('POST', `${B}/secrets`, '{"secret_id": "x",');
    assert.equal(malformed.statusCode, 400);
    assert.equal(errorOf(malformed).code, 'invalid_json');
    const text = await t.admin('POST', `${B}/secrets`, 'secret_id=x', { 'content-type': 'text/plain' });
    assert.equal(text.statusCode, 415);
    const big = await t.admin('POST', `${B}/secrets`, { secret_id: 'big', secret_value: { blob: 'x'.repeat(70 * 1024) } });
    assert.equal(big.statusCode, 413);
    assert.equal(errorOf(big).code, 'payload_too_large');
    const huge = await t.admin('POST', `${B}/secrets`, { secret_id: 'huge', secret_value: { blob: 'x'.repeat(400 * 1024) } });
    assert.equal(huge.statusCode, 413);
    const proto = await t.admin('POST', `${B}/secrets`, '{"secret_id":"p","secret_value":{"__proto__":{"x":"1"}}}');
    assert.ok(proto.statusCode >= 400 && proto.statusCode < 500, proto.body);
  });
});

describe('reading secrets', () => {
  before(async () => {
    await t.admin('POST', `${B}/secrets`, { secret_id: 'read-me', secret_type: 's3', secret_value: { ...S3_VALUE, session_token: '' }, scope: 'SYSTEM_SECRET' });
  });

  it('GET /secrets/{id} answers metadata with field names only, and an ETag', async () => {
    const r = await t.admin('GET', `${B}/secrets/read-me`);
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers.etag, '"1"');
    const m = r.json();
    assert.deepEqual(Object.keys(m).sort(), ['created_at', 'created_by', 'deleted_at', 'description', 'fields', 'id', 'owner', 'scope', 'secret_type', 'updated_at', 'updated_by', 'used_by', 'version']);
    assert.deepEqual(m.fields, ['access_key_id', 'region', 'secret_access_key']);
    assert.equal(m.owner, 'admin@example.com');
    assert.equal(m.scope, 'SYSTEM_SECRET');
    assert.ok(!r.body.includes(S3_VALUE.secret_access_key), '!r.body.includes(S3_VALUE.secret_access_key)');
  });

  it('GET /secrets/{id}/value answers the value object and is audited', async () => {
    const r = await t.admin('GET', `${B}/secrets/read-me/value`);
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), S3_VALUE);
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(r.headers['cache-control'], 'no-store');
    const audit = await t.admin('GET', `${B}/audit?action=secret.read_value&target=secret:read-me`);
    assert.equal(audit.json().items.length, 1);
  });

  it('GET /secrets/ids answers sorted ids, filtered by connector type', async () => {
    await t.admin('POST', `${B}/secrets`, { secret_id: 'A-upper', secret_value: { a: 'b' } });
    const answer = await t.admin('GET', `${B}/secrets/ids`);
    assert.equal(answer.headers['content-type'], 'application/json; charset=utf-8');
    const all = answer.json() as string[];
    assert.deepEqual(all, [...all].sort());
    assert.ok(all.includes('read-me') && all.includes('A-upper'), "all.includes('read-me') && all.includes('A-upper')");
    const s3 = (await t.admin('GET', `${B}/secrets/ids?connector_type=s3`)).json() as string[];
    assert.ok(s3.includes('read-me'), "s3.includes('read-me')");
    assert.ok(!s3.includes('A-upper'), "!s3.includes('A-upper')");
    const bad = await t.admin('GET', `${B}/secrets/ids?connector_type=ftp`);
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(fieldsOf(bad), ['query.connector_type']);
  });

  it('answers 404 secret_not_found for a missing secret and 400 for an invalid id', async () => {
    for (const path of ['nope', 'nope/value', 'nope/versions']) {
      const r = await t.admin('GET', `${B}/secrets/${path}`);
      assert.equal(r.statusCode, 404, path);
      assert.equal(errorOf(r).code, 'secret_not_found');
    }
    const bad = await t.admin('GET', `${B}/secrets/${encodeURIComponent('../etc/passwd')}`);
    assert.equal(bad.statusCode, 400);
  });

  it('GET /secrets/ids sees secrets created, deleted and restored through another server at once', async () => {
    const other = await startTestEnv({ SECRET_MANAGER_DATA_DIR: t.dir });
    const ids = async () => (await t.admin('GET', `${B}/secrets/ids?connector_type=azure_key`)).json() as string[];
    try {
      const before = await ids(); // remembered here
      await other.admin('POST', `${B}/secrets`, { secret_id: 'from-elsewhere', secret_type: 'azure_key', secret_value: { account_name: 'elsewhere', account_key: 'a2V5' } });
      assert.deepEqual(await ids(), [...before, 'from-elsewhere'].sort());
      await other.admin('DELETE', `${B}/secrets/from-elsewhere`);
      assert.deepEqual(await ids(), before);
      await other.admin('POST', `${B}/secrets/from-elsewhere/restore`);
      assert.ok((await ids()).includes('from-elsewhere'), "(await ids()).includes('from-elsewhere')");
      await other.admin('DELETE', `${B}/secrets/from-elsewhere?purge=true`);
      assert.deepEqual(await ids(), before);
    } finally {
      await other.app.close();
      await other.coffer.close();
    }
  });

  it('value and metadata reads see updates, deletes, restores and purges made through another server at once', async () => {
    const other = await startTestEnv({ SECRET_MANAGER_DATA_DIR: t.dir });
    const value = () => t.admin('GET', `${B}/secrets/moving/value`);
    const meta = () => t.admin('GET', `${B}/secrets/moving`);
    try {
      await other.admin('POST', `${B}/secrets`, { secret_id: 'moving', secret_value: { token: 'first' }, scope: 'SYSTEM_SECRET' });
      // Read twice here, so the rows are remembered before the other server changes them.
      for (let i = 0; i < 2; i++) assert.deepEqual((await value()).json(), { token: 'first' });
      assert.equal((await meta()).json().version, 1);
      await other.admin('PUT', `${B}/secrets/moving`, { secret_value: { token: 'second' } });
      assert.deepEqual((await value()).json(), { token: 'second' });
      await other.admin('PATCH', `${B}/secrets/moving`, { description: 'renamed elsewhere' });
      const m = (await meta()).json();
      assert.deepEqual([m.version, m.description], [3, 'renamed elsewhere']);
      assert.deepEqual((await t.admin('GET', `${B}/secrets/moving/value?version=1`)).json(), { token: 'first' });
      await other.admin('DELETE', `${B}/secrets/moving`);
      assert.equal((await value()).statusCode, 404);
      assert.equal((await meta()).statusCode, 404);
      await other.admin('POST', `${B}/secrets/moving/restore`);
      assert.deepEqual((await value()).json(), { token: 'second' });
      await other.admin('DELETE', `${B}/secrets/moving?purge=true`);
      assert.equal((await value()).statusCode, 404);
      assert.equal((await t.admin('GET', `${B}/secrets/moving/value?version=1`)).statusCode, 404);
    } finally {
      await other.app.close();
      await other.coffer.close();
    }
  });

  it('a change written by a replica of an older release, which moves no counter itself, is seen at once', async () => {
    await t.admin('POST', `${B}/secrets`, { secret_id: 'old-replica', secret_value: { token: 'before' }, description: 'before' });
    for (let i = 0; i < 2; i++) assert.equal((await t.admin('GET', `${B}/secrets/old-replica`)).json().description, 'before');
    const { db } = t.coffer.database;
    // As an older server would: plain SQL on the tables, nothing else.
    await db.updateTable('secrets').set({ description: 'after' }).where('id', '=', 'old-replica').execute();
    assert.equal((await t.admin('GET', `${B}/secrets/old-replica`)).json().description, 'after');
    await db.deleteFrom('secret_versions').where('secret_id', '=', 'old-replica').execute();
    assert.equal((await t.admin('GET', `${B}/secrets/old-replica/value`)).statusCode, 404);
  });

  it('a restore answers the restored secret even when it was read from the trash just before', async () => {
    await t.admin('POST', `${B}/secrets`, { secret_id: 'back-again', secret_value: { a: 'b' } });
    await t.admin('DELETE', `${B}/secrets/back-again`);
    assert.equal((await t.admin('GET', `${B}/secrets/back-again`)).statusCode, 404);
    const r = await t.admin('POST', `${B}/secrets/back-again/restore`);
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().deleted_at, null);
    assert.deepEqual((await t.admin('GET', `${B}/secrets/back-again/value`)).json(), { a: 'b' });
  });

  it('GET /secrets lists metadata with filter, search and cursor paging', async () => {
    for (let i = 0; i < 7; i++) await t.admin('POST', `${B}/secrets`, { secret_id: `page-${i}`, secret_value: { n: String(i) }, description: i % 2 ? 'Odd One' : 'even' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await t.admin('GET', `${B}/secrets?q=page-&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.statusCode, 200);
      const page = r.json() as { items: { id: string }[]; next_cursor: string | null };
      assert.ok(page.items.length <= 3, 'page.items.length <= 3');
      seen.push(...page.items.map((s) => s.id));
      cursor = page.next_cursor;
    } while (cursor);
    assert.deepEqual(seen, ['page-0', 'page-1', 'page-2', 'page-3', 'page-4', 'page-5', 'page-6']);
    const odd = (await t.admin('GET', `${B}/secrets?q=odd%20one`)).json().items.map((s: { id: string }) => s.id);
    assert.deepEqual(odd, ['page-1', 'page-3', 'page-5']);
    const s3 = (await t.admin('GET', `${B}/secrets?connector_type=s3`)).json().items;
    assert.ok(s3.every((s: { secret_type: string }) => s.secret_type === 's3'), "s3.every((s: { secret_type: string }) => s.secret_type === 's3')");
    for (const q of ['limit=0', 'limit=501', 'limit=abc', 'cursor=%2F%2F%2F', 'unknown=1']) {
      const r = await t.admin('GET', `${B}/secrets?${q}`);
      assert.equal(r.statusCode, 400, q);
    }
  });

  it('GET /connector-types describes every type with its fields', async () => {
    const r = await t.admin('GET', `${B}/connector-types`);
    const types = r.json() as { type: string; label: string; fields: { name: string; required: boolean; sensitive: boolean }[] }[];
    assert.deepEqual(types.map((x) => x.type), ['s3', 'azure_key', 'azure_sas', 'gcs', 'sharepoint_online', 'sharepoint_on_premise', 'confluence', 'generic']);
    const s3 = types.find((x) => x.type === 's3')!;
    assert.equal(s3.label, 'AWS S3');
    assert.deepEqual(s3.fields.filter((f) => f.sensitive).map((f) => f.name), ['secret_access_key', 'session_token']);
    assert.deepEqual(s3.fields.filter((f) => f.required).map((f) => f.name), ['access_key_id', 'secret_access_key', 'region']);
  });
});

describe('updating secrets', () => {
  before(async () => {
    await t.admin('POST', `${B}/secrets`, { secret_id: 'upd', secret_type: 's3', secret_value: S3_VALUE, description: 'v1' });
  });

  it('PUT writes a new version; old versions stay readable', async () => {
    const r = await t.admin('PUT', `${B}/secrets/upd`, { secret_value: { ...S3_VALUE, region: 'eu-west-1' } });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), { id: 'upd', version: 2 });
    assert.equal((await t.admin('GET', `${B}/secrets/upd/value`)).json().region, 'eu-west-1');
    assert.equal((await t.admin('GET', `${B}/secrets/upd/value?version=1`)).json().region, 'us-east-1');
    assert.equal((await t.admin('GET', `${B}/secrets/upd`)).json().description, 'v1', 'description kept when absent');
    const versions = (await t.admin('GET', `${B}/secrets/upd/versions`)).json() as { version: number; fields: string[] }[];
    assert.deepEqual(versions.map((v) => v.version), [2, 1]);
    assert.ok(!JSON.stringify(versions).includes(S3_VALUE.secret_access_key), '!JSON.stringify(versions).includes(S3_VALUE.secret_access_key)');
    assert.equal((await t.admin('GET', `${B}/secrets/upd/value?version=3`)).statusCode, 404);
    assert.equal((await t.admin('GET', `${B}/secrets/upd/value?version=0`)).statusCode, 400);
  });

  it('If-Match with the current version wins; a stale one gets 412', async () => {
    const cur = (await t.admin('GET', `${B}/secrets/upd`)).json().version as number;
    const ok = await t.admin('PUT', `${B}/secrets/upd`, { secret_value: S3_VALUE }, { 'if-match': `"${cur}"` });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers.etag, `"${cur + 1}"`);
    const stale = await t.admin('PUT', `${B}/secrets/upd`, { secret_value: S3_VALUE }, { 'if-match': String(cur) });
    assert.equal(stale.statusCode, 412);
    assert.equal(errorOf(stale).code, 'version_mismatch');
    const junk = await t.admin('PUT', `${B}/secrets/upd`, { secret_value: S3_VALUE }, { 'if-match': 'yesterday' });
    assert.equal(junk.statusCode, 400);
  });

  it('PUT validates against the secret type and refuses unknown fields', async () => {
    const r = await t.admin('PUT', `${B}/secrets/upd`, { secret_value: { region: 'x' }, colour: 'red' });
    assert.equal(r.statusCode, 400);
    const r2 = await t.admin('PUT', `${B}/secrets/upd`, { secret_value: { region: 'us-east-1' } });
    assert.equal(r2.statusCode, 400);
    assert.deepEqual(fieldsOf(r2), ['secret_value.access_key_id', 'secret_value.secret_access_key']);
    assert.equal((await t.admin('PUT', `${B}/secrets/missing`, { secret_value: S3_VALUE })).statusCode, 404);
  });

  it('PATCH changes only the given fields; null removes one', async () => {
    await t.admin('PATCH', `${B}/secrets/upd`, { secret_value: { session_token: 'tok' } });
    const v = (await t.admin('GET', `${B}/secrets/upd/value`)).json();
    assert.equal(v.session_token, 'tok');
    assert.equal(v.secret_access_key, S3_VALUE.secret_access_key);
    await t.admin('PATCH', `${B}/secrets/upd`, { secret_value: { session_token: null }, description: 'patched' });
    const after = (await t.admin('GET', `${B}/secrets/upd`)).json();
    assert.ok(!after.fields.includes('session_token'), "!after.fields.includes('session_token')");
    assert.equal(after.description, 'patched');
    const empty = await t.admin('PATCH', `${B}/secrets/upd`, {});
    assert.equal(empty.statusCode, 400);
  });

  it('concurrent updates without If-Match all land as distinct versions', async () => {
    await t.admin('POST', `${B}/secrets`, { secret_id: 'race', secret_value: { n: '0' } });
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => t.admin('PUT', `${B}/secrets/race`, { secret_value: { n: String(i + 1) } })));
    assert.ok(answers.every((a) => a.statusCode === 200), 'answers.every((a) => a.statusCode === 200)');
    assert.deepEqual(answers.map((a) => a.json().version).sort((a, b) => a - b), [2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('deleting, trash and restore', () => {
  it('DELETE moves to the trash; restore brings it back with its versions', async () => {
    await t.admin('POST', `${B}/secrets`, { secret_id: 'del', secret_value: { a: '1' } });
    await t.admin('PUT', `${B}/secrets/del`, { secret_value: { a: '2' } });
    const d = await t.admin('DELETE', `${B}/secrets/del`);
    assert.equal(d.statusCode, 200);
    assert.equal((await t.admin('GET', `${B}/secrets/del`)).statusCode, 404);
    assert.ok(!((await t.admin('GET', `${B}/secrets/ids`)).json() as string[]).includes('del'), "!((await t.admin('GET', `${B}/secrets/ids`)).json() as string[]).includes('del')");
    const trash = (await t.admin('GET', `${B}/secrets/trash`)).json().items as { id: string; deleted_at: string }[];
    assert.ok(trash.find((s) => s.id === 'del')?.deleted_at, "trash.find((s) => s.id === 'del')?.deleted_at");
    assert.equal((await t.admin('DELETE', `${B}/secrets/del`)).statusCode, 404, 'already deleted');
    const r = await t.admin('POST', `${B}/secrets/del/restore`);
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().version, 2);
    assert.deepEqual((await t.admin('GET', `${B}/secrets/del/value?version=1`)).json(), { a: '1' });
    assert.equal((await t.admin('POST', `${B}/secrets/del/restore`)).statusCode, 404, 'not in the trash');
  });

  it('purge removes the secret and frees the id', async () => {
    await t.admin('POST', `${B}/secrets`, { secret_id: 'gone', secret_value: { a: '1' } });
    await t.admin('DELETE', `${B}/secrets/gone`);
    const p = await t.admin('DELETE', `${B}/secrets/gone?purge=true`);
    assert.equal(p.statusCode, 200);
    assert.deepEqual(p.json(), { id: 'gone', purged: true });
    assert.ok(!((await t.admin('GET', `${B}/secrets/trash`)).json().items as { id: string }[]).some((s) => s.id === 'gone'), "!((await t.admin('GET', `${B}/secrets/trash`)).json().items as { id: string }[]).some((s) => s.id === 'gone')");
    assert.equal((await t.admin('POST', `${B}/secrets`, { secret_id: 'gone', secret_value: { a: 'new' } })).statusCode, 201);
    assert.deepEqual((await t.admin('GET', `${B}/secrets/gone/versions`)).json().map((v: { version: number }) => v.version), [1]);
    assert.equal((await t.admin('DELETE', `${B}/secrets/gone?purge=maybe`)).statusCode, 400);
  });

  it('a secret in use by a connector answers 409 secret_in_use naming it, unless forced', async () => {
    await t.admin('POST', `${B}/secrets`, { secret_id: 'used', secret_value: { a: '1' } });
    const at = new Date().toISOString();
    await t.coffer.database.db.insertInto('connectors').values({ workspace_id: 'default', id: 'c1', name: 'Finance bucket', type: 's3', secret_id: 'used', target: '{}', created_at: at, created_by: 'test', updated_at: at }).execute();
    const meta = (await t.admin('GET', `${B}/secrets/used`)).json();
    assert.deepEqual(meta.used_by, [{ id: 'c1', name: 'Finance bucket' }]);
    const r = await t.admin('DELETE', `${B}/secrets/used`);
    assert.equal(r.statusCode, 409);
    assert.equal(errorOf(r).code, 'secret_in_use');
    assert.match(errorOf(r).message, /Finance bucket/);
    assert.equal((await t.admin('DELETE', `${B}/secrets/used?force=true`)).statusCode, 200);
  });

  it('a secret past its trash time is purged by the sweep', async () => {
    await t.admin('POST', `${B}/secrets`, { secret_id: 'old-trash', secret_value: { a: '1' } });
    await t.admin('DELETE', `${B}/secrets/old-trash`);
    await t.coffer.database.db.updateTable('secrets').set({ deleted_at: '2000-01-01T00:00:00.000Z' }).where('id', '=', 'old-trash').execute();
    const { systemActor } = await import('../access/actor.js');
    const n = await t.coffer.secrets.purgeExpired(systemActor('test', ['secrets/manage']));
    assert.equal(n, 1);
    assert.equal(await t.coffer.database.db.selectFrom('secrets').select('id').where('id', '=', 'old-trash').executeTakeFirst(), undefined);
  });
});

describe('authentication and the disabled switch', () => {
  it('every secret route needs credentials', async () => {
    for (const [m, u] of [['GET', '/secrets/ids'], ['GET', '/secrets/x'], ['GET', '/secrets/x/value'], ['POST', '/secrets'], ['PUT', '/secrets/x'], ['DELETE', '/secrets/x']] as const) {
      const r = await t.as(undefined)(m, `${B}${u}`);
      assert.equal(r.statusCode, 401, `${m} ${u}`);
      assert.equal(errorOf(r).code, 'unauthenticated');
      assert.equal((await t.as('coffer_0123456789abcdef_notarealkeynotarealkeynotarealkey')(m, `${B}${u}`)).statusCode, 401);
    }
    assert.equal((await t.as(undefined)('GET', '/healthz')).statusCode, 200);
    assert.equal((await t.as(undefined)('GET', `${B}/openapi.json`)).statusCode, 200);
  });

  it('SECRET_MANAGER_ENABLED=false answers 404 secret_manager_disabled on /secrets, users still work', async () => {
    const off = await startTestEnv({ H2OGPTE_SECRET_MANAGER_ENABLED: 'false' });
    try {
      for (const u of ['/secrets/ids', '/secrets', '/secrets/x/value']) {
        const r = await off.admin('GET', `${B}${u}`);
        assert.equal(r.statusCode, 404);
        assert.equal(errorOf(r).code, 'secret_manager_disabled');
      }
      assert.equal((await off.admin('GET', `${B}/users/current`)).statusCode, 200);
    } finally {
      await off.close();
    }
  });
});

describe('API keys', () => {
  it('a created key works at once, is listed without the key, and stops working when revoked', async () => {
    const u = await userWithKey(t, 'keys@example.com', ['admin']);
    assert.match(u.key, /^coffer_[a-f0-9]{16}_/);
    const me = await t.as(u.key)('GET', `${B}/users/current`);
    assert.equal(me.json().email, 'keys@example.com');
    const list = await t.as(u.key)('GET', `${B}/users/current/api-keys`);
    // The secret part is base64url and may itself hold '_': everything after coffer_<16 hex>_.
    const secretPart = u.key.slice('coffer_'.length + 16 + 1);
    assert.equal(secretPart.length, 43);
    assert.ok(!list.body.includes(secretPart), 'the listing shows the secret part of the key');
    const id = list.json()[0].id as string;
    assert.equal(list.json()[0].prefix, `coffer_${id}`);
    assert.equal((await t.as(u.key)('DELETE', `${B}/users/current/api-keys/${id}`)).statusCode, 200);
    assert.equal((await t.as(u.key)('GET', `${B}/users/current`)).statusCode, 401);
  });
});
