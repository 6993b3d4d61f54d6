// Azurite, Microsoft's Blob Storage emulator, on loopback: it checks shared-key and SAS signatures
// for real (a wrong key answers 403). --disableTelemetry keeps it off the internet.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

export const AZURITE_ACCOUNT = 'devstoreaccount1';
/** Azurite's well-known development key (documented by Microsoft; not a secret). */
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  /** The account's blob endpoint, e.g. http://127.0.0.1:PORT/devstoreaccount1 */
  endpoint: string;
  stop: () => Promise<void>;
}

const MAIN = path.join(path.dirname(createRequire(import.meta.url).resolve('azurite/package.json')), 'dist/src/blob/main.js');

export async function startAzurite(timeoutMs = 20_000): Promise<Azurite> {
  const proc: ChildProcess = spawn(process.execPath, [MAIN, '--blobHost', '127.0.0.1', '--blobPort', '0', '--inMemoryPersistence', '--disableTelemetry', '--skipApiVersionCheck'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '' },
  });
  let out = '';
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`azurite did not start:\n${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += String(d);
      const m = /successfully listens on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`azurite exited with ${code}:\n${out}`));
    });
  });
  return {
    endpoint: `${base}/${AZURITE_ACCOUNT}`,
    stop: () => new Promise((r) => {
      if (proc.exitCode !== null) return r();
      proc.once('exit', () => r());
      proc.kill('SIGTERM');
    }),
  };
}
