// The backup file format on its own: frames round-trip, and every kind of damage is caught.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/helpers.js';
import { BackupError, createBackupWriter, deriveKeys, newKeyDerivation, parseKeyFile, readHeader, readRecords, type BackupHeader, type BackupSecret } from './format.js';

const counts = { users: 0, roles: 0, role_permissions: 0, user_roles: 0, api_keys: 0, secrets: 0, secret_versions: 0, connectors: 0, audit_log: 0, meta: 0 };

async function write(secret: BackupSecret, records: unknown[], frameBytes = 200): Promise<string> {
  const file = path.join(tempDir('coffer-backup-'), 'b.coffer');
  const key = newKeyDerivation(secret);
  const salt = randomBytes(16).toString('base64');
  const header: BackupHeader = { format: 'coffer-backup', version: 1, created_at: new Date().toISOString(), coffer_version: 'test', source: { store: 'filebased' }, key, salt, counts };
  const w = createBackupWriter(file, header, await deriveKeys(secret, header), frameBytes);
  for (const r of records.slice(0, -1)) w.add(r);
  w.finish(records[records.length - 1]);
  return file;
}

const read = async (file: string, secret: BackupSecret) => [...readRecords(file, await deriveKeys(secret, readHeader(file).header))];
const key: BackupSecret = { kind: 'key', key: randomBytes(32) };
const records = Array.from({ length: 40 }, (_, i) => ({ t: 'meta', r: { key: `k${i}`, value: 'x'.repeat(i * 3) } }));

/** Byte offsets of each frame (after the two header lines). */
function frames(file: string): { start: number; size: number }[] {
  const b = readFileSync(file);
  const out: { start: number; size: number }[] = [];
  let p = b.indexOf(0x0a, b.indexOf(0x0a) + 1) + 1;
  while (p < b.length) {
    const size = b.readUInt32BE(p);
    out.push({ start: p, size: 4 + size });
    p += 4 + size;
  }
  return out;
}

describe('backup file format', () => {
  it('round-trips records over many frames, readable header, file mode 0600, no .partial left', async () => {
    const file = await write(key, records);
    assert.ok(frames(file).length > 5, 'several frames');
    assert.deepEqual(await read(file, key), records);
    assert.equal(readFileSync(file, 'utf8').split('\n')[0], 'coffer-backup 1');
    assert.equal(readHeader(file).header.source.store, 'filebased');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(!existsSync(`${file}.partial`), '!existsSync(`${file}.partial`)');
    assert.ok(!readFileSync(file).includes('xxxxxxxxx'), 'records are encrypted');
  });

  it('a passphrase works, through argon2id; the wrong one and the wrong kind of key are refused', async () => {
    const pass: BackupSecret = { kind: 'passphrase', passphrase: 'correct horse battery staple' };
    const file = await write(pass, records.slice(0, 3));
    assert.deepEqual(await read(file, pass), records.slice(0, 3));
    assert.equal(readHeader(file).header.key.kind, 'passphrase');
    await assert.rejects(read(file, { kind: 'passphrase', passphrase: 'correct horse battery stapler' }), /wrong backup key or passphrase/);
    await assert.rejects(read(file, key), /made with a passphrase/);
  });

  it('refuses a wrong key, a changed byte, a changed header, swapped or dropped frames, a cut file and trailing data', async () => {
    const file = await write(key, records);
    const bytes = readFileSync(file);
    const fs = frames(file);
    const variant = (b: Buffer) => {
      const f = path.join(path.dirname(file), `v${randomBytes(4).toString('hex')}`);
      writeFileSync(f, b);
      return f;
    };
    await assert.rejects(read(file, { kind: 'key', key: randomBytes(32) }), /wrong backup key/);

    const flipped = Buffer.from(bytes);
    flipped[fs[2]!.start + 20]! ^= 1;
    await assert.rejects(read(variant(flipped), key), /damaged at frame 2/);

    const header = Buffer.from(bytes.toString('latin1').replace('"filebased"', '"securestore"'), 'latin1');
    await assert.rejects(read(variant(header), key), /wrong backup key or passphrase, or the file was changed/);

    const [a, b] = [fs[1]!, fs[2]!];
    const swapped = Buffer.concat([bytes.subarray(0, a.start), bytes.subarray(b.start, b.start + b.size), bytes.subarray(a.start, a.start + a.size), bytes.subarray(b.start + b.size)]);
    await assert.rejects(read(variant(swapped), key), /damaged at frame 1/);

    const dropped = Buffer.concat([bytes.subarray(0, a.start), bytes.subarray(a.start + a.size)]);
    await assert.rejects(read(variant(dropped), key), /damaged at frame 1/);

    const last = fs[fs.length - 1]!;
    await assert.rejects(read(variant(bytes.subarray(0, last.start)), key), /incomplete/);
    await assert.rejects(read(variant(bytes.subarray(0, bytes.length - 3)), key), /incomplete/);

    const trailing = variant(bytes);
    appendFileSync(trailing, 'more');
    await assert.rejects(read(trailing, key), /data after its last frame/);

    await assert.rejects(read(variant(Buffer.from('hello\nworld\n')), key), BackupError);
    await assert.rejects(read(variant(Buffer.from(bytes.toString('latin1').replace('coffer-backup 1', 'coffer-backup 2'), 'latin1')), key), /version 2 backup/);
  });

  it('reads a key file of base64 32 bytes and nothing else', () => {
    const k = randomBytes(32);
    assert.ok(parseKeyFile(`${k.toString('base64')}\n`).equals(k), "parseKeyFile(`${k.toString('base64')}\\n`).equals(k)");
    for (const bad of ['', 'not base64!', randomBytes(16).toString('base64'), `k1:${k.toString('base64')}`]) assert.throws(() => parseKeyFile(bad), /32 bytes/);
  });
});
