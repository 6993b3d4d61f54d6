// `npm start`: read settings, open the store, create the first administrator on first start,
// serve, and shut down gracefully on SIGTERM/SIGINT.
import { pathToFileURL } from 'node:url';
import { systemActor } from './access/actor.js';
import { PERMISSION_IDS } from './access/permissions.js';
import { buildApp } from './app.js';
import { openCoffer } from './coffer.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logging.js';

const say = (line: string) => process.stdout.write(`${line}\n`);

export async function runServer(config: Readonly<Config>): Promise<{ url: string; stop: () => Promise<void> }> {
  const logger = createLogger(config.logLevel);
  const coffer = await openCoffer(config);
  if (coffer.database.schemaAhead.length) {
    logger.warn({ migrations: coffer.database.schemaAhead }, 'the database schema is newer than this release (a rolling upgrade is under way); serving on it');
  }
  if (coffer.keyFile?.created) say(`Generated a key-encryption key in ${coffer.keyFile.file} (mode 0600). Back it up: without it no secret can be read.`);
  const first = await coffer.identity.bootstrap({ adminEmail: config.adminEmail, adminPassword: config.adminPassword, adminApiKey: config.adminApiKey });
  // The audit writer thread starts beside the listen; an audited request before it is ready waits for it.
  void coffer.audit.warm().catch((e: Error) => logger.error({ errName: e.name }, 'the audit writer did not start'));
  coffer.metrics.collectProcessMetrics(); // here, not in buildApp: once per process
  const app = await buildApp({ coffer, logger });
  await app.listen({ host: config.host, port: config.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${config.tls ? 'https' : 'http'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

  // One write, so that whoever waits for the "listening" line also has the credentials.
  const lines = [
    `Coffer is listening on ${url} (store: ${config.manager}; secret manager ${config.enabled ? 'enabled' : 'disabled'})`,
    `  API: ${url}/api/v1   API docs: ${url}/api/v1/docs`,
  ];
  if (first.created) {
    lines.push(`First administrator: ${first.email}`);
    if (first.generatedPassword) lines.push(`  password: ${first.generatedPassword}   (shown only this once; change it after signing in)`);
    if (config.adminApiKey) lines.push('  API key: the value of SECRET_MANAGER_ADMIN_API_KEY');
  }
  say(lines.join('\n'));

  // Background jobs act as the system and say so in the audit log.
  const janitor = systemActor('janitor', PERMISSION_IDS);
  const sweep = async () => {
    try {
      const purged = await coffer.secrets.purgeExpired(janitor);
      await coffer.identity.store.deleteExpiredSessions(new Date().toISOString());
      if (purged) logger.info({ purged }, 'purged secrets whose trash time ran out');
    } catch (e) {
      logger.error({ errName: (e as Error).name }, 'trash sweep failed');
    }
  };
  void sweep();
  const timer = setInterval(sweep, 60 * 60_000);
  timer.unref();

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      clearInterval(timer);
      await app.close(); // stops accepting, lets requests in flight finish
      await coffer.close();
    })());

  process.on('SIGHUP', () => {
    try {
      if (coffer.reloadKeys()) logger.info({ current: coffer.keyring.currentId }, 'reloaded the key file');
    } catch (e) {
      logger.error({ err: (e as Error).message }, 'could not reload the key file; keeping the keys in use');
    }
  });
  return { url, stop };
}

export async function main(): Promise<void> {
  let config: Readonly<Config>;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const server = await runServer(config);
  const shutdown = (signal: string) => {
    say(`${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    server.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e: Error) => {
    console.error(`Coffer could not start: ${e.message}`);
    process.exit(1);
  });
}
