// The append-only, hash-chained audit log (SPEC section 5). Entries are written inside the
// transaction of the change they describe, or in their own before a value is revealed; a failure
// to write fails the request (fail closed).
import { AppError } from '../errors.js';
import type { Database, Tx } from '../store/db.js';
import { createAuditStore, type AuditQuery } from './audit.store.js';
import { entryHash, GENESIS } from './hash.js';
import { appendEntries, chainRows, type NewEntry } from './chain.js';
import { createThreadedWriter } from './audit.writer.js';

export type Outcome = 'allowed' | 'denied' | 'failed';

export interface AuditContext {
  actor: string;
  via: string;
  ip: string;
  userAgent: string;
  requestId: string;
}

export interface AuditEvent {
  action: string;
  target: string;
  outcome: Outcome;
  /** Names, ids, versions, reasons: never a secret value, key or password. */
  details?: Record<string, unknown>;
}

export interface VerifyResult {
  ok: boolean;
  entries: number;
  first_broken: number | null;
  reason?: string;
}

/**
 * Text as the database will give it back, so the hash taken now still matches on verify: a lone
 * surrogate is stored as U+FFFD (JSON.stringify would hash it as the escape \ud800), and U+0000
 * is cut off or refused by some stores. Actors, targets and agents can come straight from a client.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const SURROGATE = /[\ud800-\udfff]/;
// Nearly every text is plain: two quick scans, and the replacements only when it is not.
export const storable = (s: string) => (SURROGATE.test(s) || s.includes('\u0000') ? s.replace(LONE_SURROGATE, '\ufffd').replaceAll('\u0000', '\ufffd') : s);

/** The time as ISO text; made once per millisecond, not once per entry (a value read makes one). */
let lastMs = -1;
let lastIso = '';
function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

export const AuditUnavailable = () => new AppError('audit_unavailable', 'The audit log cannot be written; the request was not carried out.');

export interface AuditHooks {
  /** An entry was written (metrics). Called after the insert, inside the caller's transaction. */
  onAppend?: (e: AuditEvent) => void;
  /** An entry could not be written and the request was refused (metrics, alerting). */
  onFailure?: (e: AuditEvent) => void;
}

export function createAuditService(deps: { database: Database; workspace?: string } & AuditHooks) {
  const { database } = deps;
  const store = createAuditStore(database);
  const workspace = deps.workspace ?? 'default';

  // What a caller typed (an email at sign-in, a name in a path) can hold U+0000, which the store
  // refuses; the entry must still be written, so it is recorded as U+FFFD.

  const entry = (ctx: AuditContext, ev: AuditEvent): NewEntry => ({
    workspace_id: workspace,
    at: isoNow(),
    actor: storable(ctx.actor),
    action: ev.action,
    target: storable(ev.target),
    outcome: ev.outcome,
    client_ip: storable(ctx.ip),
    user_agent: storable(ctx.userAgent.slice(0, 256)),
    request_id: storable(ctx.requestId),
    details: storable(JSON.stringify({ via: ctx.via, ...ev.details })),
  });

  async function append(trx: Tx, ctx: AuditContext, ev: AuditEvent): Promise<void> {
    try {
      await appendEntries(database, store, trx, [entry(ctx, ev)]);
    } catch {
      // The caller's transaction rolls back with it: no change without its audit entry.
      deps.onFailure?.(ev);
      throw AuditUnavailable();
    }
    deps.onAppend?.(ev);
  }

  // Entries of their own (value reads, sign-ins, refusals) go in batches: on SQLite files to a
  // writer thread, elsewhere in one transaction per batch.
  const writer = database.location ? createThreadedWriter(database.location) : undefined;
  const inTransaction = (entries: NewEntry[]) => database.tx((trx) => appendEntries(database, store, trx, entries));
  const writeBatch = writer ? (entries: NewEntry[]) => writer.write(entries) : database.dialect === 'postgres' ? appendPostgres : inTransaction;

  // PostgreSQL: the last entry this server knows of (null: not known). A batch is put after it in
  // one statement; when another server or a change's own entry got there first, the last entry
  // is read again. After a few such races in a row, the batch takes the lock like any change.
  let tail: { seq: number; hash: string } | undefined | null = null;
  async function appendPostgres(entries: NewEntry[]): Promise<void> {
    try {
      for (let attempt = 0; attempt < 4; attempt++) {
        if (tail === null) tail = await store.last(database.db);
        const rows = chainRows(tail, entries);
        if (await store.appendAfter(tail, rows)) {
          tail = rows[rows.length - 1]!;
          return;
        }
        tail = null;
      }
    } catch (e) {
      tail = null;
      throw e;
    }
    await inTransaction(entries);
  }

  interface Pending {
    entry: NewEntry;
    ev: AuditEvent;
    resolve: () => void;
    reject: (e: Error) => void;
  }
  const pending: Pending[] = [];
  let walking: Promise<VerifyResult> | undefined;
  
  /** While one batch is being written, the next one gathers: a group commit. */
  // Two batches may be on their way at once: while one commits, the next is already queued at
  // the writer, so it never waits for a round trip to this thread.
  // On PostgreSQL one: two would be put after the same last entry, and one of them would race.
  const MAX_IN_FLIGHT = database.dialect === 'postgres' ? 1 : 2;
  let inFlight = 0;
  let scheduled = false;

  function schedule(): void {
    if (scheduled || inFlight >= MAX_IN_FLIGHT || pending.length === 0) return;
    scheduled = true;
    // Let the requests that arrived in this turn of the event loop join the batch.
    setImmediate(send);
  }

  function send(): void {
    scheduled = false;
    if (inFlight >= MAX_IN_FLIGHT || pending.length === 0) return;
    const batch = pending.splice(0, 500);
    inFlight++;
    writeBatch(batch.map((p) => p.entry)).then(
      () => {
        for (const p of batch) {
          deps.onAppend?.(p.ev);
          p.resolve();
        }
      },
      () => {
        for (const p of batch) {
          deps.onFailure?.(p.ev);
          p.reject(AuditUnavailable());
        }
      },
    ).finally(() => {
      inFlight--;
      schedule();
    });
    schedule();
  }

  return {
    /** Appends inside the caller's transaction. */
    append,

    /**
     * Appends outside any change and resolves once the entry is durable; throws
     * audit_unavailable if it cannot be written. Entries recorded at about the same time share one
     * commit, so concurrent value reads pay for one disk flush, not one each.
     */
    record(ctx: AuditContext, ev: AuditEvent): Promise<void> {
      return new Promise((resolve, reject) => {
        pending.push({ entry: entry(ctx, ev), ev, resolve, reject });
        schedule();
      });
    },

    warm: async () => {
      await writer?.warm();
    },

    /** Waits for entries already accepted, then stops the writer thread. */
    close: async () => {
      while (inFlight > 0 || pending.length > 0) await new Promise((r) => setTimeout(r, 5));
      await writer?.close();
    },

    async list(q: AuditQuery) {
      const rows = await store.query(q);
      return rows.map((r) => ({ ...r, outcome: r.outcome as Outcome, details: JSON.parse(r.details) as Record<string, unknown> }));
    },

    /**
     * Walks the whole chain in order; reports the first entry whose link or hash is wrong.
     * Callers at the same time share one walk, and the walk lets other requests run between
     * batches: the store's queries never wait on I/O, so without that a long log would stop the
     * server for as long as a walk takes (0.7 s per 100,000 entries here), once per caller.
     */
    verify(): Promise<VerifyResult> {
      walking ??= walk().finally(() => (walking = undefined));
      return walking;
    },
  };

  async function walk(): Promise<VerifyResult> {
    let prevHash = GENESIS;
    let expectedSeq = 1;
    let count = 0;
    for (;;) {
      const batch = await store.batchFrom(expectedSeq - 1, 1000);
      if (batch.length === 0) break;
      for (const row of batch) {
        const fail = (reason: string): VerifyResult => ({ ok: false, entries: count, first_broken: row.seq === expectedSeq ? row.seq : expectedSeq, reason });
        if (row.seq !== expectedSeq) return fail(`entry ${expectedSeq} is missing`);
        if (row.prev_hash !== prevHash) return fail(`entry ${row.seq} does not follow entry ${row.seq - 1}`);
        if (entryHash(prevHash, row) !== row.hash) return fail(`entry ${row.seq} was altered`);
        prevHash = row.hash;
        expectedSeq++;
        count++;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { ok: true, entries: count, first_broken: null };
  }
}

export type AuditService = ReturnType<typeof createAuditService>;
