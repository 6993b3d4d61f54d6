// The audit writer thread (filebased): appends batches of entries on its own SQLite connection.
// The commit waits for the disk (synchronous=FULL), and that wait happens here, not on the thread
// that serves requests, which meanwhile gathers the next batch.
import { parentPort, workerData } from 'node:worker_threads';
import { connectSqlite } from '../store/db.js';
import { createAuditStore } from './audit.store.js';
import { appendEntries, type NewEntry } from './chain.js';

const { file, synchronous } = workerData as { file: string; synchronous: 'full' | 'normal' };
const database = connectSqlite(file, synchronous);
const store = createAuditStore(database);

parentPort!.on('message', (msg: { id: number; entries: NewEntry[] }) => {
  database.tx((trx) => appendEntries(database, store, trx, msg.entries)).then(
    () => parentPort!.postMessage({ id: msg.id, ok: true }),
    // Only the class of the error: a driver message could quote what was being written.
    (e: Error) => parentPort!.postMessage({ id: msg.id, ok: false, error: e.name }),
  );
});
