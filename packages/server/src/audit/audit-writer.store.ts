// The audit writer thread's own store (filebased): better-sqlite3 directly, synchronously. Each
// batch is one BEGIN IMMEDIATE … COMMIT; without kysely's per-statement promises and query building
// a batch commits in about 0.35 ms instead of 0.55 ms here, and every value read waits for one.
import { openSqliteHandle } from '../store/db.js';
import { COLUMNS } from './audit.store.js';
import { chainRows, type NewEntry } from './chain.js';

export function openAuditFileStore(file: string, synchronous: 'full' | 'normal') {
  const handle = openSqliteHandle(file, synchronous);
  const last = handle.prepare<[], { seq: number; hash: string }>('select seq, hash from audit_log order by seq desc limit 1');
  const insert = handle.prepare(`insert into audit_log (${COLUMNS.join(', ')}) values (${COLUMNS.map((c) => `@${c}`).join(', ')})`);
  // BEGIN IMMEDIATE takes the write lock before reading the last entry: no other writer, in this
  // process or another, can append between that read and this commit.
  const append = handle.transaction((entries: NewEntry[]) => {
    for (const row of chainRows(last.get(), entries)) insert.run(row);
  });
  return {
    append: (entries: NewEntry[]) => append.immediate(entries),
    close: () => handle.close(),
  };
}
