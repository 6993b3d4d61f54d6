// Internal errors on the value path, forced for real (a corrupt row, a missing key, a value that
// is not JSON, database errors whose messages quote the value), must answer a bare 500 and log
// only the error's class and call sites: never the value, whatever the error's message says.
// coffer-test: sqlite-only (the faults are planted with SQLite SQL; the error handler is the same on both stores)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startTestEnv, type TestEnv } from '../../test/helpers.js';
import { createEnvelope } from '../crypto/envelope.js';

const B = '/api/v1';
const CANARY = 'LEAK-CANARY-5b1e';
const SHORT = 'pw-5b1e-2c';
const BARE_500 = { error: { code: 'internal_error', message: 'Internal error.' } };
const METRICS_TOKEN = 'metrics-token-for-the-leak-test-0123456789';

describe('internal errors carry no secret value', () => {
  let t: TestEnv;
  const db = () => t.coffer.database.db;
  const version1 = (id: string) => db().updateTable('secret_versions').where('secret_id', '=', id).where('version', '=', 1);

  before(async () => {
    t = await startTestEnv({ SECRET_MANAGER_METRICS_TOKEN: METRICS_TOKEN });
    for (const id of ['flipped', 'unjson', 'orphan', 'renamed']) {
      const r = await t.admin('POST', `${B}/secrets`, { secret_id: id, secret_value: { token: `${CANARY}-${id}` } });
      assert.equal(r.statusCode, 201);
    }
  });
  after(async () => t.close());

  async function assertBare500(method: 'GET' | 'POST', url: string, body?: unknown) {
    const before = t.logs().length;
    const r = await t.admin(method, url, body);
    assert.equal(r.statusCode, 500, r.body);
    assert.deepEqual(r.json(), BARE_500);
    assert.ok(!r.body.includes(CANARY) && !JSON.stringify(r.headers).includes(CANARY), '!r.body.includes(CANARY) && !JSON.stringify(r.headers).includes(CANARY)');
    const logged = t.logs().slice(before);
    assert.match(logged, /"msg":"request failed"/, 'the failure is logged');
    assert.ok(!logged.includes(CANARY), `the value reached the log:\n${logged}`);
    return JSON.parse(logged.split('\n').find((l) => l.includes('request failed'))!) as { errName: string; stack: string };
  }

  it('a flipped ciphertext byte', async () => {
    const row = await db().selectFrom('secret_versions').select('ciphertext').where('secret_id', '=', 'flipped').executeTakeFirstOrThrow();
    const c = Buffer.from(row.ciphertext);
    c[20]! ^= 1;
    await version1('flipped').set({ ciphertext: c }).execute();
    assert.equal((await assertBare500('GET', `${B}/secrets/flipped/value`)).errName, 'DecryptError');
  });

  it('a value that decrypts but is not JSON: JSON.parse would quote it, line breaks and all', async () => {
    // Sealed with the real key, as a bug or a bad migration might have stored it.
    // Short, because V8 quotes a short input whole (a long one only by its first 10 characters).
    const sealed = createEnvelope(t.coffer.keyring).seal({ workspace: 'default', secretId: 'unjson', version: 1 }, Buffer.from(`x\n${SHORT}`));
    await version1('unjson').set({ ciphertext: sealed.ciphertext, wrapped_key: sealed.wrappedKey, kek_id: sealed.kekId }).execute();
    const e = await assertBare500('GET', `${B}/secrets/unjson/value`);
    assert.ok(!t.logs().includes(SHORT), 'the second line of the value reached the log');
    assert.match(e.stack, /^\s+at /, 'only call sites are logged');
  });

  it('a data key wrapped by a key that is not in the keyring', async () => {
    await version1('orphan').set({ kek_id: 'gone' }).execute();
    await assertBare500('GET', `${B}/secrets/orphan/value`);
  });

  it('a database error whose message quotes the value being written, on a second line', async () => {
    await sql.raw(`create trigger quoting before insert on secret_versions begin select raise(abort, 'constraint failed:\n${CANARY}'); end`).execute(db());
    try {
      await assertBare500('POST', `${B}/secrets`, { secret_id: 'never-stored', secret_value: { token: CANARY } });
    } finally {
      await sql`drop trigger quoting`.execute(db());
    }
    assert.equal((await t.admin('GET', `${B}/secrets/never-stored`)).statusCode, 404, 'and nothing was stored');
  });

  it('a table gone missing under a value read', async () => {
    await sql`alter table secret_versions rename to secret_versions_away`.execute(db());
    try {
      await assertBare500('GET', `${B}/secrets/renamed/value`);
    } finally {
      await sql`alter table secret_versions_away rename to secret_versions`.execute(db());
    }
    assert.equal((await t.admin('GET', `${B}/secrets/renamed/value`)).json().token, `${CANARY}-renamed`, 'the store works again');
  });

  it('and nothing else was ever logged with a value in it, nor counted in /metrics', async () => {
    assert.ok(!t.logs().includes(CANARY) && !t.logs().includes(SHORT), '!t.logs().includes(CANARY) && !t.logs().includes(SHORT)');
    const m = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(m.statusCode, 200);
    assert.match(m.body, /coffer_/, 'the metrics were scraped');
    assert.ok(!m.body.includes(CANARY) && !m.body.includes(SHORT), '!m.body.includes(CANARY) && !m.body.includes(SHORT)');
  });
});
