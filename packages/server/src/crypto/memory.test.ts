// Zeroing, checked where it matters: in the memory of a process that read a value many times.
// The test process learns the data key from the database and the key file (as a thief of both
// would), then searches every writable page of the reader process for its bytes. Data keys never
// become JS strings, so none may be left once the garbage collector has run. The value itself is
// still there (strings cannot be zeroed): that limit is reported, not hidden (docs/security.md).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import SQLite from 'better-sqlite3';
import { tempDir } from '../../test/helpers.js';
import { readKeyFile } from './keyring.js';

const CHILD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/value-reader.ts');

/** Occurrences of `needle` in the writable memory of process `pid`. */
function countInMemory(pid: number, needle: Buffer): number {
  const regions = readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').filter((l) => / rw.p /.test(l));
  const fd = openSync(`/proc/${pid}/mem`, 'r');
  let found = 0;
  try {
    for (const line of regions) {
      const [from, to] = line.split(' ')[0]!.split('-').map((h) => BigInt(`0x${h}`)) as [bigint, bigint];
      const length = Number(to - from);
      if (length > 1024 * 1024 * 1024) continue;
      const page = Buffer.alloc(length);
      try {
        readSync(fd, page, 0, length, from);
      } catch {
        continue; // reserved but never committed
      }
      for (let at = page.indexOf(needle); at !== -1; at = page.indexOf(needle, at + 1)) found++;
    }
  } finally {
    closeSync(fd);
  }
  return found;
}

/** The data key of a version, unwrapped as envelope.ts wraps it (AES-256-GCM, row-bound AAD). */
function dataKey(kek: Buffer, kekId: string, secretId: string, version: number, wrapped: Buffer): Buffer {
  const d = createDecipheriv('aes-256-gcm', kek, wrapped.subarray(0, 12));
  d.setAAD(Buffer.from(`coffer/dek/v1\0${kekId}\0default\0${secretId}\0${version}`));
  d.setAuthTag(wrapped.subarray(wrapped.length - 16));
  return Buffer.concat([d.update(wrapped.subarray(12, wrapped.length - 16)), d.final()]);
}

it('leaves no data key in the memory of a process that decrypted a value 50 times', { skip: process.platform !== 'linux' && 'needs /proc' }, async (t) => {
  const dir = tempDir();
  const value = `memory-canary-${Date.now()}`;
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD], { env: { PATH: process.env.PATH, DATA_DIR: dir, VALUE: value }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => String(d).includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`reader exited with ${code}`)));
    });
    const db = new SQLite(path.join(dir, 'coffer.db'), { readonly: true });
    const row = db.prepare("select kek_id, wrapped_key from secret_versions where secret_id = 'in-memory' and version = 1").get() as { kek_id: string; wrapped_key: Buffer };
    db.close();
    const kek = readKeyFile(path.join(dir, 'master.key')).find((k) => k.id === row.kek_id)!.key;
    const dek = dataKey(kek, row.kek_id, 'in-memory', 1, row.wrapped_key);

    assert.ok(countInMemory(child.pid!, kek) >= 1, 'the search finds what is there: the key-encryption key, which must stay in memory');
    // The second half: malloc writes its own pointers over the first 16 bytes of a freed block,
    // so a whole-key search would miss the copies that free() left behind (and did, in a trial).
    assert.equal(countInMemory(child.pid!, dek.subarray(16)), 0, 'a copy of the data key survived');
    const strings = countInMemory(child.pid!, Buffer.from(value));
    if (strings > 0) t.diagnostic(`the value itself is still in ${strings} place(s) of the reader's memory: JS strings cannot be zeroed`);
  } finally {
    child.kill('SIGKILL');
  }
});
