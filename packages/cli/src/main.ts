// coffer: the command line of Coffer. Local commands (serve, keys, audit verify without a URL)
// act on the store with the server's settings; the rest talk to the server at SECRET_MANAGER_URL
// through @coffer/sdk with SECRET_MANAGER_API_KEY, as any service would.
import { Command, CommanderError } from 'commander';
import { describeError, exitCodeOf, EXIT } from './remote/context.js';
import { registerAdmin } from './remote/admin.js';
import { registerConnectors } from './remote/connectors.js';
import { registerRun } from './remote/run.js';
import { registerSecrets } from './remote/secrets.js';
import { registerBackupCommands } from './backup.js';
import { registerLocalCommands } from './local.js';

const program = new Command('coffer')
  .description('Coffer secret manager. Remote commands read SECRET_MANAGER_URL and SECRET_MANAGER_API_KEY.')
  .version('0.1.0')
  // Program options only before the command: else `secrets get ID --version 2` would print
  // coffer's version and exit 0 instead of reading version 2.
  .enablePositionalOptions()
  // Usage errors must exit with 2, not commander's 1: see EXIT in remote/context.ts.
  .exitOverride()
  .showHelpAfterError()
  .addHelpText('after', `
Exit codes: 0 ok, 1 refused or check failed, 2 bad usage or settings, 3 not authenticated or not
permitted, 4 not found, 5 conflict (exists, in use, changed meanwhile), 6 server unreachable or
unavailable; coffer run exits with the command's own code.`);
registerLocalCommands(program);
registerBackupCommands(program);
registerSecrets(program);
registerConnectors(program);
registerAdmin(program);
registerRun(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) {
    process.exit(e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT.ok : EXIT.usage);
  }
  process.stderr.write(`coffer: ${describeError(e)}\n`);
  process.exit(exitCodeOf(e) === EXIT.failed ? 1 : exitCodeOf(e));
});
