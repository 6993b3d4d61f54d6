// Appending to the hash chain, shared by the in-process path and the audit writer thread.
import type { Database, Tx } from '../store/db.js';
import type { AuditTable } from '../store/schema.js';
import type { AuditStore } from './audit.store.js';
import { entryHash, GENESIS, type ChainFields } from './hash.js';

/** An entry before it has a place in the chain. */
export type NewEntry = Omit<ChainFields, 'seq'>;

/** The rows that put entries after `last` (undefined: an empty log), each linked to the one before. */
export function chainRows(last: { seq: number; hash: string } | undefined, entries: NewEntry[]): AuditTable[] {
  let seq = last?.seq ?? 0;
  let prev = last?.hash ?? GENESIS;
  return entries.map((e) => {
    const fields = { ...e, seq: ++seq };
    const hash = entryHash(prev, fields);
    const row = { ...fields, prev_hash: prev, hash };
    prev = hash;
    return row;
  });
}

/** Appends in order inside trx; the chain lock serialises writers from every process. */
export async function appendEntries(database: Database, store: AuditStore, trx: Tx, entries: NewEntry[]): Promise<void> {
  await database.lockAuditChain(trx);
  await store.insert(trx, chainRows(await store.last(trx), entries));
}
