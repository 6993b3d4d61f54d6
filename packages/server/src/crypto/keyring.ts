// Key-encryption keys by id. The first key of the ring wraps new data keys; the others only unwrap.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseKeyring, type Keyring as KeyList } from '../config.js';

export class Keyring {
  private keys: Map<string, Buffer> = new Map();
  private current_ = '';

  constructor(list: KeyList) {
    this.replace(list);
  }

  /** Swaps in a new list (SIGHUP after a key was added to the key file): no restart, no downtime. */
  replace(list: KeyList): void {
    if (list.length === 0) throw new Error('keyring is empty');
    const old = this.keys;
    this.keys = new Map(list.map((k) => [k.id, Buffer.from(k.key)]));
    // Crypto here is synchronous, so no request still holds one of the old buffers.
    for (const key of old.values()) key.fill(0);
    this.current_ = list[0]!.id;
  }

  get currentId(): string {
    return this.current_;
  }

  get ids(): string[] {
    return [...this.keys.keys()];
  }

  current(): { id: string; key: Buffer } {
    return { id: this.currentId, key: this.keys.get(this.currentId)! };
  }

  get(id: string): Buffer | undefined {
    return this.keys.get(id);
  }

  /** Never let a key reach a log line through util.inspect or JSON. */
  toJSON(): unknown {
    return { currentId: this.currentId, ids: this.ids };
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Keyring(current=${this.currentId}, ids=${this.ids.join(',')})`;
  }
}

/**
 * filebased without SECRET_MANAGER_MASTER_KEY: a key file beside the database, created once with
 * mode 0600. Refuses a key file that others can read, as ssh does.
 */
export const keyFilePath = (dataDir: string) => path.join(dataDir, 'master.key');

export function readKeyFile(file: string): KeyList {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new Error(`${file} is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${file}`);
  }
  try {
    return parseKeyring(readFileSync(file, 'utf8').trim());
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`, { cause: e });
  }
}

const newKeyEntry = () => `k${Date.now().toString(36)}${randomBytes(2).toString('hex')}:${randomBytes(32).toString('base64')}`;

export function loadOrCreateKeyFile(dataDir: string): { ring: Keyring; created: boolean; file: string } {
  const file = keyFilePath(dataDir);
  if (existsSync(file)) return { ring: new Keyring(readKeyFile(file)), created: false, file };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${newKeyEntry()}\n`, { mode: 0o600, flag: 'wx' });
  return { ring: new Keyring(readKeyFile(file)), created: true, file };
}

/**
 * Puts a fresh key at the front of the key file (it wraps new data keys from then on); the old keys
 * stay so that existing data keys still open until `keys rotate` has re-wrapped them.
 * Written to a temporary file and renamed, so a crash never leaves a half-written key file.
 */
export function addKeyToFile(file: string): string {
  const existing = readKeyFile(file);
  const entry = newKeyEntry();
  const text = [entry, ...existing.map((k) => `${k.id}:${k.key.toString('base64')}`)].join(',');
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${text}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(tmp, file);
  return entry.slice(0, entry.indexOf(':'));
}

/** Drops keys that no data key uses any more (after a complete rotation). */
export function pruneKeyFile(file: string, keep: (id: string) => boolean): string[] {
  const existing = readKeyFile(file);
  const kept = existing.filter((k, i) => i === 0 || keep(k.id));
  const dropped = existing.filter((k) => !kept.includes(k)).map((k) => k.id);
  if (dropped.length === 0) return [];
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${kept.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',')}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(tmp, file);
  return dropped;
}
