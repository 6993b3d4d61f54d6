// The registry of secret types and the one validator of secret values.
import type { FieldProblem } from '../../errors.js';
import { azureKey, azureSas } from './azure.js';
import { confluence } from './confluence.js';
import type { TypeDef } from './field.js';
import { gcs } from './gcs.js';
import { generic } from './generic.js';
import { s3 } from './s3.js';
import { sharepointOnline, sharepointOnPremise } from './sharepoint.js';

export type { FieldDef, TypeDef } from './field.js';

export const SECRET_TYPES: readonly TypeDef[] = [s3, azureKey, azureSas, gcs, sharepointOnline, sharepointOnPremise, confluence, generic];
export const SECRET_TYPE_NAMES = SECRET_TYPES.map((t) => t.type) as [string, ...string[]];
const BY_NAME = new Map(SECRET_TYPES.map((t) => [t.type, t]));

export const MAX_VALUE_BYTES = 64 * 1024;

export function typeDef(name: string): TypeDef | undefined {
  return BY_NAME.get(name);
}

/** Names of the sensitive fields of every type, for log redaction. */
export const SENSITIVE_FIELD_NAMES = [...new Set(SECRET_TYPES.flatMap((t) => t.fields.filter((f) => f.sensitive).map((f) => f.name)))];

/** Every problem with a value, by field. Messages never contain the value itself. */
export function validateValue(type: string, value: unknown, at = 'secret_value'): FieldProblem[] {
  const def = BY_NAME.get(type);
  if (!def) return [{ field: 'secret_type', message: `must be one of ${SECRET_TYPE_NAMES.join(', ')}` }];
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return [{ field: at, message: 'must be a JSON object of string fields' }];
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const problems: FieldProblem[] = [];
  const known = new Map(def.fields.map((f) => [f.name, f]));
  for (const [k, v] of entries) {
    const field = `${at}.${k}`;
    if (def.openKeys ? !def.openKeys.test(k) : !known.has(k)) {
      problems.push({ field, message: def.openKeys ? `field names must match ${def.openKeys.source}` : `unknown field for ${def.type}; expected ${def.fields.map((f) => f.name).join(', ')}` });
      continue;
    }
    if (typeof v !== 'string') {
      problems.push({ field, message: 'must be a string' });
      continue;
    }
    const f = known.get(k);
    if (f && v === '' && f.required) continue; // reported below as missing
    if (f?.check && v !== '') {
      const msg = f.check(v);
      if (msg) problems.push({ field, message: msg });
    }
  }
  for (const f of def.fields) {
    const v = (value as Record<string, unknown>)[f.name];
    if (f.required && (v === undefined || v === '')) problems.push({ field: `${at}.${f.name}`, message: 'is required' });
  }
  if (def.openKeys && entries.length === 0) problems.push({ field: at, message: 'must have at least one field' });
  if (entries.length > 256) problems.push({ field: at, message: 'must have at most 256 fields' });
  return problems;
}
