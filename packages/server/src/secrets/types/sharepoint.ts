import { GUID, httpUrl, httpsUrl, matches, type TypeDef } from './field.js';

export const sharepointOnline: TypeDef = {
  type: 'sharepoint_online',
  label: 'SharePoint Online',
  fields: [
    { name: 'site_url', label: 'Site URL', required: true, sensitive: false, input: 'url', check: httpsUrl },
    { name: 'tenant_id', label: 'Tenant ID', required: true, sensitive: false, check: (v) => (GUID.test(v) || /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(v) ? undefined : 'must be a tenant GUID or domain') },
    { name: 'client_id', label: 'Client ID', required: true, sensitive: false, check: matches(GUID, 'an application (client) GUID') },
    { name: 'client_secret', label: 'Client Secret', required: true, sensitive: true },
  ],
};

export const sharepointOnPremise: TypeDef = {
  type: 'sharepoint_on_premise',
  label: 'SharePoint On-Premises',
  fields: [
    { name: 'site_url', label: 'Site URL', required: true, sensitive: false, input: 'url', check: httpUrl },
    { name: 'username', label: 'Username', required: true, sensitive: false, help: 'DOMAIN\\user or user@domain' },
    { name: 'password', label: 'Password', required: true, sensitive: true },
  ],
};
