import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import { failAuditWrites, S3_VALUE, startTestEnv, type TestEnv } from '../../test/helpers.js';

const B = '/api/v1';
let t: TestEnv;

before(async () => {
  t = await startTestEnv();
});
after(() => t.close());

const verify = async () => (await t.admin('GET', `${B}/audit/verify`)).json() as { ok: boolean; entries: number; first_broken: number | null; reason?: string };
const db = () => t.coffer.database.db;

describe('audit log', () => {
  beforeEach(async () => {
    // A fresh, intact chain for each tampering test.
    await db().deleteFrom('audit_log').execute();
    for (let i = 0; i < 6; i++) await t.admin('POST', `${B}/secrets`, { secret_id: `a${Date.now()}-${i}`, secret_value: { n: String(i) } });
  });

  it('records who did what to which target, with the request facts, and never a value', async () => {
    await t.admin('POST', `${B}/secrets`, { secret_id: 'audited', secret_type: 's3', secret_value: S3_VALUE }, { 'user-agent': 'audit-test/1.0' });
    await t.admin('GET', `${B}/secrets/audited/value`);
    const page = (await t.admin('GET', `${B}/audit?target=secret:audited`)).json();
    const [read, create] = page.items;
    assert.equal(read.action, 'secret.read_value');
    assert.equal(create.action, 'secret.create');
    assert.equal(create.actor, 'admin@example.com');
    assert.equal(create.outcome, 'allowed');
    assert.equal(create.user_agent, 'audit-test/1.0');
    assert.match(create.request_id, /^[0-9a-f-]{36}$/);
    assert.equal(create.client_ip, '127.0.0.1');
    assert.match(create.details.via, /^api_key:/);
    assert.ok(read.seq > create.seq, 'read.seq > create.seq');
    assert.equal(read.prev_hash.length, 64);
    assert.ok(!JSON.stringify(page).includes(S3_VALUE.secret_access_key), '!JSON.stringify(page).includes(S3_VALUE.secret_access_key)');
  });

  it('filters by actor, action, target and time, newest first, with a cursor', async () => {
    const all = (await t.admin('GET', `${B}/audit?action=secret.create&limit=4`)).json();
    assert.equal(all.items.length, 4);
    assert.ok(all.items[0].seq > all.items[3].seq, 'all.items[0].seq > all.items[3].seq');
    const next = (await t.admin('GET', `${B}/audit?action=secret.create&limit=4&cursor=${all.next_cursor}`)).json();
    assert.ok(next.items.every((e: { seq: number }) => e.seq < all.items[3].seq), 'next.items.every((e: { seq: number }) => e.seq < all.items[3].seq)');
    const future = (await t.admin('GET', `${B}/audit?since=2999-01-01T00:00:00Z`)).json();
    assert.equal(future.items.length, 0);
    const past = (await t.admin('GET', `${B}/audit?until=2000-01-01T00:00:00Z`)).json();
    assert.equal(past.items.length, 0);
    assert.ok((await t.admin('GET', `${B}/audit?actor=admin@example.com`)).json().items.length >= 6, "(await t.admin('GET', `${B}/audit?actor=admin@example.com`)).json().items.length >= 6");
    for (const q of ['since=yesterday', 'limit=0', 'cursor=-1', 'colour=red']) assert.equal((await t.admin('GET', `${B}/audit?${q}`)).statusCode, 400, q);
  });

  it('verify reports an intact chain with its length', async () => {
    const v = await verify();
    assert.equal(v.ok, true);
    assert.equal(v.first_broken, null);
    assert.ok(v.entries >= 6, 'v.entries >= 6');
  });

  it('finds an edited entry', async () => {
    await db().updateTable('audit_log').set({ actor: 'someone-else@example.com' }).where('seq', '=', sql<number>`(select min(seq) + 2 from audit_log)`).execute();
    const first = (await db().selectFrom('audit_log').select((e) => e.fn.min('seq').as('m')).executeTakeFirstOrThrow()).m as number;
    const v = await verify();
    assert.equal(v.ok, false);
    assert.equal(v.first_broken, first + 2);
    assert.match(v.reason!, /altered/);
  });

  it('finds a removed entry', async () => {
    const first = (await db().selectFrom('audit_log').select((e) => e.fn.min('seq').as('m')).executeTakeFirstOrThrow()).m as number;
    await db().deleteFrom('audit_log').where('seq', '=', first + 3).execute();
    const v = await verify();
    assert.equal(v.ok, false);
    assert.equal(v.first_broken, first + 3);
    assert.match(v.reason!, /missing/);
  });

  it('finds reordered entries', async () => {
    const rows = await db().selectFrom('audit_log').selectAll().orderBy('seq').execute();
    const [x, y] = [rows[1]!, rows[2]!];
    // Swap the contents of two neighbours but keep their sequence numbers.
    await db().updateTable('audit_log').set({ ...y, seq: x.seq }).where('seq', '=', x.seq).execute();
    await db().updateTable('audit_log').set({ ...x, seq: y.seq }).where('seq', '=', y.seq).execute();
    const v = await verify();
    assert.equal(v.ok, false);
    assert.equal(v.first_broken, x.seq);
  });

  it('finds a forged entry appended with a made-up hash', async () => {
    const last = await db().selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    await db().insertInto('audit_log').values({ ...last, seq: last.seq + 1, prev_hash: last.hash, action: 'secret.delete', hash: 'f'.repeat(64) }).execute();
    const v = await verify();
    assert.equal(v.ok, false);
    assert.equal(v.first_broken, last.seq + 1);
  });
});

describe('grouped commits', () => {
  it('hundreds of concurrent value reads and changes each get one entry in one intact chain', async () => {
    await db().deleteFrom('audit_log').execute(); // the tampering tests above leave a broken chain
    await t.admin('POST', `${B}/secrets`, { secret_id: 'busy', secret_value: { a: 'b' } });
    const before = (await verify()).entries;
    const reads = Array.from({ length: 300 }, () => t.admin('GET', `${B}/secrets/busy/value`));
    const writes = Array.from({ length: 30 }, (_, i) => t.admin('POST', `${B}/secrets`, { secret_id: `busy-${i}`, secret_value: { a: 'b' } }));
    const answers = await Promise.all([...reads, ...writes]);
    assert.ok(answers.every((a) => a.statusCode === 200 || a.statusCode === 201), 'answers.every((a) => a.statusCode === 200 || a.statusCode === 201)');
    const v = await verify();
    assert.equal(v.ok, true, v.reason);
    assert.equal(v.entries, before + 330);
    const reqIds = new Set(answers.map((a) => a.headers['x-request-id']));
    const rows = await db().selectFrom('audit_log').select(['request_id', 'seq']).where('action', 'in', ['secret.read_value', 'secret.create']).execute();
    assert.equal(rows.filter((r) => reqIds.has(r.request_id)).length, 330, 'one entry per request');
  });
});

describe('fail closed', () => {
  it('when the audit log cannot be written, a value read is 503 with no value, and a change is not made', async () => {
    await t.admin('POST', `${B}/secrets`, { secret_id: 'guarded', secret_type: 's3', secret_value: S3_VALUE });
    const restore = await failAuditWrites(t);
    try {
      const read = await t.admin('GET', `${B}/secrets/guarded/value`);
      assert.equal(read.statusCode, 503);
      assert.equal(read.json().error.code, 'audit_unavailable');
      assert.ok(!read.body.includes(S3_VALUE.secret_access_key), '!read.body.includes(S3_VALUE.secret_access_key)');
      const update = await t.admin('PUT', `${B}/secrets/guarded`, { secret_value: { ...S3_VALUE, region: 'eu-west-1' } });
      assert.equal(update.statusCode, 503);
      const create = await t.admin('POST', `${B}/secrets`, { secret_id: 'never', secret_value: { a: 'b' } });
      assert.equal(create.statusCode, 503);
      const del = await t.admin('DELETE', `${B}/secrets/guarded`);
      assert.equal(del.statusCode, 503);
    } finally {
      await restore();
    }
    const meta = (await t.admin('GET', `${B}/secrets/guarded`)).json();
    assert.equal(meta.version, 1, 'the update was not applied');
    assert.equal(meta.deleted_at, null, 'the delete was not applied');
    assert.equal((await t.admin('GET', `${B}/secrets/never`)).statusCode, 404, 'the create was not applied');
    assert.equal((await t.admin('GET', `${B}/secrets/guarded/value`)).json().region, 'us-east-1');
  });
});
