// coffer connectors: bind secrets to targets, check them, and read what they open.
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Command } from 'commander';
import type { ConnectableType } from '@coffer/sdk';
import { action, client, UsageError } from './context.js';
import { formatOf, printList, printRecord, withOutput } from './output.js';

const collect = (v: string, acc: string[]) => [...acc, v];

function pairs(xs: string[], flag: string): Record<string, string> {
  return Object.fromEntries(xs.map((t) => {
    const i = t.indexOf('=');
    if (i < 1) throw new UsageError(`${flag} takes name=value, not '${t}'`);
    return [t.slice(0, i), t.slice(i + 1)];
  }));
}

export function registerConnectors(program: Command): void {
  const c = program.command('connectors').description('connectors: a secret bound to a bucket, container, library or space');
  withOutput(c.command('list').option('-t, --type <type>').option('--secret <id>', 'only those using this secret'))
    .action(action(async (o: { type?: string; secret?: string; output?: string }) => {
      const rows = [];
      for await (const x of client().connectors.list({ type: o.type as ConnectableType, secretId: o.secret })) rows.push(x);
      printList(formatOf(o), rows, ['id', 'name', 'type', 'secret_id', 'target']);
    }));
  withOutput(c.command('create').argument('<name>')
    .requiredOption('-t, --type <type>', 'the secret type: s3, azure_key, azure_sas, gcs, sharepoint_online, sharepoint_on_premise, confluence')
    .requiredOption('--secret <id>', 'the secret it uses')
    .option('--target <name=value>', 'what it opens, e.g. bucket=reports prefix=2026/ (repeatable)', collect, [])
    .option('--id <id>', 'chosen id (generated when absent)'))
    .action(action(async (name: string, o: { type: string; secret: string; target: string[]; id?: string; output?: string }) => {
      printRecord(formatOf(o), await client().connectors.create({ id: o.id, name, type: o.type as ConnectableType, secret_id: o.secret, target: pairs(o.target, '--target') as never }));
    }));
  withOutput(c.command('check').argument('<id>').description('ask the provider whether the connector works; exit code 1 if not'))
    .action(action(async (id: string, o: { output?: string }) => {
      const r = await client().connectors.check(id);
      printRecord(formatOf(o), r);
      if (!r.ok) process.exitCode = 1;
    }));
  withOutput(c.command('objects').argument('<id>').description('what the connector can read').option('--prefix <prefix>', 'relative to its target', ''))
    .action(action(async (id: string, o: { prefix: string; output?: string }) => {
      const rows = [];
      for await (const x of client().connectors.listObjects(id, { prefix: o.prefix })) rows.push(x);
      printList(formatOf(o), rows, ['key', 'size', 'modified_at', 'folder']);
    }));
  c.command('download').argument('<id>').argument('<key>').description('write one document to a file or standard output')
    .option('--to <path>', 'a file; standard output when absent')
    .action(action(async (id: string, key: string, o: { to?: string }) => {
      const d = await client().connectors.getObject(id, key);
      await pipeline(Readable.fromWeb(d.body as unknown as WebReadableStream<Uint8Array>), o.to ? createWriteStream(o.to) : process.stdout);
    }));
  c.command('delete').argument('<id>')
    .action(action(async (id: string) => {
      await client().connectors.delete(id);
      process.stdout.write(`Deleted connector ${id}.\n`);
    }));
}
