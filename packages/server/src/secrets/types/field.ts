// The building blocks of a connector type: its fields and per-field format checks.
export interface FieldDef {
  name: string;
  label: string;
  required: boolean;
  sensitive: boolean;
  /** A UI hint: 'textarea' for long pasted values (keys, JSON). */
  input?: 'text' | 'textarea' | 'url';
  help?: string;
  /** Returns a problem message, or undefined when the value is acceptable. Never echoes the value. */
  check?: (value: string) => string | undefined;
}

export interface TypeDef {
  type: string;
  label: string;
  fields: FieldDef[];
  /** Generic secrets accept any keys matching this pattern instead of a fixed field list. */
  openKeys?: RegExp;
}

export const httpsUrl = (v: string) => {
  try {
    return new URL(v).protocol === 'https:' ? undefined : 'must be an https:// URL';
  } catch {
    return 'must be an https:// URL';
  }
};

export const httpUrl = (v: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol) ? undefined : 'must be an http:// or https:// URL';
  } catch {
    return 'must be an http:// or https:// URL';
  }
};

export const matches = (re: RegExp, what: string) => (v: string) => (re.test(v) ? undefined : `must be ${what}`);

export const noSpaces = (v: string) => (/\s/.test(v) ? 'must not contain spaces or line breaks' : undefined);

export const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
