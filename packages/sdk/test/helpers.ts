// What the SDK and CLI tests share: a real Coffer server process, users with API keys made the
// way a person makes them (sign in, create a key), and a pass-through proxy that can play an
// ingress that rate-limits or stalls, in front of the real server.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tempDir } from '../../server/test/helpers.js';
import { startServer, type ServerProcess } from '../../server/test/process.js';

export const ADMIN_KEY = 'sdk-test-operator-key-0123456789abcdef0123';

export interface Server extends ServerProcess {
  dir: string;
}

export async function startCoffer(env: Record<string, string> = {}): Promise<Server> {
  const dir = tempDir('coffer-sdk-');
  const s = await startServer({ SECRET_MANAGER_DATA_DIR: dir, SECRET_MANAGER_ADMIN_API_KEY: ADMIN_KEY, SECRET_MANAGER_SQLITE_SYNCHRONOUS: 'normal', ...env });
  return { ...s, dir };
}

/** Creates a user with these roles and signs in as them to create their API key. */
export async function userKey(url: string, email: string, roles: string[]): Promise<string> {
  const password = 'a-long-enough-password';
  const api = `${url}/api/v1`;
  const created = await fetch(`${api}/users`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ email, password, roles }) });
  if (created.status !== 201) throw new Error(`user: ${created.status} ${await created.text()}`);
  const login = await fetch(`${api}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrf_token } = (await login.json()) as { csrf_token: string };
  const k = await fetch(`${api}/users/current/api-keys`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf_token, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'test' }) });
  return ((await k.json()) as { key: string }).key;
}

export type ProxyMode = 'pass' | { status: number; retryAfter?: string; times: number } | 'stall';

export interface Proxy {
  url: string;
  /** Requests that reached the proxy. */
  seen: () => string[];
  set: (m: ProxyMode) => void;
  close: () => Promise<void>;
}

export async function startProxy(target: string): Promise<Proxy> {
  const t = new URL(target);
  let mode: ProxyMode = 'pass';
  const seen: string[] = [];
  const stalled = new Set<ServerResponse>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}`);
    if (mode === 'stall') {
      stalled.add(res);
      return;
    }
    if (typeof mode === 'object' && mode.times > 0) {
      mode.times--;
      req.resume();
      res.writeHead(mode.status, { 'content-type': 'application/json', ...(mode.retryAfter ? { 'retry-after': mode.retryAfter } : {}) });
      return res.end(JSON.stringify({ error: { code: mode.status === 429 ? 'rate_limited' : 'unavailable', message: 'The ingress says: not now.' } }));
    }
    const up = httpRequest({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen: () => seen,
    set: (m) => {
      mode = m;
    },
    close: () => {
      for (const r of stalled) r.destroy();
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
