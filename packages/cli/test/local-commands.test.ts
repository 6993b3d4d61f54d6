// Key rotation on a live server: add a key, SIGHUP, re-wrap everything, all while reads go on.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../../server/test/helpers.js';
import { startServer } from '../../server/test/process.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/coffer.js');
const KEY = 'cli-test-operator-key-0123456789abcdef0123';

const coffer = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });

it('coffer keys add + SIGHUP + coffer keys rotate re-wrap every data key while the server keeps answering', async () => {
  const dir = tempDir();
  const env = { SECRET_MANAGER_DATA_DIR: dir };
  const s = await startServer({ ...env, SECRET_MANAGER_ADMIN_API_KEY: KEY });
  const api = (method: string, p: string, body?: unknown) =>
    fetch(`${s.url}/api/v1${p}`, { method, headers: { authorization: `Bearer ${KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  try {
    for (let i = 0; i < 40; i++) assert.equal((await api('POST', '/secrets', { secret_id: `k${i}`, secret_value: { n: String(i) } })).status, 201);

    let reading = true;
    let reads = 0;
    const failures: string[] = [];
    const reader = (async () => {
      while (reading) {
        const i = Math.floor(Math.random() * 40);
        const r = await api('GET', `/secrets/k${i}/value`);
        reads++;
        if (r.status !== 200 || ((await r.json()) as { n: string }).n !== String(i)) failures.push(`k${i}: ${r.status}`);
      }
    })();

    const oldId = readFileSync(path.join(dir, 'master.key'), 'utf8').split(':')[0]!;
    const added = await coffer(['keys', 'add'], env);
    const newId = /Added key '([^']+)'/.exec(added.stdout)?.[1];
    assert.ok(newId && newId !== oldId, added.stdout);
    s.proc.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await api('POST', '/secrets', { secret_id: 'after-hup', secret_value: { n: 'x' } })).status, 201);

    const rotated = await coffer(['keys', 'rotate', '--batch', '7'], env);
    assert.match(rotated.stdout, /Re-wrapped 40 data keys/);
    assert.match(rotated.stdout, /40\/40/);
    const status = JSON.parse((await coffer(['keys', 'status', '--output', 'json'], env)).stdout);
    assert.equal(status.current, newId);
    assert.equal(status.stale, 0);
    assert.deepEqual(status.data_keys.map((k: { kek_id: string; count: number }) => [k.kek_id, k.count]), [[newId, 41]]);

    const pruned = await coffer(['keys', 'rotate', '--prune'], env);
    assert.match(pruned.stdout, new RegExp(`Removed unused keys from the key file: ${oldId}`));
    assert.ok(!readFileSync(path.join(dir, 'master.key'), 'utf8').includes(`${oldId}:`), "!readFileSync(path.join(dir, 'master.key'), 'utf8').includes(`${oldId}:`)");

    reading = false;
    await reader;
    assert.deepEqual(failures, []);
    assert.ok(reads > 20, `only ${reads} reads happened during rotation`);
  } finally {
    await s.stop();
  }
  // After pruning, a restart with only the new key still reads everything.
  const again = await startServer(env);
  try {
    const r = await fetch(`${again.url}/api/v1/secrets/k7/value`, { headers: { authorization: `Bearer ${KEY}` } });
    assert.deepEqual(await r.json(), { n: '7' });
  } finally {
    await again.stop();
  }
});

it('coffer audit verify reports an intact chain, and the first broken entry after tampering (local and remote)', async () => {
  const dir = tempDir();
  const env = { SECRET_MANAGER_DATA_DIR: dir };
  const s = await startServer({ ...env, SECRET_MANAGER_ADMIN_API_KEY: KEY });
  try {
    for (let i = 0; i < 5; i++) {
      await fetch(`${s.url}/api/v1/secrets`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ secret_id: `a${i}`, secret_value: { n: 'x' } }) });
    }
    const ok = await coffer(['audit', 'verify'], env);
    assert.match(ok.stdout, /The audit chain of 6 entries is intact/);
    const remote = await coffer(['audit', 'verify'], { SECRET_MANAGER_URL: s.url, SECRET_MANAGER_API_KEY: KEY });
    assert.match(remote.stdout, /entries is intact/);

    const { default: SQLite } = await import('better-sqlite3');
    const db = new SQLite(path.join(dir, 'coffer.db'));
    db.prepare("update audit_log set action = 'secret.read_value' where seq = 3").run();
    db.close();
    await assert.rejects(coffer(['audit', 'verify'], env), (e: { code: number; stdout: string }) => e.code === 1 && /broken at entry 3: entry 3 was altered/.test(e.stdout));
    await assert.rejects(coffer(['audit', 'verify'], { SECRET_MANAGER_URL: s.url, SECRET_MANAGER_API_KEY: KEY }), (e: { code: number; stdout: string }) => e.code === 1 && /broken at entry 3/.test(e.stdout));
  } finally {
    await s.stop();
  }
});
