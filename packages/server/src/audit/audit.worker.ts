// The audit writer thread (filebased): appends batches of entries on its own SQLite connection.
// The commit waits for the disk (synchronous=FULL), and that wait happens here, not on the thread
// that serves requests, which meanwhile gathers the next batch.
import { parentPort, workerData } from 'node:worker_threads';
import { openAuditFileStore } from './audit-writer.store.js';
import type { NewEntry } from './chain.js';

const { file, synchronous } = workerData as { file: string; synchronous: 'full' | 'normal' };
const store = openAuditFileStore(file, synchronous);

parentPort!.on('message', (msg: { id: number; entries: NewEntry[] }) => {
  try {
    if (msg.entries.length > 0) store.append(msg.entries);
    parentPort!.postMessage({ id: msg.id, ok: true });
  } catch (e) {
    // Only the class of the error: a driver message could quote what was being written.
    parentPort!.postMessage({ id: msg.id, ok: false, error: (e as Error).name });
  }
});
