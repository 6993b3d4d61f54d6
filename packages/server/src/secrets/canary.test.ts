// Plants a recognisable value, uses every endpoint, and looks for it everywhere it must not be.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { closeAndListStoreFiles, startTestEnv } from '../../test/helpers.js';

const CANARY = 'CANARY-7f3a9c-do-not-leak';
const B = '/api/v1';

it('a secret value appears only in value answers: not in logs, the database file, metadata, errors, versions or audit', async () => {
  const t = await startTestEnv();
  const outside: string[] = [];
  const inValue: string[] = [];
  const call = async (m: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown, headers?: Record<string, string>) => {
    const r = await t.admin(m, url, body, headers);
    (/\/value(\?|$)/.test(url) && r.statusCode === 200 ? inValue : outside).push(`${m} ${url} → ${r.statusCode} ${r.body} ${JSON.stringify(r.headers)}`);
    return r;
  };
  try {
    const s3 = { access_key_id: 'AKIACANARY', secret_access_key: CANARY, region: 'us-east-1' };
    await call('POST', `${B}/secrets`, { secret_id: 'canary', secret_type: 's3', secret_value: s3 });
    await call('POST', `${B}/secrets`, { secret_id: 'canary-generic', secret_value: { token: CANARY }, scope: 'SYSTEM_SECRET' });
    await call('POST', `${B}/secrets`, { secret_id: 'canary', secret_type: 's3', secret_value: s3 }); // 409
    await call('POST', `${B}/secrets`, { secret_id: 'canary-bad', secret_type: 's3', secret_value: { ...s3, region: CANARY, nope: CANARY } }); // 400
    await call('POST', `${B}/secrets`, { secret_id: 'canary-bad2', secret_type: 'gcs', secret_value: { project_id: 'proj-123456', service_account_json: `{"private_key": "${CANARY}"` } });
    await call('POST', `${B}/secrets`, { secret_id: 'canary-bad3', secret_type: 'azure_sas', secret_value: { account_name: 'abc', sas_token: `${CANARY} sig=` } });
    await call('PUT', `${B}/secrets/canary`, { secret_value: { ...s3, session_token: CANARY } });
    await call('PUT', `${B}/secrets/canary`, { secret_value: { ...s3, secret_access_key: `${CANARY}-2` } }, { 'if-match': '1' }); // 412
    await call('PATCH', `${B}/secrets/canary`, { secret_value: { endpoint_url: CANARY } }); // 400: not a URL
    await call('PATCH', `${B}/secrets/canary`, { description: 'rotated' });
    await call('GET', `${B}/secrets/canary`);
    await call('GET', `${B}/secrets/canary/value`);
    await call('GET', `${B}/secrets/canary/value?version=1`);
    await call('GET', `${B}/secrets/canary/versions`);
    await call('GET', `${B}/secrets`);
    await call('GET', `${B}/secrets?q=canary`);
    await call('GET', `${B}/secrets/ids`);
    await call('GET', `${B}/secrets/ids?connector_type=s3`);
    await call('DELETE', `${B}/secrets/canary-generic`);
    await call('GET', `${B}/secrets/trash`);
    await call('POST', `${B}/secrets/canary-generic/restore`);
    await call('GET', `${B}/audit?limit=500`);
    await call('GET', `${B}/audit/verify`);
    await call('GET', `${B}/openapi.json`);

    assert.equal(inValue.length, 2);
    assert.ok(inValue.every((v) => v.includes(CANARY)), `the value answers carry the value: ${inValue.join('\n')}`);
    for (const line of outside) assert.ok(!line.includes(CANARY), `leaked in: ${line.slice(0, 300)}`);
    assert.ok(!t.logs().includes(CANARY), 'leaked into the logs');
    assert.match(t.logs(), /request completed/, 'the logs were captured');

    // Every row of every table, bytes included, on either backend.
    const { db } = t.coffer.database;
    const tables = ['audit_log', 'secrets', 'secret_versions', 'users', 'roles', 'api_keys', 'sessions', 'connectors', 'meta'] as const;
    const rows = await Promise.all(tables.map((table) => db.selectFrom(table).selectAll().execute()));
    assert.ok(rows[0]!.length >= 8, `only ${rows[0]!.length} audit entries`);
    for (const [i, r] of rows.entries()) {
      const text = JSON.stringify(r, (_k, v) => (v?.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v));
      assert.ok(!text.includes(CANARY), `leaked into table ${tables[i]}`);
    }
  } finally {
    // Every file the store wrote (SQLite: database, WAL, shared memory; PostgreSQL: its tables and WAL).
    const files = await closeAndListStoreFiles(t);
    if (t.backend === 'sqlite') assert.ok(files?.some((f) => path.basename(f) === 'coffer.db'), "files?.some((f) => path.basename(f) === 'coffer.db')");
    for (const f of files ?? []) {
      const bytes = readFileSync(f);
      assert.equal(bytes.indexOf(CANARY), -1, `plaintext found in ${f}`);
      assert.equal(bytes.indexOf(Buffer.from(CANARY, 'utf16le')), -1, `plaintext (utf-16) found in ${f}`);
    }
    await t.app.close();
  }
});
