import { matches, type TypeDef } from './field.js';

const accountName = { name: 'account_name', label: 'Account Name', required: true, sensitive: false, check: matches(/^[a-z0-9]{3,24}$/, '3–24 lower-case letters and digits') };

export const azureKey: TypeDef = {
  type: 'azure_key',
  label: 'Azure Blob Storage (account key)',
  fields: [
    accountName,
    { name: 'account_key', label: 'Account Key', required: true, sensitive: true, check: matches(/^[A-Za-z0-9+/]+={0,2}$/, 'a base64 account key') },
  ],
};

export const azureSas: TypeDef = {
  type: 'azure_sas',
  label: 'Azure Blob Storage (SAS)',
  fields: [
    accountName,
    { name: 'sas_token', label: 'SAS Token', required: true, sensitive: true, input: 'textarea', check: (v) => (/(^|[?&])sig=/.test(v) && !/\s/.test(v) ? undefined : "must be a SAS token (a query string with 'sig=')") },
  ],
};
