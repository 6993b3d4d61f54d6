// A/B: two builds of the server, value reads back to back, alternating, same store.
// Usage: copy a build aside (cp -r packages/server/dist packages/server/node_modules/.ab/before), change, build, then
//   npx tsx bench/ab.ts packages/server/node_modules/.ab/before/main.js packages/server/dist/main.js
// Options (env): BENCH_SECONDS (8), BENCH_ROUNDS (3), BENCH_CONNS (10,50), BENCH_STORE=securestore.
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load, warm } from './lib/load.js';
import { CEILING, start } from './lib/processes.js';
import { idFor, seed } from './lib/seed.js';
import { startCluster } from '../packages/server/test/pg.js';

/** User + system CPU time of a process so far, in ms (Linux /proc; clock ticks of 10 ms). */
const cpuMs = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ').slice(11, 13).reduce((a, t) => a + Number(t) * 10, 0);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const KEY = `bench-admin-key-${randomBytes(16).toString('hex')}`;
// A variant is a main.js, optionally with V8 flags after a '|': dist/main.js|--max-semi-space-size=8
const variants = process.argv.slice(2).map((a) => a.split('|')).map(([p, ...flags]) => ({ main: path.resolve(p!), flags, label: [path.basename(path.dirname(p!)), ...flags].join(' ') }));
const base = mkdtempSync(path.join(os.tmpdir(), 'coffer-ab-'));
const env: Record<string, string> = { SECRET_MANAGER_ADMIN_API_KEY: KEY, SECRET_MANAGER_RATE_LIMIT_PER_KEY: '1000000', SECRET_MANAGER_RATE_LIMIT_PER_ADDRESS: '1000000' };
// BENCH_STORE=securestore: one durable throw-away PostgreSQL, seeded once, shared by every variant.
const cluster = process.env.BENCH_STORE === 'securestore' ? await startCluster({ durable: true }) : undefined;
if (cluster) Object.assign(env, { SECRET_MANAGER: 'securestore', SECRET_MANAGER_DATABASE_URL: cluster.url, SECRET_MANAGER_MASTER_KEY: randomBytes(32).toString('base64') });
await seed({ ...env, SECRET_MANAGER_DATA_DIR: path.join(base, 'seed') }, 1000);
const ceiling = await start(CEILING);
const c = await load({ url: ceiling.url, name: 'ceiling', connections: 10, seconds: 5, next: () => ({ path: '/' }) });
await ceiling.stop();
process.stdout.write(`ceiling ${Math.round(c.rps)}\n`);
for (let r = 0; r < ROUNDS; r++) {
  for (const [i, v] of variants.entries()) {
    const dir = path.join(base, `r${r}v${i}`);
    if (!cluster) cpSync(path.join(base, 'seed'), dir, { recursive: true });
    const s = await start(v.main, { ...env, SECRET_MANAGER_DATA_DIR: dir }, v.flags);
    const out: string[] = [];
    for (const connections of (process.env.BENCH_CONNS ?? '10,50').split(',').map(Number)) {
      const spec = { url: s.url, name: 'value', connections, seconds: SECONDS, headers: { authorization: `Bearer ${KEY}` }, next: () => ({ path: `/api/v1/secrets/${idFor(Math.floor(Math.random() * 1000))}/value` }) };
      await warm(spec, 2);
      const cpu0 = cpuMs(s.pid);
      const f = await load(spec);
      // CPU time of the server (every thread) per request: steadier than req/s on a shared machine.
      const perRequest = ((cpuMs(s.pid) - cpu0) * 1000) / (f.rps * SECONDS);
      out.push(`@${connections} ${Math.round(f.rps)} p99 ${f.p99} cpu ${Math.round(perRequest)} µs/req err ${f.errors}`);
    }
    await s.stop();
    process.stdout.write(`round ${r} ${v.label}: ${out.join('  ')}\n`);
  }
}
cluster?.stop();
