// `coffer export` / `coffer import`: every secret (all versions, still encrypted), user, role, API key
// and audit entry of a store, into one encrypted file and back, between SQLite and PostgreSQL.
// Values are never decrypted on the way: each version's data key is re-wrapped, from the store's
// key-encryption key to the backup key on export, and to the target's key-encryption key on import.
import { randomBytes } from 'node:crypto';
import { auditContext, type Actor } from '../access/actor.js';
import { ACCESS_LOCK } from '../access/permissions.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Envelope } from '../crypto/envelope.js';
import type { Database } from '../store/db.js';
import { BACKUP_TABLES, backupStore as store, type BackupTable, type Counts, type Row } from './backup.store.js';
import { BackupError, createBackupWriter, deriveKeys, FORMAT_VERSION, MAGIC, newKeyDerivation, readHeader, readRecords, refuseExisting, type BackupHeader, type BackupSecret } from './format.js';
import { checkBackupFile, decodeRow, encodeRow, isRecord, unwrapFromBackup, versionRef, wrapForBackup } from './records.js';

export interface Progress {
  phase: 'export' | 'check' | 'import' | 'verify';
  done: number;
  total: number;
}

export interface StoreCheck {
  counts: Counts;
  values: number;
  audit: { ok: boolean; entries: number };
}

const sum = (c: Record<string, number>) => BACKUP_TABLES.reduce((s, t) => s + (c[t] ?? 0), 0);
const BATCH = 500;

export function createBackupService(deps: { database: Database; envelope: Envelope; audit: AuditService; source: 'filebased' | 'securestore'; version?: string }) {
  const { database, envelope, audit } = deps;

  /** After an import: the counts, every value decrypts with this store's keys, the chain verifies. */
  async function checkStore(onProgress?: (p: Progress) => void): Promise<StoreCheck> {
    const counts = await database.snapshot((trx) => store.counts(trx));
    let values = 0;
    await database.snapshot(async (trx) => {
      for await (const rows of store.rows(trx, 'secret_versions')) {
        for (const r of rows) {
          const ref = versionRef(r);
          envelope.open(ref, { kekId: String(r.kek_id), wrappedKey: r.wrapped_key as Buffer, ciphertext: r.ciphertext as Buffer }).fill(0);
          values++;
        }
        onProgress?.({ phase: 'verify', done: values, total: counts.secret_versions });
      }
    });
    const v = await audit.verify();
    return { counts, values, audit: { ok: v.ok, entries: v.entries } };
  }

  return {
    checkStore,

    /** Writes the backup, then reads it back in full (checkBackupFile) before calling it done. */
    async export(a: Actor, file: string, secret: BackupSecret, opts: { onProgress?: (p: Progress) => void } = {}) {
      refuseExisting(file);
      // Recorded first, so that a store which cannot audit is not exported; the entry is in the backup.
      await audit.record(auditContext(a), { action: 'backup.export', target: 'store', outcome: 'allowed', details: { format_version: FORMAT_VERSION } });
      const keyDerivation = newKeyDerivation(secret);
      const salt = randomBytes(16).toString('base64');
      const keys = await deriveKeys(secret, { key: keyDerivation, salt });
      const { counts, bytes } = await database.snapshot(async (trx) => {
        const counts = await store.counts(trx);
        const header: BackupHeader = {
          format: MAGIC, version: FORMAT_VERSION, created_at: new Date().toISOString(), coffer_version: deps.version ?? '0.1.0',
          source: { store: deps.source }, key: keyDerivation, salt, counts,
        };
        const writer = createBackupWriter(file, header, keys);
        const total = sum(counts);
        let done = 0;
        try {
          for (const table of BACKUP_TABLES) {
            for await (const rows of store.rows(trx, table)) {
              for (const row of rows) writer.add({ t: table, r: encodeRow(table === 'secret_versions' ? toBackup(row) : row) });
              done += rows.length;
              opts.onProgress?.({ phase: 'export', done, total });
            }
          }
          return { counts, bytes: writer.finish({ t: '$end', counts }) };
        } catch (e) {
          writer.abort();
          throw e;
        }
      });
      let checked = 0;
      const check = await checkBackupFile(file, secret, () => opts.onProgress?.({ phase: 'check', done: ++checked, total: sum(counts) }));
      return { file, bytes, counts, values: check.values };

      function toBackup(row: Row): Row {
        const ref = versionRef(row);
        const dek = envelope.unwrapDataKey(ref, String(row.kek_id), row.wrapped_key as Buffer);
        try {
          const { kek_id: _kek, ...rest } = row;
          return { ...rest, wrapped_key: wrapForBackup(keys, ref, dek) };
        } finally {
          dek.fill(0);
        }
      }
    },

    /** Reads and checks a backup without touching any store. */
    inspect: (file: string, secret: BackupSecret, onRecord?: () => void) => checkBackupFile(file, secret, onRecord),

    /**
     * Loads a backup into this store in one transaction: all of it or, on any error, nothing. The
     * store must be empty (a database no server has started on) unless `replace` empties it first.
     */
    async import(a: Actor, file: string, secret: BackupSecret, opts: { replace?: boolean; onProgress?: (p: Progress) => void } = {}) {
      const { header } = readHeader(file);
      const keys = await deriveKeys(secret, header);
      const total = sum(header.counts);
      await database.tx(async (trx) => {
        // Writers on any replica wait until the import is done.
        await database.lock(trx, ACCESS_LOCK);
        await database.lockAuditChain(trx);
        const present = await store.counts(trx);
        if (sum(present) > 0 && !opts.replace) {
          throw new BackupError(`the target store is not empty (${present.users} users, ${present.secrets} secrets, ${present.audit_log} audit entries): import into a new database, or add --replace to delete everything in it first`);
        }
        if (opts.replace) await store.wipe(trx);
        await store.forgetCredentials(trx);
        const pending: { table?: BackupTable; rows: Row[] } = { rows: [] };
        const flush = async () => {
          if (pending.table) await insert(pending.table, pending.rows);
          pending.rows = [];
        };
        const insert = async (table: BackupTable, rows: Row[]) => {
          try {
            await store.insert(trx, table, rows);
          } catch (e) {
            throw new BackupError(`cannot store the backup's ${table} rows here (${(e as Error).message.slice(0, 200)}); is this Coffer older than the one that exported?`);
          }
        };
        let done = 0;
        let ended = false;
        for (const rec of readRecords(file, keys)) {
          if (!isRecord(rec) || ended) throw new BackupError(`${file} holds a record this Coffer does not know, or records after its end`);
          if (rec.t === '$end') {
            ended = true;
            continue;
          }
          if (rec.t !== pending.table || pending.rows.length >= BATCH) await flush();
          pending.table = rec.t;
          pending.rows.push(rec.t === 'secret_versions' ? fromBackup(decodeRow(rec.r)) : decodeRow(rec.r));
          if (++done % BATCH === 0) opts.onProgress?.({ phase: 'import', done, total });
        }
        await flush();
        opts.onProgress?.({ phase: 'import', done, total });
        const loaded = await store.counts(trx);
        const wrong = BACKUP_TABLES.filter((t) => loaded[t] !== header.counts[t]);
        if (wrong.length) throw new BackupError(`after loading, ${wrong.map((t) => `${t}: ${loaded[t]} of ${header.counts[t]}`).join(', ')}; nothing was imported`);
      });
      const check = await checkStore(opts.onProgress);
      if (!check.audit.ok) throw new BackupError('the imported audit chain does not verify');
      await audit.record(auditContext(a), { action: 'backup.import', target: 'store', outcome: 'allowed', details: { created_at: header.created_at, source: header.source.store, replaced: !!opts.replace } });
      return { header, ...check };

      function fromBackup(row: Row): Row {
        const ref = versionRef(row);
        const dek = unwrapFromBackup(keys, ref, row.wrapped_key as Buffer);
        try {
          const wrapped = envelope.wrapDataKey(ref, dek);
          return { ...row, kek_id: wrapped.kekId, wrapped_key: wrapped.wrappedKey };
        } finally {
          dek.fill(0);
        }
      }
    },
  };
}

export type BackupService = ReturnType<typeof createBackupService>;
