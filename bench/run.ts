// npm run bench: Coffer's API against the ceiling of a bare Fastify server, in the same run.
// Options (env): BENCH_SECONDS (20), BENCH_SECRETS (1000), BENCH_BACKENDS (filebased[,securestore]),
// BENCH_DATABASE_URL for securestore.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { load, warm, type Figure, type LoadSpec } from './lib/load.js';
import { CEILING, SERVER_MAIN, start } from './lib/processes.js';
import { idFor, seed, TYPES, typeFor, valueFor } from './lib/seed.js';
import { printTable } from './lib/table.js';
import { postgresInstalled, startCluster, type Cluster } from '../packages/server/test/pg.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const SECRETS = Number(process.env.BENCH_SECRETS ?? 1000);
const BACKENDS = (process.env.BENCH_BACKENDS ?? (postgresInstalled() ? 'filebased,securestore' : 'filebased')).split(',');
const KEY = `bench-admin-key-${randomBytes(16).toString('hex')}`;
const log = (s: string) => process.stderr.write(`${s}\n`);

function scenarios(url: string, auth: Record<string, string>): Omit<LoadSpec, 'connections' | 'seconds'>[] {
  const rand = () => Math.floor(Math.random() * SECRETS);
  let n = 0;
  const run = randomBytes(3).toString('hex');
  return [
    { url, name: 'value read', headers: auth, next: () => ({ path: `/api/v1/secrets/${idFor(rand())}/value` }) },
    { url, name: 'metadata read', headers: auth, next: () => ({ path: `/api/v1/secrets/${idFor(rand())}` }) },
    { url, name: 'ids by type', headers: auth, next: () => ({ path: `/api/v1/secrets/ids?connector_type=${TYPES[rand() % TYPES.length]}` }) },
    // A type the ids scenario does not filter on, so created secrets do not grow its answers.
    { url, name: 'create', method: 'POST', headers: auth, next: () => ({ path: '/api/v1/secrets', body: JSON.stringify({ secret_id: `new-${run}-${n++}`, secret_type: 'confluence', secret_value: { username: `u${n}`, password: `p${n}` } }) }) },
    { url, name: 'update', method: 'PUT', headers: auth, next: () => { const i = rand(); return { path: `/api/v1/secrets/${idFor(i)}`, body: JSON.stringify({ secret_value: valueFor(typeFor(i), i) }) }; } },
  ];
}

async function measure(label: string, specs: Omit<LoadSpec, 'connections' | 'seconds'>[]): Promise<Figure[]> {
  const out: Figure[] = [];
  for (const connections of [10, 50]) {
    for (const s of specs) {
      await warm({ ...s, connections, seconds: SECONDS });
      const f = await load({ ...s, connections, seconds: SECONDS });
      log(`${label} ${s.name} @${connections}: ${Math.round(f.rps)} req/s p50 ${f.p50} ms p99 ${f.p99} ms errors ${f.errors}`);
      out.push({ ...f, name: `${label}: ${s.name}` });
    }
  }
  return out;
}

/** securestore: BENCH_DATABASE_URL, or a durable throw-away PostgreSQL (fsync on) for this run. */
let cluster: Cluster | undefined;
async function databaseUrl(): Promise<string> {
  if (process.env.BENCH_DATABASE_URL) return process.env.BENCH_DATABASE_URL;
  cluster ??= await startCluster({ durable: true });
  return cluster.url;
}

async function main() {
  const ceiling = await start(CEILING);
  const results: { backend: string; rows: Figure[]; ceiling: Figure[] }[] = [];
  try {
    for (const backend of BACKENDS) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'coffer-bench-'));
      const env: Record<string, string> = { SECRET_MANAGER_DATA_DIR: dir, SECRET_MANAGER_ADMIN_API_KEY: KEY, SECRET_MANAGER: backend };
      if (backend === 'securestore') {
        env.SECRET_MANAGER_DATABASE_URL = await databaseUrl();
        env.SECRET_MANAGER_MASTER_KEY = randomBytes(32).toString('base64');
      }
      log(`seeding ${SECRETS} secrets on ${backend}…`);
      await seed(env, SECRETS);
      const coffer = await start(SERVER_MAIN, env);
      try {
        const ceilingRows = await measure('ceiling', [{ url: ceiling.url, name: 'fixed JSON', next: () => ({ path: '/' }) }]);
        const rows = await measure(backend, scenarios(coffer.url, { authorization: `Bearer ${KEY}` }));
        results.push({ backend, rows, ceiling: ceilingRows });
      } finally {
        await coffer.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await ceiling.stop();
    cluster?.stop();
  }
  const machine = { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version, date: new Date().toISOString(), seconds: SECONDS, secrets: SECRETS };
  for (const r of results) printTable(r.backend, r.rows, r.ceiling);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  const file = new URL(`./results/bench-${machine.date.replace(/[:.]/g, '-')}.json`, import.meta.url);
  writeFileSync(file, `${JSON.stringify({ machine, results }, null, 2)}\n`);
  process.stdout.write(`\n${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ${machine.date}\nwritten to ${file.pathname}\n`);
  const errors = results.flatMap((r) => [...r.rows, ...r.ceiling]).reduce((s, f) => s + f.errors, 0);
  if (errors > 0) {
    process.stdout.write(`\n${errors} errors during the run: these figures are not a result.\n`);
    process.exitCode = 1;
  }
}

await main();
