import type { TypeDef } from './field.js';

export const generic: TypeDef = {
  type: 'generic',
  label: 'Generic',
  fields: [],
  openKeys: /^[A-Za-z_][A-Za-z0-9_]{0,63}$/,
};
