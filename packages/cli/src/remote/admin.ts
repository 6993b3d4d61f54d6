// coffer users, roles and api-keys, through the SDK.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { action, client, UsageError } from './context.js';
import { formatOf, printList, printRecord, say, withOutput } from './output.js';

const list = (s: string | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);

/** A password from a file or standard input: never from the command line, where ps shows it. */
function password(source: string | undefined): string {
  if (!source) throw new UsageError('give the password with --password-file FILE (- reads standard input)');
  try {
    return readFileSync(source === '-' ? 0 : source, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    throw new UsageError(`cannot read ${source} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

async function userId(emailOrId: string): Promise<string> {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(emailOrId)) return emailOrId;
  const u = (await client().users.list()).find((x) => x.email.toLowerCase() === emailOrId.toLowerCase());
  if (!u) throw new UsageError(`no user with email ${emailOrId}`);
  return u.id;
}

export function registerAdmin(program: Command): void {
  const users = program.command('users').description('users and their roles (roles/manage)');
  withOutput(users.command('list').description('every user with their roles'))
    .action(action(async (o: { output?: string }) => printList(formatOf(o), await client().users.list(), ['email', 'roles', 'disabled', 'created_at', 'id'])));
  withOutput(users.command('current').description('who the API key belongs to, with roles and permissions'))
    .action(action(async (o: { output?: string }) => printRecord(formatOf(o), await client().users.current())));
  withOutput(users.command('create').argument('<email>').description('create a user')
    .option('--password-file <path>', 'the first password (at least 12 characters); - reads standard input')
    .option('--roles <names>', 'comma-separated role names (default: default)'))
    .action(action(async (email: string, o: { passwordFile?: string; roles?: string; output?: string }) => {
      printRecord(formatOf(o), await client().users.create({ email, password: password(o.passwordFile), roles: o.roles === undefined ? undefined : list(o.roles) }));
    }));
  withOutput(users.command('set-roles').argument('<user>', 'email or id').argument('<roles>', 'comma-separated role names; replaces the current ones'))
    .action(action(async (user: string, roles: string, o: { output?: string }) => printRecord(formatOf(o), await client().users.setRoles(await userId(user), list(roles)))));
  for (const [name, disabled] of [['disable', true], ['enable', false]] as const) {
    withOutput(users.command(name).argument('<user>', 'email or id').description(`${name} a user; ${disabled ? 'their sessions and keys stop working at once' : 'they can sign in again'}`))
      .action(action(async (user: string, o: { output?: string }) => printRecord(formatOf(o), await client().users.update(await userId(user), { disabled }))));
  }
  users.command('delete').argument('<user>', 'email or id').description('delete a user')
    .action(action(async (user: string) => {
      await client().users.delete(await userId(user));
      say(`Deleted user ${user}.`);
    }));

  const roles = program.command('roles').description('roles and their permissions (roles/manage)');
  withOutput(roles.command('list'))
    .action(action(async (o: { output?: string }) => printList(formatOf(o), await client().roles.list(), ['name', 'builtin', 'permissions', 'description'])));
  withOutput(roles.command('permissions').description('the permission catalogue'))
    .action(action(async (o: { output?: string }) => printList(formatOf(o), await client().roles.permissions(), ['id', 'name', 'description'])));
  withOutput(roles.command('create').argument('<name>')
    .option('--permissions <ids>', 'comma-separated, e.g. secrets/read,connectors/use', '')
    .option('-d, --description <text>'))
    .action(action(async (name: string, o: { permissions: string; description?: string; output?: string }) => {
      printRecord(formatOf(o), await client().roles.create({ name, description: o.description, permissions: list(o.permissions) }));
    }));
  for (const [name, verb] of [['grant', 'grant'], ['revoke', 'revoke']] as const) {
    withOutput(roles.command(name).argument('<role>', 'name or id').argument('<permission>'))
      .action(action(async (role: string, permission: string, o: { output?: string }) => printRecord(formatOf(o), await client().roles[verb](role, permission))));
  }
  roles.command('delete').argument('<role>', 'name or id')
    .action(action(async (role: string) => {
      const sm = client();
      await sm.roles.delete((await sm.roles.get(role)).id);
      say(`Deleted role ${role}.`);
    }));

  const keys = program.command('api-keys').description('your own API keys');
  withOutput(keys.command('list'))
    .action(action(async (o: { output?: string }) => printList(formatOf(o), await client().apiKeys.list(), ['id', 'name', 'prefix', 'created_at', 'expires_at', 'last_used_at', 'revoked_at'])));
  withOutput(keys.command('create').argument('<name>').description('make a key; it is printed this once')
    .option('--expires <date>', 'ISO-8601, e.g. 2027-01-31T00:00:00Z'), 'json')
    .action(action(async (name: string, o: { expires?: string; output?: string }) => printRecord(formatOf(o), await client().apiKeys.create({ name, expiresAt: o.expires }))));
  keys.command('revoke').argument('<id>')
    .action(action(async (id: string) => {
      await client().apiKeys.revoke(id);
      say(`Revoked API key ${id}; it stops working at once.`);
    }));
}
