// Runs the real server as a child process, for tests of start-up, signals and crashes.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/main.ts');

export interface ServerProcess {
  proc: ChildProcess;
  url: string;
  output: () => string;
  /** SIGTERM, then waits for the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** Resolves when the exit code is known; collects stdout and stderr. */
export function runMain(env: Record<string, string>): { proc: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', SECRET_MANAGER_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += String(d)));
  proc.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

export async function startServer(env: Record<string, string>, timeoutMs = 20_000): Promise<ServerProcess> {
  const r = runMain({ SECRET_MANAGER_PORT: '0', ...env });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${r.output()}`)), timeoutMs);
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(r.output());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    r.proc.stdout!.on('data', check);
    void r.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${r.output()}`));
    });
  });
  return {
    proc: r.proc, url, output: r.output,
    stop: async (signal = 'SIGTERM') => {
      if (r.proc.exitCode === null) r.proc.kill(signal);
      return r.exited;
    },
  };
}

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/** Calls a running server's API (base URL of startServer) with an API key or a session cookie. */
export function apiClient(url: string, auth: { key?: string; cookie?: string; csrf?: string } = {}) {
  return async (method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const r = await fetch(`${url}/api/v1${p}`, {
      method,
      headers: {
        ...(auth.key ? { authorization: `Bearer ${auth.key}` } : {}),
        ...(auth.cookie ? { cookie: auth.cookie } : {}),
        ...(auth.csrf ? { 'x-csrf-token': auth.csrf } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined, headers: r.headers };
  };
}
