// Throw-away PostgreSQL for tests: one cluster from Debian's binaries (initdb into a temporary folder,
// a free port on 127.0.0.1), or the server named by SECRET_MANAGER_TEST_DATABASE_URL; then a fresh
// database per test env so that suites run side by side without seeing each other's rows or locks.
// scripts/test.sh starts ONE cluster for a whole run (see `main` below) and passes its URL on.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';

export const PG_BIN = process.env.COFFER_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface Cluster {
  url: string;
  /** The data folder, when we started the server ourselves (the canary test scans its files). */
  dataDir?: string;
  stop: () => void;
}

export const postgresInstalled = () => existsSync(path.join(PG_BIN, 'initdb'));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** initdb refuses to run as root: run the server's binaries as the `postgres` user then. */
function asPostgres(bin: string, args: string[]): void {
  const cmd = path.join(PG_BIN, bin);
  const [file, argv] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

function ownedByPostgres(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
}

/**
 * Starts a new cluster. For tests durability is off (fsync, synchronous_commit): they kill Coffer,
 * never PostgreSQL. Benchmarks ask for a durable one, as it would run in production.
 */
export async function startCluster(options: { durable?: boolean } = {}): Promise<Cluster> {
  if (!postgresInstalled()) throw new Error(`PostgreSQL is not installed (no ${PG_BIN}/initdb): apt-get install postgresql, or set SECRET_MANAGER_TEST_DATABASE_URL`);
  const base = mkdtempSync(path.join(tmpdir(), 'coffer-pg-'));
  ownedByPostgres(base);
  const dataDir = path.join(base, 'data');
  const remove = () => rmSync(base, { recursive: true, force: true });
  try {
    asPostgres('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8', '--locale-provider=icu', '--icu-locale=en-US', '--no-sync', '--no-instructions']);
  } catch (e) {
    remove();
    throw new Error(`initdb failed: ${String((e as { stderr?: Buffer }).stderr ?? e)}`, { cause: e });
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const opts = [
      `-p ${port}`, '-c listen_addresses=127.0.0.1', `-k ${base}`,
      ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
      '-c max_connections=400', '-c shared_buffers=64MB',
    ].join(' ');
    try {
      asPostgres('pg_ctl', ['start', '-w', '-t', '60', '-D', dataDir, '-l', path.join(base, 'server.log'), '-o', opts]);
    } catch (e) {
      lastError = e; // most likely the port was taken between freePort() and the start
      continue;
    }
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      try {
        asPostgres('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
      } finally {
        remove();
      }
    };
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, dataDir, stop };
  }
  remove();
  throw new Error(`pg_ctl start failed: ${String((lastError as { stderr?: Buffer }).stderr ?? lastError)}`);
}

let shared: Promise<Cluster> | undefined;

/**
 * The server that test databases are made on: SECRET_MANAGER_TEST_DATABASE_URL when given (scripts/test.sh
 * sets it for the whole run), otherwise a cluster of this process's own, stopped when the process exits.
 */
export function testCluster(): Promise<Cluster> {
  const url = process.env.SECRET_MANAGER_TEST_DATABASE_URL;
  if (url) return Promise.resolve({ url, dataDir: process.env.COFFER_TEST_PG_DATA_DIR || undefined, stop: () => undefined });
  shared ??= startCluster().then((c) => {
    process.once('exit', () => c.stop());
    return c;
  });
  return shared;
}

export interface TestDatabase {
  url: string;
  name: string;
  dataDir?: string;
  drop: () => Promise<void>;
}

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/**
 * A fresh, empty database on the test server. Without the right to create databases (a shared server
 * given by URL) it falls back to a schema of its own, chosen through the connection's search_path.
 */
export async function createTestDatabase(label = 't'): Promise<TestDatabase> {
  const cluster = await testCluster();
  const name = `coffer_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase().slice(0, 20)}_${randomBytes(5).toString('hex')}`;
  let url: string;
  try {
    await admin(cluster.url, (c) => c.query(`create database "${name}"`));
    url = withDatabase(cluster.url, name);
  } catch (e) {
    if ((e as { code?: string }).code !== '42501') throw e; // insufficient privilege: use a schema instead
    await admin(cluster.url, (c) => c.query(`create schema "${name}"`));
    const u = new URL(cluster.url);
    u.searchParams.set('options', `-c search_path=${name}`);
    url = u.toString();
  }
  return { url, name, dataDir: cluster.dataDir, drop: () => dropTestDatabase(url) };
}

/** Drops what createTestDatabase made for this URL (its database, or its schema). */
export async function dropTestDatabase(url: string): Promise<void> {
  const cluster = await testCluster();
  const u = new URL(url);
  const schema = /search_path=(coffer_\w+)/.exec(u.searchParams.get('options') ?? '')?.[1];
  const name = schema ?? decodeURIComponent(u.pathname.slice(1));
  if (!/^coffer_\w+$/.test(name)) throw new Error(`not a test database: ${name}`);
  await admin(cluster.url, (c) => c.query(schema ? `drop schema if exists "${name}" cascade` : `drop database if exists "${name}" with (force)`));
}

// scripts/test.sh: `start` prints "URL<TAB>DATA_DIR" and leaves the server running; `stop DATA_DIR` ends it.
async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'start') {
    const c = await startCluster();
    process.stdout.write(`${c.url}\t${c.dataDir}\n`);
  } else if (argv[0] === 'stop' && argv[1]) {
    const dataDir = argv[1];
    try {
      asPostgres('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
    } finally {
      rmSync(path.dirname(dataDir), { recursive: true, force: true });
    }
  } else {
    throw new Error('usage: pg.ts start | stop DATA_DIR');
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href || fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
