// Test harness: a real Coffer on a temporary SQLite file, or with COFFER_TEST_BACKEND=postgres on a
// database of its own on a test PostgreSQL (test/pg.ts), driven through app.inject(). Logs are
// captured so tests can look for leaks.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../src/app.js';
import { openCoffer, type Coffer } from '../src/coffer.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logging.js';
import { openDatabase, type Database } from '../src/store/db.js';
import { createTestDatabase, dropTestDatabase, testCluster } from './pg.js';

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'correct-horse-battery-staple';
export const ADMIN_KEY = 'operator-key-0123456789abcdef0123456789abcdef';

export type Backend = 'sqlite' | 'postgres';

/** The store the API and store suites run on; scripts/test.sh runs them once with each. */
export function testBackend(): Backend {
  const b = process.env.COFFER_TEST_BACKEND ?? 'sqlite';
  if (b !== 'sqlite' && b !== 'postgres') throw new Error(`COFFER_TEST_BACKEND must be sqlite or postgres, not '${b}'`);
  return b;
}

/** An empty store on the selected backend; open() connects to it (again), as another replica would. */
export interface TestStore {
  backend: Backend;
  open: () => Promise<Database>;
  drop: () => Promise<void>;
}

export async function createTestStore(): Promise<TestStore> {
  const backend = testBackend();
  if (backend === 'postgres') {
    const created = await createTestDatabase('store');
    return { backend, open: () => openDatabase({ kind: 'postgres', url: created.url }), drop: created.drop };
  }
  const dir = tempDir();
  return {
    backend,
    open: () => openDatabase({ kind: 'sqlite', file: path.join(dir, 'coffer.db'), synchronous: 'normal' }),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface TestEnv {
  app: FastifyInstance;
  coffer: Coffer;
  backend: Backend;
  /** Its data dir. Passing it again as SECRET_MANAGER_DATA_DIR reopens the same store, on either backend. */
  dir: string;
  logs: () => string;
  /** Calls the API as the first administrator (API key). */
  admin: Client;
  as: (key: string | undefined) => Client;
  close: () => Promise<void>;
}

export type Client = (method: InjectOptions['method'], url: string, body?: unknown, headers?: Record<string, string>) => Promise<LightMyRequestResponse>;

export function tempDir(prefix = 'coffer-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/**
 * On PostgreSQL: a fresh database (and a master key, which securestore requires) per data dir,
 * remembered in that dir so that a test can close the env and open the same store again.
 */
async function postgresSettings(dir: string, env: Record<string, string>): Promise<{ settings: Record<string, string>; drop: () => Promise<void> }> {
  const remembered = path.join(dir, 'postgres.json');
  if (!existsSync(remembered)) {
    const created = await createTestDatabase('env');
    writeFileSync(remembered, JSON.stringify({ url: created.url, key: randomBytes(32).toString('base64') }));
  }
  const { url, key } = JSON.parse(readFileSync(remembered, 'utf8')) as { url: string; key: string };
  const settings = { SECRET_MANAGER: 'securestore', SECRET_MANAGER_DATABASE_URL: url, ...(env.SECRET_MANAGER_MASTER_KEY ? {} : { SECRET_MANAGER_MASTER_KEY: key }) };
  return { settings, drop: () => dropTestDatabase(url) };
}

export async function startTestEnv(env: Record<string, string> = {}, opts: { now?: () => Date; backend?: Backend } = {}): Promise<TestEnv> {
  const backend = opts.backend ?? testBackend();
  const dir = env.SECRET_MANAGER_DATA_DIR ?? tempDir();
  const pgStore = backend === 'postgres' ? await postgresSettings(dir, env) : undefined;
  const config = loadConfig({
    SECRET_MANAGER_DATA_DIR: dir,
    SECRET_MANAGER_ADMIN_EMAIL: ADMIN_EMAIL,
    SECRET_MANAGER_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SECRET_MANAGER_ADMIN_API_KEY: ADMIN_KEY,
    SECRET_MANAGER_SQLITE_SYNCHRONOUS: 'normal',
    ...pgStore?.settings,
    ...env,
  });
  const coffer = await openCoffer(config, { now: opts.now });
  await coffer.identity.bootstrap({ adminEmail: config.adminEmail, adminPassword: config.adminPassword, adminApiKey: config.adminApiKey });
  const chunks: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { chunks.push(String(chunk)); cb(); } });
  const app = await buildApp({ coffer, logger: createLogger('trace', sink) });
  await app.ready();
  const as = (key: string | undefined): Client => (method, url, body, headers = {}) =>
    app.inject({
      method, url,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
  return {
    app, coffer, dir, backend,
    logs: () => chunks.join(''),
    admin: as(ADMIN_KEY),
    as,
    close: async () => {
      await app.close();
      await coffer.close();
      await pgStore?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Creates a user with the given roles and an API key for them; returns the key. */
export async function userWithKey(t: TestEnv, email: string, roles: string[]): Promise<{ id: string; key: string }> {
  const created = await t.admin('POST', '/api/v1/users', { email, password: 'a-long-enough-password', roles });
  if (created.statusCode !== 201) throw new Error(`user create: ${created.statusCode} ${created.body}`);
  const { id } = created.json() as { id: string };
  const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: 'a-long-enough-password' } });
  const cookie = login.cookies.find((c) => c.name === 'coffer_session')!;
  const { csrf_token } = login.json() as { csrf_token: string };
  const k = await t.app.inject({ method: 'POST', url: '/api/v1/users/current/api-keys', payload: { name: 'test' }, cookies: { coffer_session: cookie.value }, headers: { 'x-csrf-token': csrf_token } });
  if (k.statusCode !== 201) throw new Error(`key create: ${k.statusCode} ${k.body}`);
  return { id, key: (k.json() as { key: string }).key };
}

export const S3_VALUE = { access_key_id: 'AKIAEXAMPLE123', secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region: 'us-east-1' };

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));

/**
 * Closes the env's store and lists every file it wrote, flushed: SQLite's database, WAL and shared
 * memory; on PostgreSQL this database's tables and the write-ahead log, after a checkpoint. Undefined
 * when the PostgreSQL server is not ours to read (given by SECRET_MANAGER_TEST_DATABASE_URL).
 */
export async function closeAndListStoreFiles(t: TestEnv): Promise<string[] | undefined> {
  if (t.backend === 'sqlite') {
    await t.coffer.close();
    return filesUnder(t.dir);
  }
  const { dataDir } = await testCluster();
  const { db } = t.coffer.database;
  const oid = dataDir ? (await sql<{ oid: number }>`select oid from pg_database where datname = current_database()`.execute(db)).rows[0]!.oid : undefined;
  if (dataDir) await sql`checkpoint`.execute(db);
  await t.coffer.close();
  return dataDir ? [...filesUnder(path.join(dataDir, 'base', String(oid))), ...filesUnder(path.join(dataDir, 'pg_wal'))] : undefined;
}

/** Makes every insert into the audit log fail, as a full disk would; the returned function undoes it. */
export async function failAuditWrites(t: TestEnv): Promise<() => Promise<void>> {
  const { db } = t.coffer.database;
  if (t.backend === 'sqlite') {
    await sql`create trigger audit_down before insert on audit_log begin select raise(abort, 'disk full'); end`.execute(db);
    return async () => void (await sql`drop trigger audit_down`.execute(db));
  }
  await sql`create or replace function audit_down() returns trigger language plpgsql as $$ begin raise exception 'disk full'; end $$`.execute(db);
  await sql`create trigger audit_down before insert on audit_log for each row execute function audit_down()`.execute(db);
  return async () => void (await sql`drop trigger audit_down on audit_log`.execute(db));
}
