import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';

// PostgreSQL: whether the audit log still ends at (after_seq, after_hash), asked only once the chain
// lock is held (the lock db.ts's lockAuditChain takes). An audit batch is one INSERT … SELECT whose
// snapshot is taken when it starts, before it waits for the lock: checked there, a batch that
// waited while an import replaced the log with a shorter one would be put after an entry that is
// gone, and the primary key would not notice. A VOLATILE function takes a fresh snapshot for each
// of its statements, so this check sees everything the lock's previous holder committed.
// SQLite needs nothing: its batches read the last entry inside a write transaction.
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql.raw(`create function coffer_audit_ends_at(after_seq bigint, after_hash text) returns boolean
    language sql volatile as $$
      select pg_advisory_xact_lock(hashtextextended('coffer:audit_chain', 0));
      -- "is not distinct from": with after_seq null (an empty log expected), any last entry is false.
      select coalesce(
        (select seq is not distinct from after_seq and hash is not distinct from after_hash
           from audit_log order by seq desc limit 1),
        after_seq is null);
    $$`).execute(db);
}
