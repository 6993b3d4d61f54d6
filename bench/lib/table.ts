import type { Figure } from './load.js';

const pad = (s: string, n: number) => s.padEnd(n);
const num = (n: number, d = 0) => n.toFixed(d).padStart(9);

/** One table: each figure beside the ceiling's at the same connection count. */
export function printTable(backend: string, rows: Figure[], ceiling: Figure[]): void {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`\n${backend}`);
  out(`${pad('scenario', 34)}${'conns'.padStart(6)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'errors'.padStart(9)}${'÷ ceiling'.padStart(11)}`);
  for (const f of [...ceiling, ...rows].sort((a, b) => a.connections - b.connections)) {
    const c = ceiling.find((x) => x.connections === f.connections)!;
    out(`${pad(f.name, 34)}${String(f.connections).padStart(6)}${num(f.rps)}${num(f.p50, 1)}${num(f.p99, 1)}${num(f.errors)}${`${((f.rps / c.rps) * 100).toFixed(1)}%`.padStart(11)}`);
  }
}
