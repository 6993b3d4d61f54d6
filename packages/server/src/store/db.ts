// One store interface over two dialects. Every dialect difference (transactions and locks,
// unique violations, driver types) is handled here and nowhere else.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.js';
import * as m001 from './migrations/001_initial.js';
import * as m002 from './migrations/002_access_generation.js';
import * as m003 from './migrations/003_listing_indexes.js';
import * as m004 from './migrations/004_content_generation.js';
import * as m005 from './migrations/005_audit_append.js';
import { withTextGuard } from './text-guard.js';

export type Dialect = 'sqlite' | 'postgres';
export type Tx = Kysely<DB>;

export interface Database {
  readonly dialect: Dialect;
  readonly db: Kysely<DB>;
  /** SQLite: the file, for a second connection on another thread (the audit writer). */
  readonly location?: { file: string; synchronous: 'full' | 'normal' };
  /** Runs fn in one write transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: READ COMMITTED). */
  tx<T>(fn: (trx: Tx) => Promise<T>): Promise<T>;
  /** Serialises writers of the audit chain for the rest of the transaction. */
  lockAuditChain(trx: Tx): Promise<void>;
  /**
   * Serialises, across every process on this database, the transactions that take the same named
   * lock, until they end (PostgreSQL: an advisory transaction lock; SQLite: BEGIN IMMEDIATE already
   * lets one writer in at a time).
   */
  lock(trx: Tx, name: string): Promise<void>;
  /** Adds FOR UPDATE on PostgreSQL (the row stays locked to the end of the transaction); SQLite has no row locks and needs none. */
  forUpdate<Q extends { forUpdate(): Q }>(query: Q): Q;
  /** Runs fn on one consistent, read-only snapshot, without blocking writers (backups). */
  snapshot<T>(fn: (trx: Tx) => Promise<T>): Promise<T>;
  isUniqueViolation(err: unknown): boolean;
  /** Migrations this database has run that this build does not know: a newer replica got there first. */
  readonly schemaAhead: string[];
  /**
   * SQLite files: a small read run at once, synchronously, on a connection of its own that sees
   * only what is committed (never this process's open transaction) and waits behind no one.
   * For the one query every request makes; elsewhere undefined.
   */
  readonly readCommitted?: (text: string) => (...params: unknown[]) => unknown;
  /** Checks the database answers (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseOptions =
  | { kind: 'sqlite'; file: string; synchronous?: 'full' | 'normal' }
  | { kind: 'postgres'; url: string; poolSize?: number };

const MIGRATIONS: Record<string, (d: Dialect) => Migration> = {
  '001_initial': (d) => ({ up: (db) => m001.up(db, d) }),
  '002_access_generation': () => ({ up: (db) => m002.up(db) }),
  '003_listing_indexes': () => ({ up: (db) => m003.up(db) }),
  '004_content_generation': (d) => ({ up: (db) => m004.up(db, d) }),
  '005_audit_append': (d) => ({ up: (db) => m005.up(db, d) }),
};

export const MIGRATION_NAMES = Object.keys(MIGRATIONS).sort();
const MIGRATION_TABLE = 'kysely_migration';

async function executedMigrations(db: Kysely<DB>): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === MIGRATION_TABLE)) return [];
  const rows = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(db);
  return rows.rows.map((r) => r.name);
}

/**
 * Brings the schema to this build's latest. Replicas starting together migrate once: on PostgreSQL
 * kysely's Migrator holds a session advisory lock (pg_advisory_lock) around reading the executed
 * migrations and running the pending ones in one transaction (checked in kysely 0.28's source and by
 * store.contract.test.ts). A rolling upgrade has old and new replicas side by side: an old replica
 * finds migrations it does not know and, since migrations only ever add (README: expand, then
 * contract in a later release), runs on the newer schema instead of refusing to start.
 */
export async function migrate(db: Kysely<DB>, dialect: Dialect): Promise<{ ahead: string[] }> {
  const known = Object.fromEntries(Object.entries(MIGRATIONS).map(([k, f]) => [k, f(dialect)]));
  const readAhead = async () => (await executedMigrations(db)).filter((n) => !(n in known)).sort();
  // SQLite has one connection, which the Migrator holds while it calls the provider: read first
  // (one process per file). PostgreSQL: read in the provider, on another pooled connection, while
  // the Migrator holds its lock, so the names are the final ones.
  let ahead = dialect === 'sqlite' ? await readAhead() : [];
  const migrator = new Migrator({
    db,
    provider: {
      getMigrations: async () => {
        if (dialect === 'postgres') ahead = await readAhead();
        const placeholders = Object.fromEntries(ahead.map((n) => [n, { up: async () => undefined } satisfies Migration]));
        return { ...known, ...placeholders };
      },
    },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${(error as Error).message}`);
  }
  return { ahead };
}

/**
 * kysely's SQLite driver prepares every query afresh; preparing costs more than running the
 * small queries of a request. Statements are kept by their SQL text (bounded: queries with
 * IN-lists of varying length make new texts).
 */
function cachingStatements(handle: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => handle.close(),
    prepare(text: string) {
      let stmt = cache.get(text);
      if (!stmt) {
        if (cache.size >= 1000) cache.clear();
        stmt = handle.prepare(text);
        cache.set(text, stmt);
      }
      return stmt;
    },
  };
}

/** A better-sqlite3 handle with the settings every connection to the file uses. */
export function openSqliteHandle(file: string, synchronous: 'full' | 'normal'): SQLite.Database {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const handle = new SQLite(file);
  handle.pragma('journal_mode = WAL');
  handle.pragma(`synchronous = ${synchronous.toUpperCase()}`);
  handle.pragma('foreign_keys = ON');
  handle.pragma('busy_timeout = 5000');
  return handle;
}

/** A connection to an SQLite file that is already migrated. */
export function connectSqlite(file: string, synchronous: 'full' | 'normal'): Database {
  const handle = openSqliteHandle(file, synchronous);
  const db = new Kysely<DB>({ dialect: withTextGuard(new SqliteDialect({ database: cachingStatements(handle) })) });
  // The writing connection is behind kysely's mutex and may be inside a transaction; a second,
  // query-only connection reads the last commit without waiting for it. (:memory: is one database per connection.)
  const reader = file === ':memory:' ? undefined : openSqliteHandle(file, synchronous);
  reader?.pragma('query_only = ON');
  // kysely's sqlite driver has one connection behind a mutex: holding it serialises writers
  // in this process, and BEGIN IMMEDIATE takes the file lock up front against other processes.
  const inTransaction = <T>(begin: string, fn: (trx: Tx) => Promise<T>) =>
    db.connection().execute(async (conn) => {
      await sql.raw(begin).execute(conn);
      try {
        const result = await fn(conn);
        await sql`commit`.execute(conn);
        return result;
      } catch (e) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw e;
      }
    });
  return {
    dialect: 'sqlite',
    db,
    schemaAhead: [],
    ...(file === ':memory:' ? {} : { location: { file: path.resolve(file), synchronous } }),
    ...(reader ? { readCommitted: (text: string) => { const stmt = reader.prepare(text); return (...params: unknown[]) => stmt.get(...params); } } : {}),
    tx: (fn) => inTransaction('begin immediate', fn),
    // A deferred transaction reads one WAL snapshot and leaves the write lock to others.
    snapshot: (fn) => inTransaction('begin', fn),
    lockAuditChain: async () => undefined,
    lock: async () => undefined,
    forUpdate: (q) => q,
    isUniqueViolation: (e) => (e as { code?: string })?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || (e as { code?: string })?.code === 'SQLITE_CONSTRAINT_UNIQUE',
    ping: async () => {
      handle.prepare('select 1').get();
    },
    close: async () => {
      await db.destroy();
      reader?.close();
    },
  };
}

/** Advisory lock keys are 64-bit numbers; names are hashed into them by PostgreSQL itself. */
const advisoryXactLock = (trx: Tx, name: string) => sql`select pg_advisory_xact_lock(hashtextextended(${`coffer:${name}`}, 0))`.execute(trx);

function openPostgres(url: string, poolSize: number): Database {
  const pool = new pg.Pool({
    connectionString: url,
    // At least two: the migration provider reads the executed list beside the Migrator's locked connection.
    max: Math.max(2, poolSize),
    // bigint columns (audit seq, counts) as numbers: they stay far below 2^53.
    types: { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) },
  } as pg.PoolConfig);
  // A lost connection (server restart, fail-over, a terminated backend) must not crash the process:
  // pg emits 'error' on the client as well as failing its query, and pg-pool listens only while the
  // client is idle. The request in flight fails; the pool drops the broken client and reconnects.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<DB>({ dialect: withTextGuard(new PostgresDialect({ pool })) });
  return {
    dialect: 'postgres',
    db,
    schemaAhead: [],
    // READ COMMITTED: each statement sees what committed before it began, so a statement that
    // follows a lock sees everything its previous holder wrote.
    tx: (fn) => db.transaction().execute(fn),
    snapshot: (fn) => db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(fn),
    lockAuditChain: async (trx) => {
      await advisoryXactLock(trx, 'audit_chain');
    },
    lock: async (trx, name) => {
      await advisoryXactLock(trx, name);
    },
    forUpdate: (q) => q.forUpdate(),
    isUniqueViolation: (e) => (e as { code?: string })?.code === '23505',
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  const database = opts.kind === 'sqlite' ? connectSqlite(opts.file, opts.synchronous ?? 'full') : openPostgres(opts.url, opts.poolSize ?? 10);
  try {
    const { ahead } = await migrate(database.db, database.dialect);
    return { ...database, schemaAhead: ahead };
  } catch (e) {
    await database.close().catch(() => undefined);
    throw e;
  }
}
