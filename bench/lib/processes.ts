// Servers under test run in their own processes, as in production; the load generator runs here.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The compiled server, as it runs in production (npm run bench builds it first).
export const SERVER_MAIN = path.join(ROOT, 'packages/server/dist/main.js');
export const CEILING = path.join(ROOT, 'bench/ceiling.ts');
/** The V8 flags `npm start` and the container image run the server with (package.json, deploy/Dockerfile). */
export const SERVER_FLAGS = /node (--\S+ )*packages\/server\/dist\/main\.js/.exec(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start)![0].split(' ').slice(1, -1);

export interface Running {
  url: string;
  pid: number;
  /** Milliseconds from spawn to the "listening" line. */
  startMs: number;
  output: () => string;
  stop: () => Promise<void>;
}

export async function start(script: string, env: Record<string, string> = {}, nodeFlags: string[] = []): Promise<Running> {
  const t0 = performance.now();
  // The ceiling is TypeScript (through tsx); the server is the compiled build, as in production.
  const args = script.endsWith('.ts') ? ['--import', 'tsx', script] : [...SERVER_FLAGS, ...nodeFlags, script];
  const proc: ChildProcess = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', SECRET_MANAGER_LOG_LEVEL: 'warn', SECRET_MANAGER_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += String(d)));
  proc.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${out}`)), 120_000);
    proc.stdout!.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then(() => reject(new Error(`${script} exited:\n${out}`)));
  });
  return {
    url, pid: proc.pid!, startMs: performance.now() - t0, output: () => out,
    stop: async () => {
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resident memory of a process in MiB, from /proc. */
export async function rssMiB(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}
