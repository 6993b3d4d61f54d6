// Names and shapes callers work with. The request and answer shapes come from the generated
// OpenAPI types; the per-type value and target fields are written here (the API carries them as
// string maps) and a test holds them to the server's /connector-types.
import type { components } from './generated/openapi.js';

type Schemas = components['schemas'];

/** The seed's names for a secret's scope. */
export const SecretType = {
  /** Visible to its owner and to administrators. */
  USER_SECRET: 'USER_SECRET',
  /** Visible to every holder of secrets/read. */
  SYSTEM_SECRET: 'SYSTEM_SECRET',
} as const;
export type SecretType = (typeof SecretType)[keyof typeof SecretType];

/** The connector type of a secret (its `secret_type`), as in `listSecretIds(SecretType.USER_SECRET, "s3")`. */
export type ConnectorType = 's3' | 'azure_key' | 'azure_sas' | 'gcs' | 'sharepoint_online' | 'sharepoint_on_premise' | 'confluence' | 'generic';
/** The types a connector can have: every one but generic, which opens nothing Coffer knows. */
export type ConnectableType = Exclude<ConnectorType, 'generic'>;

export interface SecretValues {
  s3: { access_key_id: string; secret_access_key: string; region: string; session_token?: string; endpoint_url?: string };
  azure_key: { account_name: string; account_key: string };
  azure_sas: { account_name: string; sas_token: string };
  gcs: { project_id: string; service_account_json: string };
  sharepoint_online: { site_url: string; tenant_id: string; client_id: string; client_secret: string };
  sharepoint_on_premise: { site_url: string; username: string; password: string };
  confluence: { username: string; password: string; base_url?: string };
  generic: Record<string, string>;
}
export type SecretValue<T extends ConnectorType = ConnectorType> = SecretValues[T];

/** Field names per type, required first; generic takes any names. */
export const SECRET_FIELDS: { [T in Exclude<ConnectorType, 'generic'>]: { required: (keyof SecretValues[T])[]; optional: (keyof SecretValues[T])[] } } = {
  s3: { required: ['access_key_id', 'secret_access_key', 'region'], optional: ['session_token', 'endpoint_url'] },
  azure_key: { required: ['account_name', 'account_key'], optional: [] },
  azure_sas: { required: ['account_name', 'sas_token'], optional: [] },
  gcs: { required: ['project_id', 'service_account_json'], optional: [] },
  sharepoint_online: { required: ['site_url', 'tenant_id', 'client_id', 'client_secret'], optional: [] },
  sharepoint_on_premise: { required: ['site_url', 'username', 'password'], optional: [] },
  confluence: { required: ['username', 'password'], optional: ['base_url'] },
};

/** What a connector opens, per type. */
export interface ConnectorTargets {
  s3: { bucket: string; prefix?: string };
  azure_key: { container: string; prefix?: string; endpoint_url?: string };
  azure_sas: { container: string; prefix?: string; endpoint_url?: string };
  gcs: { bucket: string; prefix?: string };
  sharepoint_online: { library: string; folder?: string };
  sharepoint_on_premise: { library: string; folder?: string };
  confluence: { space: string; base_url?: string };
}

export type SecretMetadata = Schemas['SecretMetadata'];
export type SecretVersion = Schemas['SecretVersions'][number];
export type Connector = Schemas['Connector'];
export type CheckResult = Schemas['CheckResult'];
export type ConnectorObject = Schemas['ConnectorObject'];
export type ConnectorTypeInfo = Schemas['ConnectorTypes'][number];
export type User = Schemas['User'];
export type CurrentUser = Schemas['CurrentUser'];
export type Role = Schemas['Role'];
export type Permission = Schemas['Permission'];
export type ApiKey = Schemas['ApiKey'];
export type ApiKeyCreated = Schemas['ApiKeyCreated'];
export type AuditEntry = Schemas['AuditEntry'];
export type AuditVerify = Schemas['AuditVerify'];

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}
