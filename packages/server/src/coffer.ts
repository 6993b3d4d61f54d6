// Wires the parts of a Coffer instance together from the parsed settings. The HTTP app, the CLI
// and background jobs all use the services made here.
import path from 'node:path';
import { createGuard } from './access/guard.js';
import { createIdentityService } from './access/identity.service.js';
import { createRolesService } from './access/roles.service.js';
import { createAuditReader } from './audit/audit.routes.js';
import { createAuditService } from './audit/audit.service.js';
import { createBackupService } from './backup/backup.service.js';
import type { Config } from './config.js';
import { createConnectorsService } from './connectors/connectors.service.js';
import { createEnvelope } from './crypto/envelope.js';
import { Keyring, keyFilePath, loadOrCreateKeyFile, readKeyFile } from './crypto/keyring.js';
import { createMetrics } from './metrics/metrics.js';
import { createKeyRotation } from './secrets/rotation.js';
import { createSecretsService } from './secrets/secrets.service.js';
import { openDatabase, type Database } from './store/db.js';

export const databaseFile = (dataDir: string) => path.join(dataDir, 'coffer.db');

export interface OpenOptions {
  /** Test hook: a database already opened (for example a PostgreSQL schema per test). */
  database?: Database;
  now?: () => Date;
  /** Test hook: how long a connector waits for its provider (default 10 s). */
  connectorTimeoutMs?: number;
}

export async function openCoffer(config: Readonly<Config>, opts: OpenOptions = {}) {
  let keyring: Keyring;
  let keyFile: { file: string; created: boolean } | undefined;
  if (config.masterKeys) {
    keyring = new Keyring(config.masterKeys);
  } else {
    const k = loadOrCreateKeyFile(config.dataDir);
    keyring = k.ring;
    keyFile = { file: k.file, created: k.created };
  }
  const database = opts.database ?? (await openDatabase(
    config.manager === 'filebased'
      ? { kind: 'sqlite', file: databaseFile(config.dataDir), synchronous: config.sqliteSynchronous }
      : { kind: 'postgres', url: config.databaseUrl! },
  ));
  const envelope = createEnvelope(keyring);
  const metrics = createMetrics();
  const audit = createAuditService({ database, onAppend: metrics.auditAppended, onFailure: metrics.auditFailed });
  const guard = createGuard(audit);
  const identity = createIdentityService({ database, audit, options: { sessionIdleMinutes: config.sessionIdleMinutes, sessionAbsoluteHours: config.sessionAbsoluteHours, now: opts.now } });
  const roles = createRolesService({ database, audit, guard, now: opts.now });
  const secrets = createSecretsService({ database, envelope, audit, guard, options: { enabled: config.enabled, trashDays: config.trashDays, now: opts.now } });
  const connectors = createConnectorsService({ database, audit, guard, secrets, options: { timeoutMs: opts.connectorTimeoutMs, now: opts.now } });
  const auditReader = createAuditReader({ audit, guard });
  const rotation = createKeyRotation({ database, envelope, audit, keyIds: () => keyring.ids });
  const backup = createBackupService({ database, envelope, audit, source: config.manager });
  metrics.watch({
    currentKekId: () => keyring.currentId,
    dataKeysByKek: async () => (await rotation.status()).data_keys,
    secretCounts: () => secrets.counts(),
  });

  return {
    config,
    database,
    keyring,
    keyFile,
    audit,
    guard,
    identity,
    roles,
    secrets,
    connectors,
    auditReader,
    rotation,
    backup,
    metrics,
    /** SIGHUP: picks up a key added to the key file, without a restart. */
    reloadKeys(): boolean {
      if (config.masterKeys) return false;
      keyring.replace(readKeyFile(keyFilePath(config.dataDir)));
      return true;
    },
    close: async () => {
      await audit.close();
      await database.close();
    },
  };
}

export type Coffer = Awaited<ReturnType<typeof openCoffer>>;
