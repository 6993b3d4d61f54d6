// coffer secrets list|get|create|update|delete|restore|versions|check, through the SDK.
// Values are printed only by `get`, the command whose purpose is to print one.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SecretType, type ConnectorType } from '@coffer/sdk';
import { action, client, UsageError } from './context.js';
import { envLines, formatOf, printList, printRecord, say, withOutput } from './output.js';

const collect = (v: string, acc: string[]) => [...acc, v];

/** FIELD → PREFIX_FIELD in upper case, safe as a variable name. */
export function envName(prefix: string, field: string): string {
  const n = `${prefix}${field}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return /^[0-9]/.test(n) ? `_${n}` : n;
}

function readJsonObject(source: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${source === '-' ? 'standard input' : source} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    // The parser's message can quote the input, which is a secret: say only where it came from.
    throw new UsageError(`${source === '-' ? 'standard input' : source} is not valid JSON`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new UsageError('the value must be a JSON object of string fields');
  return v as Record<string, string>;
}

/** The value from --from-file and --field name=value (name=@file reads a file, e.g. a key file). */
function valueOf(o: { fromFile?: string; field: string[] }, required: boolean): Record<string, string> | undefined {
  const value: Record<string, string> = o.fromFile ? readJsonObject(o.fromFile) : {};
  for (const f of o.field) {
    const i = f.indexOf('=');
    if (i < 1) throw new UsageError(`--field takes name=value, not '${f.split('=')[0]}'`);
    const name = f.slice(0, i);
    const raw = f.slice(i + 1);
    value[name] = raw.startsWith('@') ? readFileSync(raw.slice(1), 'utf8').replace(/\n$/, '') : raw;
  }
  if (Object.keys(value).length === 0) {
    if (required) throw new UsageError('give the value with --from-file FILE (JSON, - for standard input) or --field name=value');
    return undefined;
  }
  return value;
}

function scopeOf(s: string | undefined): SecretType | undefined {
  if (s === undefined) return undefined;
  const u = s.toUpperCase();
  if (u !== SecretType.USER_SECRET && u !== SecretType.SYSTEM_SECRET) throw new UsageError('--scope must be USER_SECRET or SYSTEM_SECRET');
  return u;
}

function versionOf(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  if (!/^[1-9]\d{0,9}$/.test(s)) throw new UsageError('--version must be a version number (1, 2, …)');
  return Number(s);
}

const valueOptions = (c: Command) =>
  c.option('--from-file <path>', 'the value as a JSON object; - reads standard input')
    .option('--field <name=value>', 'one field (repeatable); name=@path reads the file. Prefer --from-file: arguments show in ps and shell history', collect, []);

export function registerSecrets(program: Command): void {
  const secrets = program.command('secrets').description('secrets on the server at SECRET_MANAGER_URL (with SECRET_MANAGER_API_KEY)');

  withOutput(secrets.command('list').description('secrets you can see')
    .option('-t, --type <type>', 'connector type: s3, azure_key, azure_sas, gcs, sharepoint_online, sharepoint_on_premise, confluence, generic')
    .option('--scope <scope>', 'USER_SECRET or SYSTEM_SECRET')
    .option('-q, --search <text>', 'part of the id or description')
    .option('--trash', 'deleted secrets that can still be restored'))
    .action(action(async (o: { type?: string; scope?: string; search?: string; trash?: boolean; output?: string }) => {
      const format = formatOf(o);
      const scope = scopeOf(o.scope);
      const rows = [];
      for await (const s of client().listSecrets({ connectorType: o.type as ConnectorType, search: o.search, trash: o.trash })) if (!scope || s.scope === scope) rows.push(s);
      printList(format, rows, o.trash ? ['id', 'secret_type', 'scope', 'deleted_at', 'owner'] : ['id', 'secret_type', 'scope', 'version', 'updated_at', 'owner', 'used_by']);
    }));

  withOutput(secrets.command('get').argument('<id>').description('print the value of a secret (audited); --metadata for its metadata instead')
    .option('--version <n>', 'an older version')
    .option('--field <name>', 'print only this field, bare')
    .option('--metadata', 'metadata (type, scope, version, field names), never the value')
    .option('--prefix <prefix>', 'with --output env: put this before each variable name', ''), 'json')
    .action(action(async (id: string, o: { version?: string; field?: string; metadata?: boolean; prefix: string; output?: string }) => {
      const format = formatOf(o);
      const sm = client();
      if (o.metadata) return printRecord(format, await sm.getSecretMetadata(id));
      const value = await sm.getSecret(id, { version: versionOf(o.version) });
      if (o.field !== undefined) {
        if (!(o.field in value)) throw new UsageError(`secret '${id}' has no field '${o.field}' (it has ${Object.keys(value).join(', ')})`);
        return say(value[o.field]!);
      }
      if (format === 'env') return say(envLines(Object.fromEntries(Object.entries(value).map(([k, v]) => [envName(o.prefix, k), v]))));
      if (format === 'table') return printRecord('table', value);
      say(JSON.stringify(value, null, 2));
    }));

  withOutput(valueOptions(secrets.command('create').argument('<id>').description('create a secret')
    .option('-t, --type <type>', 'connector type (generic when absent)')
    .option('--scope <scope>', 'USER_SECRET (default) or SYSTEM_SECRET')
    .option('-d, --description <text>')))
    .action(action(async (id: string, o: { type?: string; scope?: string; description?: string; fromFile?: string; field: string[]; output?: string }) => {
      const format = formatOf(o);
      const r = await client().createSecret({ id, type: o.type as ConnectorType, scope: scopeOf(o.scope), description: o.description, value: valueOf(o, true)! });
      printRecord(format, { id: r.id, version: r.version });
    }));

  withOutput(valueOptions(secrets.command('update').argument('<id>').description('write a new version: the whole value, or with --merge only the given fields')
    .option('--merge', 'change only the given fields; --unset removes one')
    .option('--unset <name>', 'with --merge: remove this field (repeatable)', collect, [])
    .option('--version <n>', 'refuse if the secret is no longer at this version (optimistic concurrency)')
    .option('-d, --description <text>')))
    .action(action(async (id: string, o: { merge?: boolean; unset: string[]; version?: string; description?: string; fromFile?: string; field: string[]; output?: string }) => {
      const format = formatOf(o);
      const sm = client();
      const w = { version: versionOf(o.version), description: o.description };
      let r;
      if (o.merge || o.unset.length) {
        const changes: Record<string, string | null> = { ...valueOf(o, false) };
        for (const u of o.unset) changes[u] = null;
        if (Object.keys(changes).length === 0 && o.description === undefined) throw new UsageError('nothing to change: give --field, --from-file, --unset or --description');
        r = await sm.patchSecret(id, Object.keys(changes).length ? changes : undefined, w);
      } else {
        r = await sm.updateSecret(id, valueOf(o, true)!, w);
      }
      printRecord(format, r);
    }));

  withOutput(secrets.command('delete').argument('<id>').description('move a secret to the trash')
    .option('--force', 'even if connectors use it (they will stop working)')
    .option('--purge', 'remove it and all its versions for good (admin role)'))
    .action(action(async (id: string, o: { force?: boolean; purge?: boolean; output?: string }) => {
      printRecord(formatOf(o), await client().deleteSecret(id, o));
    }));

  withOutput(secrets.command('restore').argument('<id>').description('bring a secret back from the trash'))
    .action(action(async (id: string, o: { output?: string }) => {
      const m = await client().restoreSecret(id);
      printRecord(formatOf(o), { id: m.id, version: m.version, restored: true });
    }));

  withOutput(secrets.command('versions').argument('<id>').description('the versions of a secret, newest first (no values)'))
    .action(action(async (id: string, o: { output?: string }) => {
      printList(formatOf(o), await client().listVersions(id), ['version', 'created_at', 'created_by', 'fields']);
    }));

  withOutput(secrets.command('check').argument('<id>').description("ask the provider whether the secret's credential works; exit code 1 if not")
    .option('--target <name=value>', 'also check access to a target field, e.g. bucket=reports (repeatable)', collect, []))
    .action(action(async (id: string, o: { target: string[]; output?: string }) => {
      const target = Object.fromEntries(o.target.map((t) => {
        const i = t.indexOf('=');
        if (i < 1) throw new UsageError(`--target takes name=value, not '${t}'`);
        return [t.slice(0, i), t.slice(i + 1)];
      }));
      const r = await client().checkSecret(id, o.target.length ? target : undefined);
      printRecord(formatOf(o), r);
      if (!r.ok) process.exitCode = 1;
    }));
}
