// Key rotation: re-wraps every data key under the current key-encryption key. Values are not
// re-encrypted. Works in batches, each in its own transaction, so it runs beside a serving
// server and can be stopped and started again at any point (what is done stays done).
import { auditContext, type Actor } from '../access/actor.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Envelope } from '../crypto/envelope.js';
import { DecryptError } from '../crypto/envelope.js';
import { AppError } from '../errors.js';
import type { Database } from '../store/db.js';
import { createSecretsStore } from './secrets.store.js';

export interface RotationProgress {
  done: number;
  total: number;
}

export function createKeyRotation(deps: { database: Database; envelope: Envelope; audit: AuditService; keyIds: () => string[] }) {
  const { database, envelope, audit } = deps;
  const store = createSecretsStore(database);

  async function status() {
    const current = envelope.currentKekId();
    const byKek = await store.countByKek();
    return {
      current,
      keyring: deps.keyIds(),
      data_keys: byKek.map((k) => ({ kek_id: k.kek_id, count: k.n, current: k.kek_id === current })),
      stale: byKek.filter((k) => k.kek_id !== current).reduce((s, k) => s + k.n, 0),
    };
  }

  return {
    status,

    async rotate(a: Actor, opts: { batchSize?: number; onProgress?: (p: RotationProgress) => void } = {}) {
      const batchSize = opts.batchSize ?? 1000;
      const current = envelope.currentKekId();
      const total = (await status()).stale;
      let done = 0;
      opts.onProgress?.({ done, total });
      let after: { workspace_id: string; secret_id: string; version: number } | undefined;
      for (;;) {
        const rows = await store.staleWrapped(current, batchSize, after);
        if (rows.length === 0) break;
        after = rows[rows.length - 1];
        const next = rows.map((r) => {
          try {
            const re = envelope.rewrap({ workspace: r.workspace_id, secretId: r.secret_id, version: r.version }, r.kek_id, r.wrapped_key);
            return { workspace_id: r.workspace_id, secret_id: r.secret_id, version: r.version, fromKek: r.kek_id, kek_id: re.kekId, wrapped_key: re.wrappedKey };
          } catch (e) {
            if (e instanceof DecryptError) {
              throw new AppError('unavailable', `Cannot re-wrap ${r.secret_id} v${r.version}: ${e.message}. Put key '${r.kek_id}' back in the keyring and run again.`);
            }
            throw e;
          }
        });
        await database.tx(async (trx) => {
          for (const r of next) if (await store.rewrap(trx, r)) done++;
        });
        opts.onProgress?.({ done, total: Math.max(total, done) });
      }
      await audit.record(auditContext(a), { action: 'keys.rotate', target: `kek:${current}`, outcome: 'allowed', details: { rewrapped: done } });
      return { current, rewrapped: done };
    },
  };
}

export type KeyRotation = ReturnType<typeof createKeyRotation>;
