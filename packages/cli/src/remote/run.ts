// coffer run --secret ID[=PREFIX] -- command: starts the command with the secret's fields as
// environment variables. The values go from the API answer into the child's environment and
// nowhere else: never printed, never logged, never on a command line.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Command } from 'commander';
import { UsageError, action, client } from './context.js';
import { envName } from './secrets.js';

const collect = (v: string, acc: string[]) => [...acc, v];

export function registerRun(program: Command): void {
  program.command('run')
    .description("run a command with secrets' fields as environment variables (finance-s3=AWS_ gives AWS_ACCESS_KEY_ID…)")
    .requiredOption('-s, --secret <id[=prefix]>', 'a secret, with an optional prefix for its variable names (repeatable)', collect, [])
    .argument('<command...>', 'the command and its arguments, after --')
    .allowUnknownOption()
    .action(action(async (command: string[], o: { secret: string[] }) => {
      const sm = client();
      const vars: Record<string, string> = {};
      const from: Record<string, string> = {};
      for (const spec of o.secret) {
        const i = spec.indexOf('=');
        const [id, prefix] = i < 0 ? [spec, ''] : [spec.slice(0, i), spec.slice(i + 1)];
        if (prefix && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix)) throw new UsageError(`the prefix for ${id} must be letters, digits and _ (got '${prefix}')`);
        for (const [field, value] of Object.entries(await sm.getSecret(id))) {
          const name = envName(prefix, field);
          // Two secrets giving one variable would silently hide one of them.
          if (from[name]) throw new UsageError(`${name} would come from both ${from[name]} and ${id}; give one of them a prefix (--secret ${id}=PREFIX_)`);
          vars[name] = value;
          from[name] = id;
        }
      }
      const env: NodeJS.ProcessEnv = { ...process.env, ...vars };
      // The child gets the secrets it was given, not the key that can read every other one.
      delete env.SECRET_MANAGER_API_KEY;
      const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit', env });
      const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, forward(sig));
      const code = await new Promise<number>((resolve) => {
        child.once('error', (e: NodeJS.ErrnoException) => {
          process.stderr.write(`coffer: cannot start ${command[0]}: ${e.code === 'ENOENT' ? 'command not found' : e.code ?? e.message}\n`);
          resolve(e.code === 'ENOENT' ? 127 : 126);
        });
        // As a shell does: 128 + the signal's number when the command was killed.
        child.once('exit', (c, sig) => resolve(c ?? 128 + (sig ? constants.signals[sig] : 0)));
      });
      process.exitCode = code;
    }));
}
