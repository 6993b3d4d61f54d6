// The backup file (`coffer export`): two readable lines, then AES-256-GCM frames.
//
//   coffer-backup 1\n                 magic and format version
//   {header JSON}\n                   when, from which store, how the key is derived, row counts
//   [u32 length][iv|ciphertext|tag]   frames of JSON lines, each sealed with the stream key
//
// Every frame binds, as associated data, the hash of the two header lines, its own index and whether
// it is the last: a changed header, a changed, dropped or reordered frame, and a file cut short all
// fail to open. Keys: a 32-byte key file, or a passphrase through argon2id; HKDF then derives one key
// for the frames and one that wraps each secret version's data key inside them.
import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { hashRaw } from '@node-rs/argon2';
import { DecryptError, gcmOpen, gcmSeal } from '../crypto/envelope.js';

export const MAGIC = 'coffer-backup';
export const FORMAT_VERSION = 1;
const FRAME_BYTES = 1 << 20;
const MAX_FRAME = 64 << 20;
const MAX_HEADER = 64 << 10;

export type KeyDerivation =
  | { kind: 'key-file' }
  | { kind: 'passphrase'; kdf: 'argon2id'; memory_kib: number; passes: number; parallelism: number; salt: string };

export interface BackupHeader {
  format: typeof MAGIC;
  version: typeof FORMAT_VERSION;
  created_at: string;
  coffer_version: string;
  source: { store: 'filebased' | 'securestore' };
  key: KeyDerivation;
  /** HKDF salt, fresh per backup. */
  salt: string;
  /** Rows per table, as exported. */
  counts: Record<string, number>;
}

/** What the operator gives: the contents of a key file, or a passphrase. */
export type BackupSecret = { kind: 'key'; key: Buffer } | { kind: 'passphrase'; passphrase: string };

export interface BackupKeys {
  /** Seals the frames. */
  stream: Buffer;
  /** Wraps each secret version's data key inside the backup. */
  dek: Buffer;
}

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

/** A backup key file holds base64 of 32 random bytes, like SECRET_MANAGER_MASTER_KEY. */
export function parseKeyFile(text: string): Buffer {
  const t = text.trim();
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(t) ? Buffer.from(t, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) throw new BackupError('the backup key file must hold base64 of 32 bytes (make one with --new-key-file)');
  return key;
}

export const newKeyFileText = () => `${randomBytes(32).toString('base64')}\n`;

export function newKeyDerivation(secret: BackupSecret): KeyDerivation {
  if (secret.kind === 'key') return { kind: 'key-file' };
  return { kind: 'passphrase', kdf: 'argon2id', memory_kib: 65536, passes: 3, parallelism: 1, salt: randomBytes(16).toString('base64') };
}

export async function deriveKeys(secret: BackupSecret, header: Pick<BackupHeader, 'key' | 'salt'>): Promise<BackupKeys> {
  const k = header.key;
  let root: Buffer;
  if (k.kind === 'key-file') {
    if (secret.kind !== 'key') throw new BackupError('this backup was made with a key file: give it with --key-file');
    root = secret.key;
  } else {
    if (secret.kind !== 'passphrase') throw new BackupError('this backup was made with a passphrase: give it with --passphrase-file or COFFER_BACKUP_PASSPHRASE');
    // algorithm 2 is Argon2id (the package's const enum cannot be imported under isolatedModules).
    root = await hashRaw(secret.passphrase, { algorithm: 2, memoryCost: k.memory_kib, timeCost: k.passes, parallelism: k.parallelism, outputLen: 32, salt: Buffer.from(k.salt, 'base64') });
  }
  const salt = Buffer.from(header.salt, 'base64');
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', root, salt, info, 32));
  return { stream: derive('coffer-backup/v1/frames'), dek: derive('coffer-backup/v1/data-keys') };
}

const frameAad = (headerHash: Buffer, index: number, final: boolean) => {
  const b = Buffer.alloc(headerHash.length + 5);
  headerHash.copy(b);
  b.writeUInt32BE(index, headerHash.length);
  b[headerHash.length + 4] = final ? 1 : 0;
  return b;
};

export function refuseExisting(file: string): void {
  if (existsSync(file)) throw new BackupError(`${file} already exists: a backup is never overwritten; choose another name`);
}

/** Writes to FILE.partial and links it to FILE at the end, so a half-written backup never looks whole. */
export function createBackupWriter(file: string, header: BackupHeader, keys: BackupKeys, frameBytes = FRAME_BYTES) {
  refuseExisting(file);
  const partial = `${file}.partial`;
  const fd = openSync(partial, 'wx', 0o600);
  const head = Buffer.from(`${MAGIC} ${FORMAT_VERSION}\n${JSON.stringify(header)}\n`);
  const headerHash = createHash('sha256').update(head).digest();
  writeSync(fd, head);
  let bytes = head.length;
  let index = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;

  function flush(final: boolean): void {
    const plain = Buffer.concat(pending);
    const sealed = gcmSeal(keys.stream, plain, frameAad(headerHash, index++, final));
    plain.fill(0);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(sealed.length);
    writeSync(fd, len);
    writeSync(fd, sealed);
    bytes += 4 + sealed.length;
    pending = [];
    pendingBytes = 0;
  }

  return {
    add(record: unknown): void {
      const line = Buffer.from(`${JSON.stringify(record)}\n`);
      pending.push(line);
      pendingBytes += line.length;
      if (pendingBytes >= frameBytes) flush(false);
    },
    /** Seals the last frame, syncs the file to disk and gives it its name; returns its size. */
    finish(lastRecord: unknown): number {
      this.add(lastRecord);
      flush(true);
      fsyncSync(fd);
      closeSync(fd);
      try {
        linkSync(partial, file); // unlike rename, fails if FILE appeared meanwhile
      } finally {
        rmSync(partial, { force: true });
      }
      return bytes;
    },
    abort(): void {
      try {
        closeSync(fd);
      } finally {
        rmSync(partial, { force: true });
      }
    },
  };
}

function readExactly(fd: number, length: number, position: number): Buffer {
  const b = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, b, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? b : b.subarray(0, got);
}

/** The readable part of a backup; no key needed. */
export function readHeader(file: string): { header: BackupHeader; headerHash: Buffer; offset: number } {
  const fd = openSync(file, 'r');
  try {
    const start = readExactly(fd, MAX_HEADER, 0);
    const first = start.indexOf(0x0a);
    const second = first === -1 ? -1 : start.indexOf(0x0a, first + 1);
    const magic = start.subarray(0, Math.max(first, 0)).toString('utf8');
    if (!magic.startsWith(`${MAGIC} `) || second === -1) throw new BackupError(`${file} is not a Coffer backup`);
    const version = Number(magic.slice(MAGIC.length + 1));
    if (version !== FORMAT_VERSION) throw new BackupError(`${file} is a version ${magic.slice(MAGIC.length + 1)} backup; this Coffer reads version ${FORMAT_VERSION}`);
    let header: BackupHeader;
    try {
      header = JSON.parse(start.subarray(first + 1, second).toString('utf8')) as BackupHeader;
    } catch {
      throw new BackupError(`${file} has a damaged header`);
    }
    return { header, headerHash: createHash('sha256').update(start.subarray(0, second + 1)).digest(), offset: second + 1 };
  } finally {
    closeSync(fd);
  }
}

/** Opens every frame in order and yields its records; throws BackupError on any damage. */
export function* readRecords(file: string, keys: BackupKeys): Generator<unknown> {
  const { headerHash, offset } = readHeader(file);
  const fd = openSync(file, 'r');
  try {
    let position = offset;
    for (let index = 0; ; index++) {
      const len = readExactly(fd, 4, position);
      if (len.length < 4) throw new BackupError(`${file} is incomplete: it ends before its last frame (was the export interrupted or the file cut?)`);
      const size = len.readUInt32BE();
      if (size > MAX_FRAME) throw new BackupError(`${file} is damaged at frame ${index}`);
      const sealed = readExactly(fd, size, position + 4);
      if (sealed.length < size) throw new BackupError(`${file} is incomplete: frame ${index} is cut short`);
      position += 4 + size;
      let plain: Buffer | undefined;
      let final = false;
      for (const f of [false, true]) {
        try {
          plain = gcmOpen(keys.stream, sealed, frameAad(headerHash, index, f));
          final = f;
          break;
        } catch (e) {
          if (!(e instanceof DecryptError)) throw e;
        }
      }
      if (!plain) {
        throw new BackupError(index === 0
          ? `cannot open ${file}: wrong backup key or passphrase, or the file was changed`
          : `${file} is damaged at frame ${index}: it was changed, or frames were removed or reordered`);
      }
      const text = plain.toString('utf8');
      plain.fill(0);
      for (const line of text.split('\n')) if (line) yield JSON.parse(line) as unknown;
      if (final) {
        if (readExactly(fd, 1, position).length > 0) throw new BackupError(`${file} has data after its last frame`);
        return;
      }
    }
  } finally {
    closeSync(fd);
  }
}
