import { httpUrl, type TypeDef } from './field.js';

export const confluence: TypeDef = {
  type: 'confluence',
  label: 'Confluence',
  fields: [
    { name: 'username', label: 'Username', required: true, sensitive: false },
    { name: 'password', label: 'Password or API token', required: true, sensitive: true },
    { name: 'base_url', label: 'Base URL', required: false, sensitive: false, input: 'url', check: httpUrl },
  ],
};
