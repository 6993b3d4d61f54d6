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
  isUniqueViolation(err: unknown): boolean;
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
};

export async function migrate(db: Kysely<DB>, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: {
      getMigrations: async () => Object.fromEntries(Object.entries(MIGRATIONS).map(([k, f]) => [k, f(dialect)])),
    },
  });
  // On PostgreSQL kysely holds an advisory lock while migrating, so replicas starting together migrate once.
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${(error as Error).message}`);
  }
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

/** A connection to an SQLite file that is already migrated (also used by worker threads). */
export function connectSqlite(file: string, synchronous: 'full' | 'normal'): Database {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const handle = new SQLite(file);
  handle.pragma('journal_mode = WAL');
  handle.pragma(`synchronous = ${synchronous.toUpperCase()}`);
  handle.pragma('foreign_keys = ON');
  handle.pragma('busy_timeout = 5000');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: cachingStatements(handle) }) });
  return {
    dialect: 'sqlite',
    db,
    ...(file === ':memory:' ? {} : { location: { file: path.resolve(file), synchronous } }),
    // kysely's sqlite driver has one connection behind a mutex: holding it serialises writers
    // in this process, and BEGIN IMMEDIATE takes the file lock up front against other processes.
    tx: (fn) =>
      db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (e) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw e;
        }
      }),
    lockAuditChain: async () => undefined,
    isUniqueViolation: (e) => (e as { code?: string })?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || (e as { code?: string })?.code === 'SQLITE_CONSTRAINT_UNIQUE',
    ping: async () => {
      handle.prepare('select 1').get();
    },
    close: () => db.destroy(),
  };
}

function openPostgres(url: string, poolSize: number): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // bigint columns (audit seq, counts) as numbers: they stay far below 2^53.
    types: { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) },
  } as pg.PoolConfig);
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    dialect: 'postgres',
    db,
    tx: (fn) => db.transaction().execute(fn),
    lockAuditChain: async (trx) => {
      await sql`select pg_advisory_xact_lock(7281995)`.execute(trx);
    },
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
    await migrate(database.db, database.dialect);
  } catch (e) {
    await database.close().catch(() => undefined);
    throw e;
  }
  return database;
}
