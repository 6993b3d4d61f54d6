// The main thread's side of the audit writer thread: sends a batch, resolves when it is durable.
import { Worker } from 'node:worker_threads';
import type { NewEntry } from './chain.js';

export interface AuditWriter {
  write(entries: NewEntry[]): Promise<void>;
  /** Starts the thread now (it takes a moment to load), so the first audited request does not wait. */
  warm(): Promise<void>;
  close(): Promise<void>;
}

export function createThreadedWriter(location: { file: string; synchronous: 'full' | 'normal' }): AuditWriter {
  let worker: Worker | undefined;
  let nextId = 0;
  const inFlight = new Set<Promise<void>>();
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  function failAll(e: Error) {
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  }

  function start(): Worker {
    // From sources (tsx) the thread needs a small entry that loads tsx first; compiled, it does not.
    const entry = import.meta.url.endsWith('.ts') ? new URL('./audit.worker.mjs', import.meta.url) : new URL('./audit.worker.js', import.meta.url);
    const w = new Worker(entry, { workerData: location, execArgv: [] });
    w.on('message', (m: { id: number; ok: boolean; error?: string }) => {
      const p = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.ok) p?.resolve();
      else p?.reject(new Error(`audit writer: ${m.error}`));
    });
    // A crashed writer fails what it held; the next batch starts a new one.
    w.on('error', (e) => failAll(new Error(`audit writer stopped: ${e.name}`)));
    w.on('exit', () => {
      if (worker === w) worker = undefined;
      failAll(new Error('audit writer exited'));
    });
    w.unref();
    return w;
  }

  const self: AuditWriter = {
    // An empty batch is a round trip through the thread.
    warm: () => self.write([]),
    write(entries) {
      worker ??= start();
      const id = ++nextId;
      const done = new Promise<void>((resolve, reject) => waiting.set(id, { resolve, reject }));
      // Keep the process alive while a write is outstanding.
      worker.ref();
      worker.postMessage({ id, entries });
      const tracked = done.finally(() => {
        inFlight.delete(tracked);
        if (waiting.size === 0) worker?.unref();
      });
      inFlight.add(tracked);
      return tracked;
    },
    async close() {
      // Entries already accepted are written before the thread stops.
      await Promise.allSettled([...inFlight]);
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
    },
  };
  return self;
}
