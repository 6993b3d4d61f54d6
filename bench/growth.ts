// npm run bench:growth: how start-up, memory, listing and reads change from 1k to 100k secrets,
// and how long re-wrapping every data key under a new key-encryption key takes.
// Options (env): BENCH_GROWTH (1000,10000,100000), BENCH_SECONDS (10).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { load } from './lib/load.js';
import { rssMiB, SERVER_MAIN, start } from './lib/processes.js';
import { idFor, seed } from './lib/seed.js';

const SIZES = (process.env.BENCH_GROWTH ?? '1000,10000,100000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const KEY = `bench-admin-key-${randomBytes(16).toString('hex')}`;
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../packages/cli/bin/coffer.js');
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Row {
  secrets: number;
  startMs: number;
  rssIdle: number;
  rssLoaded: number;
  idsP50: number;
  idsP99: number;
  idsCount: number;
  valueRps: number;
  valueP99: number;
  errors: number;
  rewrapMs?: number;
}

async function measure(n: number): Promise<Row> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coffer-growth-'));
  // The default per-key limit (6,000 a minute) would throttle the load itself.
  const env = { SECRET_MANAGER_DATA_DIR: dir, SECRET_MANAGER_ADMIN_API_KEY: KEY, SECRET_MANAGER_RATE_LIMIT_PER_KEY: '1000000', SECRET_MANAGER_RATE_LIMIT_PER_ADDRESS: '1000000' };
  try {
    const t0 = performance.now();
    await seed(env, n, (done) => log(`  seeded ${done}/${n}`));
    log(`seeded ${n} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // The first start creates the administrator (a slow password hash): not what is measured.
    await (await start(SERVER_MAIN, env)).stop();
    const s = await start(SERVER_MAIN, env);
    try {
      const rssIdle = await rssMiB(s.pid);
      const auth = { authorization: `Bearer ${KEY}` };
      const ids = await load({ url: s.url, name: 'ids', connections: 10, seconds: SECONDS, headers: auth, next: () => ({ path: '/api/v1/secrets/ids?connector_type=s3' }) });
      const count = ((await (await fetch(`${s.url}/api/v1/secrets/ids?connector_type=s3`, { headers: auth })).json()) as string[]).length;
      const value = await load({ url: s.url, name: 'value', connections: 10, seconds: SECONDS, headers: auth, next: () => ({ path: `/api/v1/secrets/${idFor(Math.floor(Math.random() * n))}/value` }) });
      const rssLoaded = await rssMiB(s.pid);
      return { secrets: n, startMs: s.startMs, rssIdle, rssLoaded, idsP50: ids.p50, idsP99: ids.p99, idsCount: count, valueRps: value.rps, valueP99: value.p99, errors: ids.errors + value.errors, rewrapMs: await rewrap(env) };
    } finally {
      await s.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `coffer keys add` then `coffer keys rotate`, timed as an operator would see it. */
async function rewrap(env: Record<string, string>): Promise<number> {
  const run = (args: string[]) => promisify(execFile)(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, maxBuffer: 64 * 1024 * 1024 });
  await run(['keys', 'add']);
  const t0 = performance.now();
  const r = await run(['keys', 'rotate']);
  const ms = performance.now() - t0;
  log(r.stdout.split('\n').filter(Boolean).slice(-2).join('\n'));
  return ms;
}

const rows: Row[] = [];
for (const n of SIZES) {
  log(`— ${n} secrets`);
  rows.push(await measure(n));
}
const out = (s: string) => process.stdout.write(`${s}\n`);
out(`\n${'secrets'.padStart(8)}${'start ms'.padStart(10)}${'RSS MiB'.padStart(9)}${'loaded'.padStart(8)}${'ids n'.padStart(8)}${'ids p50'.padStart(9)}${'ids p99'.padStart(9)}${'value/s'.padStart(9)}${'val p99'.padStart(9)}${'rewrap s'.padStart(10)}${'errors'.padStart(8)}`);
for (const r of rows) {
  out(`${String(r.secrets).padStart(8)}${r.startMs.toFixed(0).padStart(10)}${r.rssIdle.toFixed(0).padStart(9)}${r.rssLoaded.toFixed(0).padStart(8)}${String(r.idsCount).padStart(8)}${r.idsP50.toFixed(0).padStart(9)}${r.idsP99.toFixed(0).padStart(9)}${r.valueRps.toFixed(0).padStart(9)}${r.valueP99.toFixed(0).padStart(9)}${((r.rewrapMs ?? 0) / 1000).toFixed(1).padStart(10)}${String(r.errors).padStart(8)}`);
}
out(`\n${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}`);
if (rows.some((r) => r.errors > 0)) {
  out('Errors during the run: these figures are not a result.');
  process.exitCode = 1;
}
