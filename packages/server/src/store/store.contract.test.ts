// The store contract: what services may rely on, whichever backend is under them. Runs on SQLite and,
// with COFFER_TEST_BACKEND=postgres (scripts/test.sh does both), on PostgreSQL. Several `open()`s of
// one store stand for several replicas (on PostgreSQL: separate connection pools).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { createAccessStore } from '../access/access.store.js';
import { createAuditService, type AuditContext } from '../audit/audit.service.js';
import { createAuditStore } from '../audit/audit.store.js';
import { chainRows } from '../audit/chain.js';
import { AppError } from '../errors.js';
import { createTestStore, type TestStore } from '../../test/helpers.js';
import { MIGRATION_NAMES, type Database } from './db.js';

const at = '2024-01-01T00:00:00.000Z';
const ctx: AuditContext = { actor: 'contract', via: 'test', ip: '127.0.0.1', userAgent: 'node', requestId: 'r' };
const user = (id: string, email: string, disabled = 0) => ({ id, workspace_id: 'default', email, password_hash: 'h', disabled, created_at: at, updated_at: at });

let store: TestStore;
let database: Database;
before(async () => {
  store = await createTestStore();
  database = await store.open();
});
after(async () => {
  await database.close();
  await store.drop();
});

/**
 * n replicas of the store, for fn. PostgreSQL: n more connection pools, as n server processes would
 * have. SQLite (filebased) is one process by design: its replicas are the one connection, whose
 * transactions are serialised; a second process would block the event loop in SQLite's busy wait.
 */
async function replicas<T>(n: number, fn: (dbs: Database[]) => Promise<T>): Promise<T> {
  if (store.backend === 'sqlite') return fn(Array.from({ length: n }, () => database));
  const dbs = await Promise.all(Array.from({ length: n }, () => store.open()));
  try {
    return await fn(dbs);
  } finally {
    await Promise.all(dbs.map((d) => d.close()));
  }
}

describe('types', () => {
  it('booleans are 0/1 numbers and counts are numbers', async () => {
    const access = createAccessStore(database);
    await database.tx((trx) => access.insertUser(trx, user('u-bool', 'bool@example.com', 1)));
    const row = await access.userById('u-bool');
    assert.equal(row?.disabled, 1);
    assert.equal(typeof (await access.countUsers()), 'number');
    const { n } = await database.db.selectFrom('users').select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow();
    assert.ok(Number(n) >= 1, 'Number(n) >= 1');
  });

  it('bytes round-trip as Buffers, every byte value included', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await database.tx((trx) => trx.insertInto('sessions').values({ id: bytes, user_id: 'u-bool', csrf_token: 'c', created_at: at, last_seen_at: at, expires_at: at }).execute());
    const row = await database.db.selectFrom('sessions').selectAll().where('id', '=', bytes).executeTakeFirstOrThrow();
    assert.ok(Buffer.isBuffer(row.id), 'Buffer.isBuffer(row.id)');
    assert.ok(row.id.equals(bytes), 'row.id.equals(bytes)');
  });

  it('text keeps any Unicode, and U+0000 is refused with a validation error on both backends', async () => {
    const name = 'Zoë 🗝️ 東京 \u00a0';
    await database.tx((trx) => trx.insertInto('meta').values({ key: 'unicode', value: name }).execute());
    assert.equal((await database.db.selectFrom('meta').select('value').where('key', '=', 'unicode').executeTakeFirstOrThrow()).value, name);
    await assert.rejects(
      database.tx((trx) => trx.insertInto('meta').values({ key: 'nul', value: 'a\0b' }).execute()),
      (e: unknown) => e instanceof AppError && e.code === 'validation_error' && /NUL/.test(e.message),
    );
  });

  it('text sorts and compares byte by byte, whatever the server locale', async () => {
    const ids = ['b', 'A', 'a', 'B', 'a-b', 'ab', 'Z', '_x', '0'];
    await database.tx((trx) => trx.insertInto('meta').values(ids.map((k) => ({ key: `sort:${k}`, value: k }))).execute());
    const rows = await database.db.selectFrom('meta').select('value').where('key', 'like', 'sort:%').orderBy('key').execute();
    assert.deepEqual(rows.map((r) => r.value), [...ids].sort());
    const above = await database.db.selectFrom('meta').select('value').where('key', 'like', 'sort:%').where('key', '>', 'sort:Z').orderBy('key').execute();
    assert.deepEqual(above.map((r) => r.value), ['_x', 'a', 'a-b', 'ab', 'b']);
  });
});

describe('transactions', () => {
  it('a unique violation is recognised; other errors are not', async () => {
    await database.tx((trx) => trx.insertInto('meta').values({ key: 'dup', value: '1' }).execute());
    const dup = await database.tx((trx) => trx.insertInto('meta').values({ key: 'dup', value: '2' }).execute()).catch((e: unknown) => e);
    assert.ok(database.isUniqueViolation(dup), String(dup));
    const fk = await database.tx((trx) => trx.insertInto('user_roles').values({ user_id: 'nobody', role_id: 'nothing' }).execute()).catch((e: unknown) => e);
    assert.ok(fk instanceof Error, 'fk instanceof Error');
    assert.ok(!database.isUniqueViolation(fk), '!database.isUniqueViolation(fk)');
  });

  it('an error rolls the whole transaction back', async () => {
    await assert.rejects(database.tx(async (trx) => {
      await trx.insertInto('meta').values({ key: 'rolled-back', value: 'x' }).execute();
      throw new Error('boom');
    }), /boom/);
    assert.equal(await database.db.selectFrom('meta').select('key').where('key', '=', 'rolled-back').executeTakeFirst(), undefined);
  });

  it('a snapshot does not see what commits after it began, and does not block writers', async () => {
    await database.tx((trx) => trx.insertInto('meta').values({ key: 'snap', value: 'before' }).execute());
    // A second connection on both backends: on SQLite a reader and a writer do not wait for each other (WAL).
    const other = await store.open();
    try {
      const seen = await database.snapshot(async (trx) => {
        const first = await trx.selectFrom('meta').select('value').where('key', '=', 'snap').executeTakeFirstOrThrow();
        await other!.tx((w) => w.updateTable('meta').set({ value: 'after' }).where('key', '=', 'snap').execute());
        const second = await trx.selectFrom('meta').select('value').where('key', '=', 'snap').executeTakeFirstOrThrow();
        return [first.value, second.value];
      });
      assert.deepEqual(seen, ['before', 'before']);
    } finally {
      await other.close();
    }
    assert.equal((await database.db.selectFrom('meta').select('value').where('key', '=', 'snap').executeTakeFirstOrThrow()).value, 'after');
  });
});

/** Read, wait, write back +1: loses updates unless something serialises the transactions. */
async function increments(dbs: Database[], key: string, n: number, serialise: (db: Database, trx: Parameters<Parameters<Database['tx']>[0]>[0]) => Promise<number>): Promise<number> {
  await database.tx((trx) => trx.insertInto('meta').values({ key, value: '0' }).execute());
  await Promise.all(Array.from({ length: n }, (_, i) => {
    const db = dbs[i % dbs.length]!;
    return db.tx(async (trx) => {
      const current = await serialise(db, trx);
      await sleep(5);
      await trx.updateTable('meta').set({ value: String(current + 1) }).where('key', '=', key).execute();
    });
  }));
  return Number((await database.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirstOrThrow()).value);
}

const read = (key: string) => (trx: Parameters<Parameters<Database['tx']>[0]>[0]) => trx.selectFrom('meta').select('value').where('key', '=', key);

describe('locks across replicas', () => {
  it('forUpdate() serialises read-modify-write of one row', async () => {
    const total = await replicas(3, (dbs) => increments(dbs, 'row-lock', 24, async (db, trx) => Number((await db.forUpdate(read('row-lock')(trx)).executeTakeFirstOrThrow()).value)));
    assert.equal(total, 24);
  });

  it('a named lock serialises whole transactions', async () => {
    const total = await replicas(3, (dbs) => increments(dbs, 'named-lock', 24, async (db, trx) => {
      await db.lock(trx, 'counter');
      return Number((await read('named-lock')(trx).executeTakeFirstOrThrow()).value);
    }));
    assert.equal(total, 24);
  });

  it('(control) without a lock the same workload loses updates on PostgreSQL, so the two tests above can fail', async (t) => {
    if (store.backend !== 'postgres') return t.skip('SQLite serialises every write transaction (BEGIN IMMEDIATE)');
    const total = await replicas(3, (dbs) => increments(dbs, 'no-lock', 24, async (_db, trx) => Number((await read('no-lock')(trx).executeTakeFirstOrThrow()).value)));
    assert.ok(total < 24, `expected lost updates, got ${total}`);
  });

  it('the audit chain stays one valid chain with many writers on several replicas', async () => {
    const before = (await createAuditService({ database }).verify()).entries;
    await replicas(3, async (dbs) => {
      const services = dbs.map((d) => createAuditService({ database: d }));
      // Entries of their own (value reads: batched, put after the last entry a replica knows of)
      // race with entries written inside a change's transaction, which must never lose that race.
      await Promise.all(Array.from({ length: 120 }, (_, i) => {
        const [service, d] = [services[i % 3]!, dbs[i % 3]!];
        const ev = { action: 'test.append', target: `t:${i}`, outcome: 'allowed' as const };
        return i % 4 === 3 ? d.tx((trx) => service.append(trx, { ...ctx, requestId: `c${i}` }, ev)) : service.record({ ...ctx, requestId: `r${i}` }, ev);
      }));
    });
    const v = await createAuditService({ database }).verify();
    assert.deepEqual(v, { ok: true, entries: before + 120, first_broken: null });
  });

  it('a change that holds the chain lock keeps its place: a batch from another replica waits for it (PostgreSQL)', async (t) => {
    if (store.backend !== 'postgres') return t.skip('SQLite: one writer at a time, batches and changes alike');
    await replicas(2, async ([changer, batcher]) => {
      const audit = createAuditService({ database: batcher! });
      await audit.record(ctx, { action: 'test.warm', target: 't:warm', outcome: 'allowed' }); // it now knows the last entry
      let batch: Promise<void> | undefined;
      await changer!.tx(async (trx) => {
        // A change appends as appendEntries does: the lock, the last entry, then (later) its row.
        await changer!.lockAuditChain(trx);
        const auditStore = createAuditStore(changer!);
        const last = await auditStore.last(trx);
        batch = audit.record(ctx, { action: 'test.batch', target: 't:batch', outcome: 'allowed' });
        await sleep(300); // the batch reaches PostgreSQL meanwhile: it must wait for the lock, not take this place
        const entry = { workspace_id: 'default', at: new Date().toISOString(), actor: 'contract', action: 'test.change', target: 't:change', outcome: 'allowed', client_ip: '127.0.0.1', user_agent: 'node', request_id: 'c', details: '{}' };
        await auditStore.insert(trx, chainRows(last, [entry]));
      });
      await batch;
      const [newest, before] = await database.db.selectFrom('audit_log').select(['action']).orderBy('seq', 'desc').limit(2).execute();
      assert.deepEqual([before!.action, newest!.action], ['test.change', 'test.batch']);
    });
    assert.equal((await createAuditService({ database }).verify()).ok, true);
  });

  it('a batch is never put after an entry that is no longer the end of the log (PostgreSQL)', async (t) => {
    if (store.backend !== 'postgres') return t.skip('SQLite reads the last entry under its lock for every batch');
    await replicas(1, async ([d]) => {
      const audit = createAuditService({ database: d! });
      for (const n of ['one', 'two']) await audit.record(ctx, { action: `test.${n}`, target: `t:${n}`, outcome: 'allowed' });
      // The entry this server remembers as the last one is gone (a hand edit, an older backup restored).
      await sql`delete from audit_log where seq = (select max(seq) from audit_log)`.execute(database.db);
      await audit.record(ctx, { action: 'test.three', target: 't:three', outcome: 'allowed' });
    });
    const v = await createAuditService({ database }).verify();
    assert.equal(v.ok, true, v.reason);
  });

  it('a batch waiting for the chain lock is not put after entries removed meanwhile (PostgreSQL)', async (t) => {
    if (store.backend !== 'postgres') return t.skip('SQLite reads the last entry under its lock for every batch');
    await replicas(2, async ([importer, batcher]) => {
      const audit = createAuditService({ database: batcher! });
      for (const n of ['one', 'two', 'three']) await audit.record(ctx, { action: `test.${n}`, target: `t:${n}`, outcome: 'allowed' });
      let batch: Promise<void> | undefined;
      await importer!.tx(async (trx) => {
        // As `coffer import --replace` does: under the chain lock, the log becomes a shorter one.
        await importer!.lockAuditChain(trx);
        await sql`delete from audit_log where seq > (select max(seq) - 2 from audit_log)`.execute(trx);
        // The batch starts now, while the old end of the log is still what it sees, and waits for the lock.
        batch = audit.record(ctx, { action: 'test.after', target: 't:after', outcome: 'allowed' });
        const waiting = sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and wait_event = 'advisory' and query like 'insert into audit_log%'`;
        for (let i = 0; (await waiting.execute(database.db)).rows[0]!.n === 0; i++) {
          assert.ok(i < 500, 'the batch never waited for the chain lock');
          await sleep(10);
        }
      });
      await batch;
    });
    const v = await createAuditService({ database }).verify();
    assert.equal(v.ok, true, v.reason);
  });

  it('a batch meant for an empty log is refused when the log is not empty, whatever its first entry (PostgreSQL)', async (t) => {
    if (store.backend !== 'postgres') return t.skip('SQLite reads the last entry under its lock for every batch');
    const audit = createAuditService({ database });
    for (const n of ['one', 'two']) await audit.record(ctx, { action: `test.${n}`, target: `t:${n}`, outcome: 'allowed' });
    // A log that no longer starts at 1 (a hand edit): seq 1 is free, so only the check can refuse.
    const first = await database.db.selectFrom('audit_log').selectAll().orderBy('seq').limit(1).executeTakeFirstOrThrow();
    await database.db.deleteFrom('audit_log').where('seq', '=', first.seq).execute();
    const before = await database.db.selectFrom('audit_log').select(['seq']).orderBy('seq').execute();
    const entry = { workspace_id: 'default', at: new Date().toISOString(), actor: 'contract', action: 'test.empty', target: 't:empty', outcome: 'allowed', client_ip: '127.0.0.1', user_agent: 'node', request_id: 'e', details: '{}' };
    const appended = await createAuditStore(database).appendAfter(undefined, chainRows(undefined, [entry]));
    const after = await database.db.selectFrom('audit_log').select(['seq']).orderBy('seq').execute();
    await database.db.deleteFrom('audit_log').where('action', '=', 'test.empty').execute();
    await database.db.insertInto('audit_log').values(first).execute(); // the log as the next tests found it
    assert.equal(appended, false);
    assert.deepEqual(after, before);
  });

  it('(control) without the chain lock concurrent writers collide on PostgreSQL', async (t) => {
    if (store.backend !== 'postgres') return t.skip('SQLite serialises every write transaction (BEGIN IMMEDIATE)');
    const failures = await replicas(3, async (dbs) => {
      const services = dbs.map((d) => createAuditService({ database: { ...d, lockAuditChain: async () => undefined } }));
      const unlocked = (i: number) => dbs[i % 3]!.tx((trx) => services[i % 3]!.append(trx, ctx, { action: 'test.unlocked', target: `t:${i}`, outcome: 'allowed' }));
      const r = await Promise.allSettled(Array.from({ length: 60 }, (_, i) => unlocked(i)));
      return r.filter((x) => x.status === 'rejected').length;
    });
    assert.ok(failures > 0, 'every unlocked append succeeded: the chain test above would not notice a missing lock');
  });
});

describe('connections', () => {
  it('a connection the server drops fails its transaction, not the process; the next one works', async (t) => {
    if (store.backend !== 'postgres') return t.skip('SQLite has no server connection');
    await replicas(1, async ([victim]) => {
      const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(victim!.db)).rows[0]!.pid;
      const inFlight = victim!.tx(async (trx) => {
        await sql`select pg_backend_pid()`.execute(trx); // the same pooled connection: the pool had one idle
        await sql`select pg_sleep(10)`.execute(trx);
      });
      // Only once it is inside pg_sleep: killed between statements (a loaded machine), the client
      // would already know its connection is gone and refuse the next statement itself.
      const sleeping = sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where pid = ${pid} and state = 'active' and query like '%pg_sleep(10)%'`;
      for (let i = 0; (await sleeping.execute(database.db)).rows[0]!.n === 0; i++) {
        assert.ok(i < 500, 'the transaction never reached pg_sleep');
        await sleep(10);
      }
      await sql`select pg_terminate_backend(${pid})`.execute(database.db);
      await assert.rejects(inFlight, /terminat/i);
      assert.equal((await sql<{ one: number }>`select 1 as one`.execute(victim!.db)).rows[0]!.one, 1);
    });
  });
});

describe('migrations', () => {
  it('replicas opening a fresh store at once migrate it once', async () => {
    const fresh = await createTestStore();
    try {
      // filebased is one process: its opens come one after another.
      const dbs = fresh.backend === 'postgres'
        ? await Promise.all(Array.from({ length: 6 }, () => fresh.open()))
        : [await fresh.open(), await fresh.open()];
      const names = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(dbs[0]!.db);
      assert.deepEqual(names.rows.map((r) => r.name), MIGRATION_NAMES);
      assert.ok(dbs.every((d) => d.schemaAhead.length === 0), 'dbs.every((d) => d.schemaAhead.length === 0)');
      await Promise.all(dbs.map((d) => d.close()));
    } finally {
      await fresh.drop();
    }
  });

  it('a replica of an older release starts on a schema that a newer one already migrated (rolling upgrade)', async () => {
    const later = new Date(Date.now() + 60_000).toISOString();
    await sql`insert into kysely_migration (name, timestamp) values ('999_from_a_newer_release', ${later})`.execute(database.db);
    try {
      const older = await store.open();
      assert.deepEqual(older.schemaAhead, ['999_from_a_newer_release']);
      await older.close();
    } finally {
      await sql`delete from kysely_migration where name = '999_from_a_newer_release'`.execute(database.db);
    }
  });
});
