// Counters that move in the same transaction as the change they announce. Whatever a server
// remembers (who a credential is, lists of ids, rows of secrets) is trusted only while the counter
// it was read under is unchanged, so a change on any replica is seen on the next request. The three
// are read together, once per request, in one query.
import type { Database, Tx } from './db.js';
import { prepare } from './prepared.js';

export interface Generations {
  /** Users, roles, grants, keys, sessions. */
  access: number;
  /** Secrets appearing or disappearing (create, delete, restore, purge). */
  listing: number;
  /** Any secret row or version row (the above, and updates and re-wraps); moved by triggers. */
  content: number;
}

type Counter = 'access_generation' | 'listing_generation';

export const bump = (trx: Tx, counter: Counter) =>
  trx.updateTable(counter).set((eb) => ({ generation: eb('generation', '+', 1) })).where('id', '=', 1).execute();

export function createGenerations(database: Database) {
  const { db } = database;
  const query = prepare(0, () => db.selectNoFrom((eb) => [
    eb.selectFrom('access_generation').select('generation').where('id', '=', 1).as('access'),
    eb.selectFrom('listing_generation').select('generation').where('id', '=', 1).as('listing'),
    eb.selectFrom('content_generation').select('generation').where('id', '=', 1).as('content'),
  ]));
  // On SQLite files, straight on the reading connection: through kysely (its connection mutex,
  // promises, the driver) this one small query cost several times what SQLite takes to run it.
  const now = database.readCommitted?.(
    'select a.generation as access, l.generation as listing, c.generation as content from access_generation a, listing_generation l, content_generation c where a.id = 1 and l.id = 1 and c.id = 1',
  );
  const shape = (r: { access: unknown; listing: unknown; content: unknown }): Generations =>
    ({ access: Number(r.access), listing: Number(r.listing), content: Number(r.content) });
  // Elsewhere a read is a round trip, and every request makes one: requests share reads.
  const shared = sharedReads(async () => shape((await query(db))[0]!));
  return {
    read(): Promise<Generations> {
      return now ? Promise.resolve(shape(now() as Parameters<typeof shape>[0])) : shared();
    },
  };
}

/**
 * Concurrent callers share reads, yet each gets a read that began after it called: one that began
 * earlier could miss a change committed just before the call. Callers gather until the end of the
 * event loop's turn and share the read that starts then; at most `running` reads are under way,
 * and callers that arrive while that many are gather for the next one.
 */
export function sharedReads<T>(read: () => Promise<T>, running = 2): () => Promise<T> {
  let underWay = 0;
  let gathering: { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } | undefined;
  let scheduled = false;
  function schedule(): void {
    if (scheduled || !gathering || underWay >= running) return;
    scheduled = true;
    setImmediate(start);
  }
  function start(): void {
    scheduled = false;
    const callers = gathering!;
    gathering = undefined;
    underWay++;
    // A read that throws rather than rejects must still answer its callers and give its place back.
    new Promise<T>((resolve) => resolve(read())).then(callers.resolve, callers.reject).finally(() => {
      underWay--;
      schedule();
    });
  }
  return () => {
    if (!gathering) {
      let resolve!: (v: T) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
      gathering = { promise, resolve, reject };
    }
    schedule();
    return gathering.promise;
  };
}

export type GenerationsReader = ReturnType<typeof createGenerations>;

/**
 * A bounded map filled under one set of generations. A read under newer generations empties it;
 * a read under older ones (a request that started before a change) neither uses nor fills it,
 * so a row read before a change can never be remembered as current after it.
 */
export class Remembered<V> {
  private seen: { access: number; content: number } = { access: -1, content: -1 };
  private readonly map = new Map<string, V>();
  private bytes = 0;

  constructor(private readonly limits: { entries: number; bytes: number; size: (v: V) => number }) {}

  /** True when `g` is the generations the map holds (after moving to them if they are newer). */
  private current(g: Generations): boolean {
    if (g.access === this.seen.access && g.content === this.seen.content) return true;
    if (g.access < this.seen.access || g.content < this.seen.content) return false;
    this.map.clear();
    this.bytes = 0;
    this.seen = { access: g.access, content: g.content };
    return true;
  }

  /** What is remembered under `g`, else `load()` (remembered if found); without `g`, always `load()`. */
  async through(g: Generations | undefined, key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    if (!g) return load();
    const hit = this.get(g, key);
    if (hit !== undefined) return hit;
    const v = await load();
    if (v !== undefined) this.set(g, key, v);
    return v;
  }

  get(g: Generations, key: string): V | undefined {
    return this.current(g) ? this.map.get(key) : undefined;
  }

  set(g: Generations, key: string, v: V): void {
    if (!this.current(g) || this.map.has(key)) return;
    const size = this.limits.size(v);
    if (size > this.limits.bytes) return;
    // Oldest first: a Map iterates in insertion order.
    for (const [k, old] of this.map) {
      if (this.map.size < this.limits.entries && this.bytes + size <= this.limits.bytes) break;
      this.map.delete(k);
      this.bytes -= this.limits.size(old);
    }
    this.map.set(key, v);
    this.bytes += size;
  }
}
