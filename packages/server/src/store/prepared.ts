// Hot queries compiled once. kysely builds and compiles a query on every call, which costs more
// than SQLite takes to run the small queries of a request. A prepared query is compiled once
// with placeholder arguments; each call only swaps its arguments into the parameter list.
import type { Compilable, Kysely } from 'kysely';
import type { DB } from './schema.js';

const placeholder = (i: number) => `\u0000coffer-argument-${i}\u0000`;

export function prepare<A extends unknown[], R>(arity: A['length'], build: (...args: A) => Compilable<R>) {
  const args = Array.from({ length: arity }, (_, i) => placeholder(i)) as unknown as A;
  const compiled = build(...args).compile();
  const slots = compiled.parameters.map((p) => (args as unknown[]).indexOf(p));
  for (let i = 0; i < arity; i++) {
    // Each argument must reach the SQL exactly once as itself (not transformed, not inlined).
    if (slots.filter((s) => s === i).length !== 1) throw new Error(`prepared query: argument ${i} is not a plain parameter`);
  }
  return async (db: Kysely<DB>, ...values: A): Promise<R[]> => {
    const parameters = compiled.parameters.map((p, j) => (slots[j]! >= 0 ? values[slots[j]!] : p));
    return (await db.executeQuery<R>({ ...compiled, parameters })).rows;
  };
}
