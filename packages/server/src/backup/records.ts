// Rows as backup records, and the checks that a backup file is whole and restorable.
import { DecryptError, gcmOpen, gcmSeal, openWithDataKey, type RowRef } from '../crypto/envelope.js';
import { entryHash, GENESIS } from '../audit/hash.js';
import type { AuditTable } from '../store/schema.js';
import { BACKUP_TABLES, type BackupTable, type Counts, type Row } from './backup.store.js';
import { BackupError, deriveKeys, readHeader, readRecords, type BackupHeader, type BackupKeys, type BackupSecret } from './format.js';

export type BackupRecord = { t: BackupTable; r: Row } | { t: '$end'; counts: Counts };

/** Bytes travel as {"$b64": "..."} in the JSON lines. */
export const encodeRow = (row: Row): Row =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Buffer.isBuffer(v) ? { $b64: v.toString('base64') } : v]));
export const decodeRow = (row: Row): Row =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v && typeof v === 'object' && '$b64' in v ? Buffer.from(String((v as { $b64: string }).$b64), 'base64') : v]));

/** Inside a backup a version's data key is wrapped by the backup's own key, bound to the same row. */
const dekAad = (r: RowRef) => Buffer.from(`coffer-backup/dek/v1\0${r.workspace}\0${r.secretId}\0${r.version}`);
export const versionRef = (row: Row): RowRef => ({ workspace: String(row.workspace_id), secretId: String(row.secret_id), version: Number(row.version) });
export const wrapForBackup = (keys: BackupKeys, ref: RowRef, dek: Buffer) => gcmSeal(keys.dek, dek, dekAad(ref));

export function unwrapFromBackup(keys: BackupKeys, ref: RowRef, wrapped: Buffer): Buffer {
  try {
    return gcmOpen(keys.dek, wrapped, dekAad(ref));
  } catch (e) {
    if (e instanceof DecryptError) throw new BackupError(`the data key of ${ref.secretId} v${ref.version} does not open: the backup was changed`);
    throw e;
  }
}

export function isRecord(x: unknown): x is BackupRecord {
  const t = (x as { t?: unknown })?.t;
  return (t === '$end' && typeof (x as { counts?: unknown }).counts === 'object') ||
    (BACKUP_TABLES.includes(t as BackupTable) && typeof (x as { r?: unknown }).r === 'object');
}

/** Walks an audit chain as it goes by, in seq order: the same rules as GET /audit/verify. */
export function chainChecker() {
  let prev = GENESIS;
  let expected = 1;
  return (row: AuditTable) => {
    if (row.seq !== expected || row.prev_hash !== prev || entryHash(prev, row) !== row.hash) {
      throw new BackupError(`the audit chain in the backup breaks at entry ${row.seq}`);
    }
    prev = row.hash;
    expected++;
  };
}

export interface FileCheck {
  header: BackupHeader;
  counts: Counts;
  /** Secret versions whose value was decrypted (then wiped) to prove the backup restores. */
  values: number;
}

/**
 * Reads a whole backup with its key: every frame opens, records match the header's counts and the
 * last record, every value decrypts, and the audit chain verifies. Nothing is written anywhere.
 */
export async function checkBackupFile(file: string, secret: BackupSecret, onRecord?: () => void): Promise<FileCheck> {
  const { header } = readHeader(file);
  const keys = await deriveKeys(secret, header);
  const counts = Object.fromEntries(BACKUP_TABLES.map((t) => [t, 0])) as Counts;
  const chain = chainChecker();
  let values = 0;
  let end: Counts | undefined;
  for (const rec of readRecords(file, keys)) {
    if (!isRecord(rec) || end) throw new BackupError(`${file} holds a record this Coffer does not know, or records after its end`);
    if (rec.t === '$end') {
      end = rec.counts;
      continue;
    }
    counts[rec.t]++;
    const row = decodeRow(rec.r);
    if (rec.t === 'secret_versions') {
      const ref = versionRef(row);
      const dek = unwrapFromBackup(keys, ref, row.wrapped_key as Buffer);
      try {
        openWithDataKey(ref, dek, row.ciphertext as Buffer).fill(0);
      } catch {
        throw new BackupError(`the value of ${ref.secretId} v${ref.version} does not decrypt: the backup was changed`);
      } finally {
        dek.fill(0);
      }
      values++;
    }
    if (rec.t === 'audit_log') chain(row as unknown as AuditTable);
    onRecord?.();
  }
  for (const t of BACKUP_TABLES) {
    if (counts[t] !== header.counts[t] || counts[t] !== end?.[t]) {
      throw new BackupError(`${file} holds ${counts[t]} ${t} rows but its header says ${header.counts[t]}`);
    }
  }
  return { header, counts, values };
}
