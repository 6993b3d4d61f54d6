// What a connector opens, per type: a bucket and prefix, a container and prefix, a library and
// folder, a Confluence space. Checked here field by field, like secret values.
import type { FieldProblem } from '../errors.js';
import { httpUrl, matches, type FieldDef } from '../secrets/types/field.js';

type TargetField = Pick<FieldDef, 'name' | 'label' | 'required' | 'check' | 'help'>;

const hasControl = (v: string) => [...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** Paths stay inside the target: no absolute paths, no '..', no control characters. */
export function relativePath(v: string): string | undefined {
  if (v.length > 1024) return 'must be at most 1024 characters';
  if (hasControl(v) || v.includes('\\')) return 'must not contain control characters or backslashes';
  if (v.startsWith('/')) return "must not start with '/'";
  if (v.split('/').some((s) => s === '..' || s === '.')) return "must not contain '.' or '..' segments";
  return undefined;
}

/** An endpoint, never a credential: a URL with a query (a pasted SAS) or user:password@ is refused. */
function plainUrl(v: string): string | undefined {
  const bad = httpUrl(v);
  if (bad) return bad;
  const u = new URL(v);
  if (u.username || u.password) return 'must not contain a user name or password';
  if (u.search || u.hash) return 'must not contain a query string (put a SAS token in the secret, not here)';
  return undefined;
}

const prefix: TargetField = { name: 'prefix', label: 'Prefix', required: false, help: 'Only keys under this prefix (e.g. reports/2026/)', check: relativePath };
const folder: TargetField = { name: 'folder', label: 'Folder', required: false, help: 'A folder inside the library (e.g. Contracts/2026)', check: relativePath };
const library: TargetField = { name: 'library', label: 'Document library', required: true, help: 'Its title, e.g. Documents', check: (v) => (v.length <= 255 && !hasControl(v) ? undefined : 'must be a library title (at most 255 characters)') };
const s3Bucket = matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name (3–63 lower-case letters, digits, dots, hyphens)');

export const TARGETS: Record<string, TargetField[]> = {
  s3: [{ name: 'bucket', label: 'Bucket', required: true, check: s3Bucket }, prefix],
  azure_key: [
    { name: 'container', label: 'Container', required: true, check: matches(/^(\$root|[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9])$/, 'a container name (3–63 lower-case letters, digits, single hyphens)') },
    prefix,
    { name: 'endpoint_url', label: 'Blob endpoint', required: false, help: 'Only outside the public Azure cloud (Azure Stack, sovereign clouds, Azurite)', check: plainUrl },
  ],
  gcs: [{ name: 'bucket', label: 'Bucket', required: true, check: matches(/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/, 'a bucket name (lower-case letters, digits, dots, hyphens, underscores)') }, prefix],
  sharepoint_online: [library, folder],
  sharepoint_on_premise: [library, folder],
  confluence: [
    { name: 'space', label: 'Space key', required: true, check: matches(/^[A-Za-z0-9~_]{1,255}$/, 'a space key (letters, digits, ~ and _)') },
    { name: 'base_url', label: 'Base URL', required: false, help: 'When the secret has none (Cloud sites end in /wiki)', check: plainUrl },
  ],
};
TARGETS.azure_sas = TARGETS.azure_key!;

/** Every problem with a target, by field; never echoes the value. */
/** partial: a secret check may name only some fields (an endpoint without a container). */
export function validateTarget(type: string, target: Record<string, unknown>, at = 'body.target', partial = false): FieldProblem[] {
  const fields = TARGETS[type];
  if (!fields) return [{ field: 'body.type', message: `must be one of ${Object.keys(TARGETS).join(', ')}` }];
  const known = new Map(fields.map((f) => [f.name, f]));
  const problems: FieldProblem[] = [];
  for (const [k, v] of Object.entries(target)) {
    const f = known.get(k);
    if (!f) problems.push({ field: `${at}.${k}`, message: `unknown field for ${type}; expected ${fields.map((x) => x.name).join(', ')}` });
    else if (typeof v !== 'string') problems.push({ field: `${at}.${k}`, message: 'must be a string' });
    else if (v !== '' && f.check) {
      const m = f.check(v);
      if (m) problems.push({ field: `${at}.${k}`, message: m });
    }
  }
  for (const f of fields) if (!partial && f.required && (target[f.name] === undefined || target[f.name] === '')) problems.push({ field: `${at}.${f.name}`, message: 'is required' });
  return problems;
}

/** Empty optional fields are dropped, as in secret values. */
export const cleanTarget = (t: Record<string, unknown>) => Object.fromEntries(Object.entries(t).filter(([, v]) => v !== '')) as Record<string, string>;
