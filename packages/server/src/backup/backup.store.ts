// Whole-store reads and writes for `coffer export` / `coffer import`. A backup is about every table at
// once, so this store reads all of them (the one place that does, on purpose).
import { sql } from 'kysely';
import type { Tx } from '../store/db.js';
import { bump } from '../store/generations.js';
import type { DB } from '../store/schema.js';

/**
 * The tables a backup holds, in an order that satisfies foreign keys on import, each with the columns
 * that order its rows.
 */
export const TABLES = {
  users: ['id'],
  roles: ['id'],
  role_permissions: ['role_id', 'permission'],
  user_roles: ['user_id', 'role_id'],
  api_keys: ['id'],
  secrets: ['workspace_id', 'id'],
  secret_versions: ['workspace_id', 'secret_id', 'version'],
  connectors: ['workspace_id', 'id'],
  audit_log: ['seq'],
  meta: ['key'],
} as const satisfies Partial<Record<keyof DB, readonly string[]>>;

export type BackupTable = keyof typeof TABLES;
export const BACKUP_TABLES = Object.keys(TABLES) as BackupTable[];
/**
 * Left out on purpose: sessions are short-lived sign-ins bound to cookies (everyone signs in again
 * after a restore); the access generation is the target's own counter for remembered credentials.
 */
export const LEFT_OUT = ['sessions', 'access_generation', 'listing_generation', 'content_generation'] as const;

export type Row = Record<string, unknown>;
export type Counts = Record<BackupTable, number>;

export const backupStore = {
  async counts(trx: Tx): Promise<Counts> {
    const entries = await Promise.all(BACKUP_TABLES.map(async (t) => {
      const r = await trx.selectFrom(t).select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return [t, Number(r.n)] as const;
    }));
    return Object.fromEntries(entries) as Counts;
  },

  /** Rows of a table in key order, a batch at a time (within one snapshot, so pages do not shift). */
  async *rows(trx: Tx, table: BackupTable, batch = 500): AsyncGenerator<Row[]> {
    for (let offset = 0; ; offset += batch) {
      let q = trx.selectFrom(table).selectAll();
      for (const k of TABLES[table]) q = q.orderBy(sql.ref(k));
      const rows = (await q.limit(batch).offset(offset).execute()) as Row[];
      if (rows.length) yield rows;
      if (rows.length < batch) return;
    }
  },

  insert: (trx: Tx, table: BackupTable, rows: Row[]) => (rows.length ? trx.insertInto(table).values(rows as never).execute() : Promise.resolve()),

  /** Empties every table that a backup fills, and the sessions, children first. */
  async wipe(trx: Tx): Promise<void> {
    for (const t of ['sessions' as const, ...[...BACKUP_TABLES].reverse()]) await trx.deleteFrom(t).execute();
  },

  /** Every server on this store forgets the credentials, id lists and rows it remembers (store/generations.ts). */
  async forgetCredentials(trx: Tx): Promise<void> {
    for (const counter of ['access_generation', 'listing_generation'] as const) await bump(trx, counter);
  },
};
