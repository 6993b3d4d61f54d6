// What the New Secret / Edit form checks and sends, kept apart from the component so that the
// rule "a blank field keeps the stored value" is tested on its own.
import type { ConnectorType } from '../api/types';
import { RESERVED_IDS, SECRET_ID } from './queries';

export interface GenericRow {
  key: string;
  value: string;
  /** A field already stored (edit mode): its name is fixed, blank keeps the value. */
  stored?: boolean;
  remove?: boolean;
}

const GENERIC_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** `body.secret_value.region` → `region`; `body.secret_id` → `secret_id`. */
export const fieldKey = (f: string) => f.replace(/^body\./, '').replace(/^secret_value\./, '');

/** Problems the browser can see before asking the server, by field name. */
export function checkForm(f: { creating: boolean; type: string | null; name: string; def?: ConnectorType; values: Record<string, string>; rows: GenericRow[] }): Record<string, string> {
  const e: Record<string, string> = {};
  if (f.creating) {
    if (!f.type) e.secret_type = 'Choose a connector type';
    if (!f.name) e.secret_id = 'Give the secret a name';
    else if (!SECRET_ID.test(f.name)) e.secret_id = 'Use letters, digits, . _ - (start with a letter or digit, at most 128 characters)';
    else if (RESERVED_IDS.has(f.name)) e.secret_id = `'${f.name}' is reserved`;
  }
  if (f.def?.open_keys) {
    const fresh = f.rows.filter((r) => !r.stored);
    for (const r of fresh) if (!GENERIC_KEY.test(r.key)) e[r.key] = 'Field names: a letter or _, then letters, digits or _';
    const keys = f.rows.map((r) => r.key);
    if (new Set(keys).size !== keys.length) e._generic = 'Two fields have the same name';
  } else if (f.def && f.creating) {
    for (const fd of f.def.fields) if (fd.required && !f.values[fd.name]?.trim()) e[fd.name] = `${fd.label} is required`;
  }
  return e;
}

/**
 * The secret_value to send. Creating: every filled field. Editing (PATCH): only fields the user
 * typed into, and null for fields marked for removal; a blank field is left out, which keeps it.
 */
export function formValue(f: { def?: ConnectorType; values: Record<string, string>; removed: ReadonlySet<string>; rows: GenericRow[] }): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (f.def?.open_keys) {
    for (const r of f.rows) {
      if (r.remove) out[r.key] = null;
      else if (r.value !== '' || (!r.stored && r.key)) out[r.key] = r.value;
    }
    return out;
  }
  for (const fd of f.def?.fields ?? []) {
    const v = f.values[fd.name] ?? '';
    // Sensitive values are sent exactly as typed; other fields lose stray spaces from pasting.
    const clean = fd.sensitive ? v : v.trim();
    if (f.removed.has(fd.name)) out[fd.name] = null;
    else if (clean !== '') out[fd.name] = clean;
  }
  return out;
}
