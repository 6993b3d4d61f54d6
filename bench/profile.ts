// npm run bench:profile: where a value read's time goes. Runs the compiled server under
// node --cpu-prof during value reads at 10 connections (as in npm run bench) and prints the share of
// samples per layer, each sample counted in the innermost layer on its stack.
// Options (env): BENCH_SECONDS (10), BENCH_CONNECTIONS (10). Keeps the .cpuprofile (open it in Chrome's DevTools).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load, warm } from './lib/load.js';
import { SERVER_MAIN, start } from './lib/processes.js';
import { idFor, seed } from './lib/seed.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SECRETS = 1000;
const KEY = `bench-admin-key-${randomBytes(16).toString('hex')}`;

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }

const LAYERS: [string, (n: ProfileNode) => boolean][] = [
  ['idle: waiting (audit commit, network)', (n) => n.callFrame.functionName === '(idle)'],
  ['garbage collection', (n) => n.callFrame.functionName === '(garbage collector)'],
  ['SQLite queries (kysely, better-sqlite3)', (n) => /sqlite-driver|prepared\.js|text-guard|kysely|store\/db\.js/.test(n.callFrame.url)],
  ['data key unwrap, AES-256-GCM', (n) => /crypto\/envelope/.test(n.callFrame.url)],
  ['audit entry, hand-off to the writer thread', (n) => /\/audit\//.test(n.callFrame.url)],
  ['API key hash, remembered credentials', (n) => /\/access\//.test(n.callFrame.url)],
  ['secrets service', (n) => /\/secrets\/|generations/.test(n.callFrame.url)],
  ['request logger (pino)', (n) => /pino|redact/.test(n.callFrame.url)],
  ['metrics (prom-client)', (n) => /prom-client|\/metrics\//.test(n.callFrame.url)],
  ['rate limits, headers, CORS', (n) => /\/surface\//.test(n.callFrame.url)],
  ['zod validation', (n) => /zod/.test(n.callFrame.url)],
  ['Fastify routing, hooks, reply', (n) => /fastify|find-my-way/.test(n.callFrame.url)],
  ["Node's HTTP parser and socket writes", (n) => /_http_|node:net|streams/.test(n.callFrame.url) || /writev|writeBuffer/.test(n.callFrame.functionName)],
];

function layers(file: string): [string, number][] {
  const p = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const totals = new Map<string, number>();
  for (const sample of p.samples) {
    let layer = 'other';
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const hit = LAYERS.find(([, test]) => test(byId.get(id)!));
      if (hit) {
        layer = hit[0];
        break;
      }
    }
    totals.set(layer, (totals.get(layer) ?? 0) + 1);
  }
  return [...totals].map(([k, v]): [string, number] => [k, (100 * v) / p.samples.length]).sort((a, b) => b[1] - a[1]);
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'coffer-profile-'));
const profiles = mkdtempSync(path.join(os.tmpdir(), 'coffer-cpuprofile-'));
const env = { SECRET_MANAGER_DATA_DIR: dir, SECRET_MANAGER_ADMIN_API_KEY: KEY, SECRET_MANAGER_RATE_LIMIT_PER_KEY: '1000000', SECRET_MANAGER_RATE_LIMIT_PER_ADDRESS: '1000000' };
await seed(env, SECRETS);
const server = await start(SERVER_MAIN, env, [...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean), '--cpu-prof', `--cpu-prof-dir=${profiles}`]);
const spec = {
  url: server.url, name: 'value read', connections: CONNECTIONS, seconds: SECONDS, headers: { authorization: `Bearer ${KEY}` },
  next: () => ({ path: `/api/v1/secrets/${idFor(Math.floor(Math.random() * SECRETS))}/value` }),
};
await warm(spec);
const f = await load(spec);
await server.stop();
const file = path.join(profiles, readdirSync(profiles).find((n) => n.endsWith('.cpuprofile'))!);
process.stdout.write(`value read @${CONNECTIONS} under the profiler: ${Math.round(f.rps)} req/s, p99 ${f.p99} ms, ${f.errors} errors\n`);
for (const [name, pct] of layers(file)) process.stdout.write(`${pct.toFixed(1).padStart(6)}%  ${name}\n`);
process.stdout.write(`\n${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}\nprofile: ${file}\n`);
if (f.errors > 0) process.exitCode = 1;
