// What the commands that open the store themselves have in common: the server's settings, an opened
// Coffer that is closed again, and a progress bar. The server (with its vendor SDKs) is loaded only
// when such a command runs: remote commands need not pay a second to load it.
import type { Coffer, Config } from '@coffer/server';

export const server = () => import('@coffer/server');

/** The CLI acts as the system, with every permission, and says so in the audit log. */
export async function cliActor() {
  const { systemActor, PERMISSION_IDS } = await server();
  return systemActor('cli', PERMISSION_IDS);
}

export const out = (s: string) => process.stdout.write(`${s}\n`);

export async function config(): Promise<Readonly<Config>> {
  const { loadConfig, ConfigError } = await server();
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
}

export async function withCoffer<T>(fn: (c: Coffer) => Promise<T>): Promise<T> {
  const coffer = await (await server()).openCoffer(await config());
  try {
    return await fn(coffer);
  } finally {
    await coffer.close();
  }
}

export function bar(done: number, total: number): string {
  const width = 30;
  const filled = total === 0 ? width : Math.min(width, Math.round((done / total) * width));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}

/** Redraws one line on a terminal; elsewhere (logs, CI) prints a line a second and the last one. */
export function progressPrinter(write: (s: string) => void, isTTY: boolean | undefined) {
  let last = 0;
  let open = false;
  return {
    update(label: string, done: number, total: number): void {
      const line = `${label.padEnd(8)} ${bar(done, total)}`;
      if (isTTY) {
        write(`\r${line}`);
        open = true;
      } else if (done === total || Date.now() - last > 1000) {
        last = Date.now();
        write(`${line}\n`);
      }
    },
    end(): void {
      if (open) write('\n');
      open = false;
    },
  };
}
