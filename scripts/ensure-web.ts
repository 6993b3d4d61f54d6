// `npm start` runs this first: builds the web UI when packages/web/dist is missing or older than
// its sources, so that the one-line start in the README serves a current UI without a rebuild
// on every start (a build takes seconds; a start should not).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../packages/web');
const built = path.join(web, 'dist', 'index.html');

function newest(p: string): number {
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((n) => newest(path.join(p, n))));
}

const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((n) => path.join(web, n)).filter(existsSync);
const stale = !existsSync(built) || Math.max(...sources.map(newest)) > statSync(built).mtimeMs;
if (stale) {
  process.stdout.write('Building the web UI (packages/web)…\n');
  const r = spawnSync('npm', ['run', '--silent', 'build', '-w', '@coffer/web'], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('The web UI did not build; see the messages above.');
    process.exit(r.status ?? 1);
  }
}
