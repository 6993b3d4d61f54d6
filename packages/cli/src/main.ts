// coffer: the command line of Coffer.
import { Command } from 'commander';
import { registerBackupCommands } from './backup.js';
import { registerLocalCommands } from './local.js';

const program = new Command('coffer').description('Coffer secret manager').version('0.1.0');
registerLocalCommands(program);
registerBackupCommands(program);
program.showHelpAfterError();

program.parseAsync(process.argv).catch((e: Error) => {
  process.stderr.write(`coffer: ${e.message}\n`);
  process.exit(1);
});
