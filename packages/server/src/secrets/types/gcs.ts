import { type TypeDef } from './field.js';

function serviceAccount(v: string): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(v);
  } catch {
    return 'must be the service-account key file (JSON)';
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return 'must be a JSON object';
  const d = doc as Record<string, unknown>;
  const missing = ['client_email', 'private_key'].filter((k) => typeof d[k] !== 'string' || d[k] === '');
  if (missing.length) return `must contain ${missing.join(' and ')}`;
  if (!String(d.private_key).includes('PRIVATE KEY-----')) return 'private_key must be a PEM private key';
  if (d.type !== undefined && d.type !== 'service_account') return "type must be 'service_account'";
  return undefined;
}

export const gcs: TypeDef = {
  type: 'gcs',
  label: 'Google Cloud Storage',
  fields: [
    { name: 'project_id', label: 'Project ID', required: true, sensitive: false, check: (v) => (/^([a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(v) ? undefined : 'must be a Google Cloud project id (6–30 lower-case letters, digits, hyphens)') },
    { name: 'service_account_json', label: 'Service Account JSON', required: true, sensitive: true, input: 'textarea', help: 'Paste or upload the key file', check: serviceAccount },
  ],
};
