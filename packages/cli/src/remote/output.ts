// --output json|table|env. Tables are for people, json for programs, env for `eval` and .env files.
import type { Command } from 'commander';
import { UsageError } from './context.js';

export type Format = 'json' | 'table' | 'env';
const FORMATS: Format[] = ['json', 'table', 'env'];

export function withOutput(cmd: Command, def: Format = 'table'): Command {
  return cmd.option('-o, --output <format>', `json, table or env`, def);
}

export function formatOf(o: { output?: string }): Format {
  const f = (o.output ?? 'table') as Format;
  if (!FORMATS.includes(f)) throw new UsageError(`--output must be one of ${FORMATS.join(', ')}, not '${o.output}'`);
  return f;
}

const write = (s: string): void => {
  process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
};

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' && x ? ((x as { name?: string; id?: string }).name ?? (x as { id?: string }).id ?? JSON.stringify(x)) : String(x))).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cells = rows.map((r) => columns.map((c) => cell(r[c]).replace(/\s+/g, ' ')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (xs: string[]) => xs.map((x, i) => (i === xs.length - 1 ? x : x.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}

/** KEY='value' lines, quoted for POSIX shells. */
export function envLines(vars: Record<string, string>): string {
  return Object.entries(vars).map(([k, v]) => `${k}='${v.replace(/'/g, `'\\''`)}'`).join('\n');
}

/** A list: as a table with these columns, or as JSON. */
export function printList(format: Format, rows: Record<string, unknown>[], columns: string[]): void {
  if (format === 'env') throw new UsageError('--output env is only for values (secrets get); use json or table here');
  write(format === 'json' ? JSON.stringify(rows, null, 2) : rows.length ? table(rows, columns) : '(none)');
}

/** One record: field/value rows, or JSON. */
export function printRecord(format: Format, rec: Record<string, unknown>): void {
  if (format === 'env') throw new UsageError('--output env is only for values (secrets get); use json or table here');
  write(format === 'json' ? JSON.stringify(rec, null, 2) : table(Object.entries(rec).map(([field, value]) => ({ field, value })), ['field', 'value']));
}

export const say = write;
