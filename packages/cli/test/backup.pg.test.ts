// The upgrade path: a filebased store → coffer export → coffer import into securestore (PostgreSQL),
// and every secret, version, user, role, key and audit entry is equal; then back to a new filebased store.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { BACKUP_TABLES, TABLES } from '../../server/src/backup/backup.store.js';
import { openDatabase, type Database } from '../../server/src/store/db.js';
import type { DB } from '../../server/src/store/schema.js';
import { ADMIN_KEY, S3_VALUE, startTestEnv, tempDir, userWithKey, type TestEnv } from '../../server/test/helpers.js';
import { createTestDatabase, type TestDatabase } from '../../server/test/pg.js';
import { apiClient, startServer, type ServerProcess } from '../../server/test/process.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/coffer.js');
const CANARY = 'CANARY-backup-5d1e-never-in-the-file';

function coffer(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

/** Every backed-up table, rows in key order; versions without what is specific to a key-encryption key. */
async function dump(db: Kysely<DB>): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of BACKUP_TABLES) {
    let q = db.selectFrom(t).selectAll();
    for (const k of TABLES[t]) q = q.orderBy(k as never);
    const rows = (await q.execute()) as Record<string, unknown>[];
    out[t] = t === 'secret_versions' ? rows.map(({ kek_id: _k, wrapped_key: _w, ...r }) => r) : rows;
  }
  return out;
}

let source: TestEnv;
let target: TestDatabase;
let targetDb: Database;
let server: ServerProcess | undefined;
let alice: { id: string; key: string };
const dir = tempDir('coffer-backup-');
const backupFile = path.join(dir, 'store.coffer');
const keyFile = path.join(dir, 'backup.key');
const targetEnv = () => ({ SECRET_MANAGER: 'securestore', SECRET_MANAGER_DATABASE_URL: target.url, SECRET_MANAGER_MASTER_KEY: `target:${randomBytes(32).toString('base64')}` });
let tEnv: Record<string, string>;

before(async () => {
  source = await startTestEnv({}, { backend: 'sqlite' });
  const B = '/api/v1';
  const ok = async (p: Promise<{ statusCode: number; body: string }>, status: number) => assert.equal((await p).statusCode, status, (await p).body);
  await ok(source.admin('POST', `${B}/secrets`, { secret_id: 'prod-s3', secret_type: 's3', scope: 'SYSTEM_SECRET', description: 'prod', secret_value: { ...S3_VALUE, secret_access_key: CANARY } }), 201);
  await ok(source.admin('PUT', `${B}/secrets/prod-s3`, { secret_value: { ...S3_VALUE, region: 'eu-west-1' } }), 200);
  await ok(source.admin('PATCH', `${B}/secrets/prod-s3`, { secret_value: { session_token: 'tok' }, description: 'rotated' }), 200);
  for (let i = 0; i < 30; i++) await ok(source.admin('POST', `${B}/secrets`, { secret_id: `bulk-${i}`, secret_value: { n: String(i), blob: randomBytes(200).toString('hex') } }), 201);
  await ok(source.admin('DELETE', `${B}/secrets/bulk-7`), 200);
  await ok(source.admin('POST', `${B}/roles`, { name: 'auditors', description: 'read the log', permissions: ['audit/read', 'secrets/read'] }), 201);
  alice = await userWithKey(source, 'alice@example.com', ['auditors', 'user']);
  await ok(source.as(alice.key)('GET', `${B}/secrets/prod-s3/value`), 200);
  await ok(source.as(alice.key)('POST', `${B}/secrets`, { secret_id: 'denied', secret_value: { a: 'b' } }), 403);
  const bob = await userWithKey(source, 'bob@example.com', ['admin']);
  await ok(source.as(bob.key)('POST', `${B}/secrets`, { secret_id: 'bobs-own', secret_value: { mine: 'yes' } }), 201);
  const revoked = (await source.as(bob.key)('GET', `${B}/users/current/api-keys`)).json()[0].id as string;
  await ok(source.as(bob.key)('DELETE', `${B}/users/current/api-keys/${revoked}`), 200);
  const at = new Date().toISOString();
  await source.coffer.database.db.insertInto('connectors').values({ workspace_id: 'default', id: 'c1', name: 'Finance', type: 's3', secret_id: 'prod-s3', target: '{"bucket":"f"}', created_at: at, created_by: 'test', updated_at: at }).execute();
  target = await createTestDatabase('import');
  tEnv = targetEnv();
});

after(async () => {
  await server?.stop();
  await targetDb?.close();
  await source?.close();
  await target?.drop();
});

describe('coffer export / import', () => {
  it('exports a filebased store into an encrypted file, checked, with a progress bar', async () => {
    const r = await coffer(['export', backupFile, '--new-key-file', keyFile], { SECRET_MANAGER_DATA_DIR: source.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Exported 32 secrets \(34 versions\), 3 users, 5 roles, 3 API keys, 1 connectors and \d+ audit entries/);
    assert.match(r.stdout, /Checked: the backup opens with its key, all 34 values decrypt/);
    assert.match(r.stderr, /export +\[#{30}\] \d+\/\d+/);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const bytes = readFileSync(backupFile);
    for (const needle of [CANARY, 'alice@example.com', 'prod-s3', S3_VALUE.access_key_id]) assert.equal(bytes.indexOf(needle), -1, `${needle} in the backup file`);
    const again = await coffer(['export', backupFile, '--key-file', keyFile], { SECRET_MANAGER_DATA_DIR: source.dir });
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists: a backup is never overwritten/);
  });

  it('refuses a wrong key, a missing key and a damaged file, and changes nothing then', async () => {
    const wrong = path.join(dir, 'wrong.key');
    writeFileSync(wrong, randomBytes(32).toString('base64'), { mode: 0o600 });
    const r = await coffer(['import', backupFile, '--key-file', wrong], tEnv);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /wrong backup key or passphrase/);
    const none = await coffer(['import', backupFile], tEnv);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give the backup key in exactly one way/);
    const damaged = path.join(dir, 'damaged.coffer');
    const bytes = readFileSync(backupFile);
    bytes[bytes.length - 40]! ^= 0xff;
    writeFileSync(damaged, bytes);
    const d = await coffer(['import', damaged, '--key-file', keyFile], tEnv);
    assert.equal(d.code, 1);
    assert.match(d.stderr, /damaged at frame|was changed/);
    targetDb = await openDatabase({ kind: 'postgres', url: target.url });
    assert.equal((await targetDb.db.selectFrom('users').select('id').execute()).length, 0, 'nothing imported');
  });

  it('imports into securestore: every row equal, every value re-wrapped under the new key, chain verified', async () => {
    const check = await coffer(['import', backupFile, '--check', '--key-file', keyFile], tEnv);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /a backup of a filebased store/);
    const r = await coffer(['import', backupFile, '--key-file', keyFile], tEnv);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Verified: the counts match the backup, all 34 values decrypt with this store's keys, and the audit chain of \d+ entries verifies/);

    const [from, to] = [await dump(source.coffer.database.db), await dump(targetDb.db)];
    const lastImported = (to.audit_log as { action: string }[]).pop();
    assert.equal(lastImported?.action, 'backup.import');
    assert.equal((from.audit_log as { action: string }[]).at(-1)?.action, 'backup.export');
    assert.deepEqual(to, from);
    const keks = await targetDb.db.selectFrom('secret_versions').select('kek_id').distinct().execute();
    assert.deepEqual(keks, [{ kek_id: 'target' }]);

    assert.equal((await coffer(['import', backupFile, '--key-file', keyFile], tEnv)).stderr.match(/not empty/)?.length, 1, 'a second import is refused');
  });

  it('a securestore server on the imported database serves the same values, users, keys and audit', async () => {
    server = await startServer(tEnv);
    const admin = apiClient(server.url, { key: ADMIN_KEY });
    // The trashed secret came along in the trash, restorable.
    assert.equal((await admin('POST', '/secrets/bulk-7/restore')).status, 200);
    assert.equal((await source.admin('POST', '/api/v1/secrets/bulk-7/restore')).statusCode, 200);
    const ids = (await source.admin('GET', '/api/v1/secrets/ids')).json() as string[];
    assert.equal(ids.length, 32);
    assert.deepEqual((await admin('GET', '/secrets/ids')).body, ids);
    for (const id of ids) {
      const versions = (await source.admin('GET', `/api/v1/secrets/${id}/versions`)).json() as { version: number }[];
      assert.deepEqual((await admin('GET', `/secrets/${id}/versions`)).body, versions);
      for (const { version } of versions) {
        const [a, b] = [(await source.admin('GET', `/api/v1/secrets/${id}/value?version=${version}`)).json(), (await admin('GET', `/secrets/${id}/value?version=${version}`)).body];
        assert.deepEqual(b, a, `${id} v${version}`);
      }
    }
    const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'alice@example.com', password: 'a-long-enough-password' }) });
    assert.equal(login.status, 200, 'password hashes came along');
    const me = await apiClient(server.url, { key: alice.key })('GET', '/users/current');
    assert.deepEqual(me.body.roles, ['auditors', 'user']);
    assert.equal((await admin('GET', '/audit/verify')).body.ok, true);
  });

  it('and back: securestore → passphrase-protected export → a new filebased store', async () => {
    const pass = path.join(dir, 'pass');
    writeFileSync(pass, 'a passphrase long enough\n', { mode: 0o600 });
    const file = path.join(dir, 'back.coffer');
    const e = await coffer(['export', file, '--passphrase-file', pass], tEnv);
    assert.equal(e.code, 0, e.stderr);
    const fresh = tempDir('coffer-restored-');
    const i = await coffer(['import', file], { SECRET_MANAGER_DATA_DIR: fresh, COFFER_BACKUP_PASSPHRASE: 'a passphrase long enough' });
    assert.equal(i.code, 0, i.stderr);
    assert.match(i.stdout, /from a securestore store|a securestore store/);
    const restored = await startTestEnv({ SECRET_MANAGER_DATA_DIR: fresh }, { backend: 'sqlite' });
    try {
      assert.deepEqual((await restored.admin('GET', '/api/v1/secrets/prod-s3/value?version=1')).json().secret_access_key, CANARY);
      assert.equal((await restored.admin('GET', '/api/v1/audit/verify')).json().ok, true);
      const actions = (await restored.admin('GET', '/api/v1/audit?action=backup.import')).json().items as unknown[];
      assert.equal(actions.length, 2, 'both imports are in the chain');
    } finally {
      await restored.close();
    }
  });
});
