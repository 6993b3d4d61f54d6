// A/B: two builds of the server, value reads back to back, alternating, same store.
// Usage: copy a build aside (cp -r packages/server/dist packages/server/node_modules/.ab/before), change, build, then
//   npx tsx bench/ab.ts packages/server/node_modules/.ab/before/main.js packages/server/dist/main.js
// Options (env): BENCH_SECONDS (8), BENCH_ROUNDS (3), BENCH_CONNS (10,50), BENCH_STORE=securestore.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load, warm } from './lib/load.js';
import { CEILING, start } from './lib/processes.js';
import { idFor, seed } from './lib/seed.js';
import { startCluster } from '../packages/server/test/pg.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const KEY = `bench-admin-key-${randomBytes(16).toString('hex')}`;
const variants = process.argv.slice(2).map((p) => path.resolve(p));
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
    const s = await start(v, { ...env, SECRET_MANAGER_DATA_DIR: dir });
    const out: string[] = [];
    for (const connections of (process.env.BENCH_CONNS ?? '10,50').split(',').map(Number)) {
      const spec = { url: s.url, name: 'value', connections, seconds: SECONDS, headers: { authorization: `Bearer ${KEY}` }, next: () => ({ path: `/api/v1/secrets/${idFor(Math.floor(Math.random() * 1000))}/value` }) };
      await warm(spec, 2);
      const f = await load(spec);
      out.push(`@${connections} ${Math.round(f.rps)} p99 ${f.p99} err ${f.errors}`);
    }
    await s.stop();
    process.stdout.write(`round ${r} ${path.basename(path.dirname(v))}: ${out.join('  ')}\n`);
  }
}
cluster?.stop();
