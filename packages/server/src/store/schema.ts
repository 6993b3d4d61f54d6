// Table shapes as kysely sees them. Times are ISO-8601 UTC strings and booleans are 0/1 on both
// dialects, so that services never see a dialect difference.
import type { Generated } from 'kysely';

export interface UsersTable {
  id: string;
  workspace_id: string;
  email: string;
  password_hash: string;
  disabled: number;
  created_at: string;
  updated_at: string;
}

export interface RolesTable {
  id: string;
  workspace_id: string;
  name: string;
  description: string;
  builtin: number;
  created_at: string;
  updated_at: string;
}

export interface RolePermissionsTable {
  role_id: string;
  permission: string;
}

export interface UserRolesTable {
  user_id: string;
  role_id: string;
}

export interface ApiKeysTable {
  id: string;
  user_id: string;
  name: string;
  secret_hash: Buffer;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface SessionsTable {
  id: Buffer; // sha-256 of the cookie value
  user_id: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

export interface SecretsTable {
  workspace_id: string;
  id: string;
  secret_type: string;
  scope: string;
  description: string;
  owner_id: string;
  version: number;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
  deleted_at: string | null;
  deleted_by: string | null;
}

export interface SecretVersionsTable {
  workspace_id: string;
  secret_id: string;
  version: number;
  field_names: string; // JSON array of names: never values
  kek_id: string;
  wrapped_key: Buffer;
  ciphertext: Buffer;
  created_at: string;
  created_by: string;
}

export interface AuditTable {
  seq: number;
  workspace_id: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  outcome: string;
  client_ip: string;
  user_agent: string;
  request_id: string;
  details: string;
  prev_hash: string;
  hash: string;
}

export interface ConnectorsTable {
  workspace_id: string;
  id: string;
  name: string;
  type: string;
  secret_id: string;
  target: string; // JSON
  created_at: string;
  created_by: string;
  updated_at: string;
}

export interface AccessGenerationTable {
  id: number;
  generation: number;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface DB {
  users: UsersTable;
  roles: RolesTable;
  role_permissions: RolePermissionsTable;
  user_roles: UserRolesTable;
  api_keys: ApiKeysTable;
  sessions: SessionsTable;
  secrets: SecretsTable;
  secret_versions: SecretVersionsTable;
  audit_log: AuditTable;
  connectors: ConnectorsTable;
  meta: MetaTable;
  access_generation: AccessGenerationTable;
  listing_generation: AccessGenerationTable;
  content_generation: AccessGenerationTable;
}

export type { Generated };
