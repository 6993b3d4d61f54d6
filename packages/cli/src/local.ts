// Commands that act on the store directly, beside or instead of a running server: serve, key
// rotation and the audit chain check. They read the same settings as the server.
import type { Command } from 'commander';
import { action, client } from './remote/context.js';
import { cliActor, config, out, progressPrinter, server, withCoffer } from './shared.js';

export function registerLocalCommands(program: Command): void {
  program
    .command('serve')
    .description('start the server with the settings in the environment (same as npm start)')
    .action(async () => {
      const running = await (await server()).runServer(await config());
      for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void running.stop().then(() => process.exit(0)));
    });

  const keys = program.command('keys').description('key-encryption keys (run on the server host, with its settings)');

  keys
    .command('status')
    .description('the current key-encryption key and how many data keys each key wraps')
    .option('--output <format>', 'json or table', 'table')
    .action(async (o: { output: string }) => {
      await withCoffer(async (c) => {
        const s = await c.rotation.status();
        if (o.output === 'json') return out(JSON.stringify(s, null, 2));
        out(`current key: ${s.current}    keyring: ${s.keyring.join(', ')}`);
        for (const k of s.data_keys) out(`  ${k.kek_id.padEnd(24)} ${String(k.count).padStart(8)} data keys${k.current ? '  (current)' : ''}`);
        out(s.stale === 0 ? 'Every data key is wrapped by the current key.' : `${s.stale} data keys wait for 'coffer keys rotate'.`);
      });
    });

  keys
    .command('add')
    .description('filebased without SECRET_MANAGER_MASTER_KEY: add a new key to the key file; it wraps new data keys from now on')
    .action(async () => {
      const { addKeyToFile, keyFilePath } = await server();
      const c = await config();
      if (c.masterKeys) {
        process.stderr.write('SECRET_MANAGER_MASTER_KEY is set: put the new key first in that list (id:base64,...) and restart, then run keys rotate.\n');
        process.exit(2);
      }
      const id = addKeyToFile(keyFilePath(c.dataDir));
      out(`Added key '${id}' to ${keyFilePath(c.dataDir)}.`);
      out("Send SIGHUP to the running server (or restart it) so it uses the new key, then run 'coffer keys rotate'.");
    });

  keys
    .command('rotate')
    .description('re-wrap every data key under the current key-encryption key, in batches; safe to stop and run again')
    .option('--batch <n>', 'data keys per transaction', '1000')
    .option('--prune', 'afterwards, drop keys that no data key uses from the key file (filebased)')
    .action(async (o: { batch: string; prune?: boolean }) => {
      const batchSize = Number(o.batch);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
        process.stderr.write('--batch must be a whole number between 1 and 100000\n');
        process.exit(2);
      }
      const { keyFilePath, pruneKeyFile } = await server();
      const actor = await cliActor();
      await withCoffer(async (c) => {
        const progress = progressPrinter((s) => process.stdout.write(s), process.stdout.isTTY);
        const r = await c.rotation.rotate(actor, {
          batchSize,
          onProgress: ({ done, total }) => progress.update('rewrap', done, total),
        });
        progress.end();
        out(`Re-wrapped ${r.rewrapped} data keys under '${r.current}'.`);
        if (o.prune && !c.config.masterKeys) {
          const used = new Set((await c.rotation.status()).data_keys.map((k) => k.kek_id));
          const dropped = pruneKeyFile(keyFilePath(c.config.dataDir), (id) => used.has(id));
          out(dropped.length ? `Removed unused keys from the key file: ${dropped.join(', ')}` : 'No unused keys to remove.');
        }
      });
    });

  program
    .command('audit')
    .description('the audit log')
    .command('verify')
    .description('check the hash chain: on the server at SECRET_MANAGER_URL (with SECRET_MANAGER_API_KEY), else in the local store')
    .action(action(async () => {
      const v = process.env.SECRET_MANAGER_URL ? await client().audit.verify() : await withCoffer((c) => c.audit.verify());
      out(v.ok ? `The audit chain of ${v.entries} entries is intact.` : `The audit chain is broken at entry ${v.first_broken}: ${v.reason ?? 'see the server log'}`);
      if (!v.ok) process.exitCode = 1;
    }));
}
