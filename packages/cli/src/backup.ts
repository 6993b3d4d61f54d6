// coffer export / coffer import: an encrypted backup of a whole store, and its restore into a store
// of either kind (filebased → securestore is the upgrade path). They open the store with the server's
// settings, like `keys`.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { BackupProgress, BackupSecret } from '@coffer/server';
import { cliActor, out, progressPrinter, server, withCoffer } from './shared.js';

interface KeyOptions {
  keyFile?: string;
  newKeyFile?: string;
  passphraseFile?: string;
}

const PASSPHRASE_ENV = 'COFFER_BACKUP_PASSPHRASE';

function usage(message: string): never {
  process.stderr.write(`coffer: ${message}\n`);
  process.exit(2);
}

/** Exactly one source of the backup key: a key file (new or existing) or a passphrase. */
async function backupSecret(o: KeyOptions): Promise<BackupSecret> {
  const { newKeyFileText, parseKeyFile } = await server();
  const env = process.env[PASSPHRASE_ENV];
  const given = [o.keyFile && '--key-file', o.newKeyFile && '--new-key-file', o.passphraseFile && '--passphrase-file', env && PASSPHRASE_ENV].filter(Boolean);
  if (given.length !== 1) usage(`give the backup key in exactly one way: --key-file, --new-key-file (export), --passphrase-file or ${PASSPHRASE_ENV}${given.length ? ` (got ${given.join(', ')})` : ''}`);
  if (o.newKeyFile) {
    try {
      writeFileSync(o.newKeyFile, newKeyFileText(), { mode: 0o600, flag: 'wx' });
    } catch (e) {
      usage(`cannot create ${o.newKeyFile} (${(e as NodeJS.ErrnoException).code}); it must not exist yet`);
    }
    return { kind: 'key', key: parseKeyFile(readFileSync(o.newKeyFile, 'utf8')) };
  }
  if (o.keyFile) {
    if ((statSync(o.keyFile).mode & 0o077) !== 0) process.stderr.write(`warning: ${o.keyFile} is readable by others; chmod 600 it\n`);
    return { kind: 'key', key: parseKeyFile(readFileSync(o.keyFile, 'utf8')) };
  }
  const passphrase = o.passphraseFile ? readFileSync(o.passphraseFile, 'utf8').replace(/\r?\n$/, '') : env!;
  if (passphrase.length < 12) usage('the backup passphrase must be at least 12 characters');
  return { kind: 'passphrase', passphrase };
}

const LABEL: Record<BackupProgress['phase'], string> = { export: 'export', check: 'check', import: 'import', verify: 'decrypt' };

function showProgress() {
  const p = progressPrinter((s) => process.stderr.write(s), process.stderr.isTTY);
  let phase: BackupProgress['phase'] | undefined;
  return {
    onProgress: (x: BackupProgress) => {
      if (x.phase !== phase) p.end();
      phase = x.phase;
      p.update(LABEL[x.phase], x.done, x.total);
    },
    end: () => p.end(),
  };
}

const summary = (c: Record<string, number>) =>
  `${c.secrets} secrets (${c.secret_versions} versions), ${c.users} users, ${c.roles} roles, ${c.api_keys} API keys, ${c.connectors} connectors and ${c.audit_log} audit entries`;

const keyOptions = (cmd: Command, exporting: boolean) => {
  cmd.option('--key-file <file>', 'the backup key: a file holding base64 of 32 random bytes');
  if (exporting) cmd.option('--new-key-file <file>', 'create a new random backup key in this file (mode 0600) and use it');
  return cmd.option('--passphrase-file <file>', `a passphrase (12+ characters) in a file, instead of a key; or set ${PASSPHRASE_ENV}`);
};

export function registerBackupCommands(program: Command): void {
  keyOptions(program.command('export')
    .argument('<file>', 'the backup file to write (must not exist)')
    .description('write an encrypted backup of every secret (all versions), user, role, API key and audit entry, then check it'), true)
    .action(async (file: string, o: KeyOptions) => {
      if (existsSync(file)) usage(`${file} already exists: a backup is never overwritten; choose another name`);
      const secret = await backupSecret(o);
      await withCoffer(async (c) => {
        const progress = showProgress();
        const r = await c.backup.export(await cliActor(), file, secret, progress);
        progress.end();
        out(`Exported ${summary(r.counts)} to ${file} (${Math.ceil(r.bytes / 1024)} KiB).`);
        out(`Checked: the backup opens with its key, all ${r.values} values decrypt, and its audit chain of ${r.counts.audit_log} entries verifies.`);
        if (secret.kind === 'key') out(`Keep ${o.keyFile ?? o.newKeyFile} apart from the backup: without it the backup cannot be read.`);
      });
    });

  keyOptions(program.command('import')
    .argument('<file>', 'a backup written by coffer export')
    .description('load a backup into the store of these settings (empty, or --replace), then verify it'), false)
    .option('--replace', 'delete everything in the target store first (stop its servers before)')
    .option('--check', 'only read and check the backup (key, integrity, values, audit chain); change nothing')
    .action(async (file: string, o: KeyOptions & { replace?: boolean; check?: boolean }) => {
      const secret = await backupSecret(o);
      await withCoffer(async (c) => {
        const progress = showProgress();
        if (o.check) {
          let done = 0;
          const r = await c.backup.inspect(file, secret, () => progress.onProgress({ phase: 'check', done: ++done, total: done }));
          progress.end();
          out(`${file}: a backup of a ${r.header.source.store} store made ${r.header.created_at}, holding ${summary(r.counts)}.`);
          out(`Checked: it opens with its key, all ${r.values} values decrypt, and its audit chain verifies.`);
          return;
        }
        const r = await c.backup.import(await cliActor(), file, secret, { replace: o.replace, onProgress: progress.onProgress });
        progress.end();
        out(`Imported ${summary(r.header.counts)} from ${file} (a ${r.header.source.store} store, ${r.header.created_at}).`);
        out(`Verified: the counts match the backup, all ${r.values} values decrypt with this store's keys, and the audit chain of ${r.audit.entries} entries verifies.`);
      });
    });
}
