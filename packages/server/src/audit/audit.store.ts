import { sql } from 'kysely';
import type { Database, Tx } from '../store/db.js';
import { prepare } from '../store/prepared.js';
import type { AuditTable } from '../store/schema.js';

export interface AuditQuery {
  actor?: string;
  action?: string;
  target?: string;
  since?: string;
  until?: string;
  beforeSeq?: number;
  limit: number;
}

export const COLUMNS = ['seq', 'workspace_id', 'at', 'actor', 'action', 'target', 'outcome', 'client_ip', 'user_agent', 'request_id', 'details', 'prev_hash', 'hash'] as const satisfies readonly (keyof AuditTable)[];

export function createAuditStore(database: Database) {
  const { db } = database;
  // Every audited request runs these two: compiled once.
  const lastQuery = prepare(0, () => db.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1));
  const insertQuery = prepare(13, (...v: unknown[]) => db.insertInto('audit_log').values(Object.fromEntries(COLUMNS.map((c, i) => [c, v[i]])) as unknown as AuditTable));
  return {
    async last(trx: Tx): Promise<{ seq: number; hash: string } | undefined> {
      return (await lastQuery(trx))[0];
    },
    /** One statement for the whole batch: on PostgreSQL each statement is a round trip. */
    async insert(trx: Tx, rows: AuditTable[]): Promise<void> {
      if (rows.length === 1) await insertQuery(trx, ...COLUMNS.map((c) => rows[0]![c]));
      else if (rows.length > 1) await trx.insertInto('audit_log').values(rows).execute();
    },
    /**
     * PostgreSQL: appends rows that follow `after` (undefined: an empty log) in one statement, its
     * own transaction: one round trip instead of five (begin, lock, last entry, insert, commit).
     * The statement takes the chain lock itself, so a transaction that appends under the lock
     * (store.last then insert) never finds its place taken, and only then asks whether the log still
     * ends at `after` (migration 005: asked in the statement's own snapshot, it would miss what the
     * lock's previous holder removed). It inserts nothing when the log ends elsewhere, and fails on
     * the primary key if a writer without the lock got there first: false either way, and the
     * caller reads the last entry and tries again.
     */
    async appendAfter(after: { seq: number; hash: string } | undefined, rows: AuditTable[]): Promise<boolean> {
      const values = sql.join(rows.map((r) => sql`(${sql.join(COLUMNS.map((c) => r[c]))})`));
      try {
        // The sub-select is evaluated once, before any row is inserted.
        const r = await sql`insert into audit_log (${sql.join(COLUMNS.map((c) => sql.id(c)))})
          select v.seq::bigint, ${sql.join(COLUMNS.slice(1).map((c) => sql.ref(`v.${c}`)))}
          from (values ${values}) as v (${sql.join(COLUMNS.map((c) => sql.id(c)))})
          where (select coffer_audit_ends_at(${after?.seq ?? null}::bigint, ${after?.hash ?? null}::text))`.execute(db);
        return Number(r.numAffectedRows ?? 0) === rows.length;
      } catch (e) {
        if (database.isUniqueViolation(e)) return false;
        throw e;
      }
    },
    async query(q: AuditQuery): Promise<AuditTable[]> {
      let s = db.selectFrom('audit_log').selectAll();
      if (q.actor) s = s.where('actor', '=', q.actor);
      if (q.action) s = s.where('action', '=', q.action);
      if (q.target) s = s.where('target', '=', q.target);
      if (q.since) s = s.where('at', '>=', q.since);
      if (q.until) s = s.where('at', '<', q.until);
      if (q.beforeSeq !== undefined) s = s.where('seq', '<', q.beforeSeq);
      return s.orderBy('seq', 'desc').limit(q.limit).execute();
    },
    async batchFrom(afterSeq: number, size: number): Promise<AuditTable[]> {
      return db.selectFrom('audit_log').selectAll().where('seq', '>', afterSeq).orderBy('seq', 'asc').limit(size).execute();
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
