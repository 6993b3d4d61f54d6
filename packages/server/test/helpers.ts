// Test harness: a real Coffer on a temporary SQLite file (or PostgreSQL, see db.ts), driven
// through app.inject(). Logs are captured so tests can look for leaks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../src/app.js';
import { openCoffer, type Coffer } from '../src/coffer.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logging.js';

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'correct-horse-battery-staple';
export const ADMIN_KEY = 'operator-key-0123456789abcdef0123456789abcdef';

export interface TestEnv {
  app: FastifyInstance;
  coffer: Coffer;
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

export async function startTestEnv(env: Record<string, string> = {}, opts: { now?: () => Date } = {}): Promise<TestEnv> {
  const dir = tempDir();
  const config = loadConfig({
    SECRET_MANAGER_DATA_DIR: dir,
    SECRET_MANAGER_ADMIN_EMAIL: ADMIN_EMAIL,
    SECRET_MANAGER_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SECRET_MANAGER_ADMIN_API_KEY: ADMIN_KEY,
    SECRET_MANAGER_SQLITE_SYNCHRONOUS: 'normal',
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
    app, coffer, dir,
    logs: () => chunks.join(''),
    admin: as(ADMIN_KEY),
    as,
    close: async () => {
      await app.close();
      await coffer.close();
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
