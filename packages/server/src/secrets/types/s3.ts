import { httpUrl, matches, noSpaces, type TypeDef } from './field.js';

export const s3: TypeDef = {
  type: 's3',
  label: 'AWS S3',
  fields: [
    { name: 'access_key_id', label: 'Access Key ID', required: true, sensitive: false, check: matches(/^[A-Za-z0-9_+=/.-]{3,128}$/, '3–128 letters, digits or _+=/.-') },
    { name: 'secret_access_key', label: 'Secret Access Key', required: true, sensitive: true, check: noSpaces },
    // S3-compatible stores use regions such as "auto" or "garage", so only the shape is checked.
    { name: 'region', label: 'Region', required: true, sensitive: false, check: matches(/^[a-z0-9][a-z0-9-]{0,31}$/, 'a region name such as us-east-1') },
    { name: 'session_token', label: 'Session Token', required: false, sensitive: true, input: 'textarea', check: noSpaces },
    { name: 'endpoint_url', label: 'Endpoint URL', required: false, sensitive: false, input: 'url', help: 'Only for S3-compatible stores (MinIO, Ceph, R2…)', check: httpUrl },
  ],
};
