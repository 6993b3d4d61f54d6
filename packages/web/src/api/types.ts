// Shapes of the API answers the UI reads (see /api/v1/openapi.json).
export type Permission = 'secrets/read' | 'secrets/manage' | 'roles/manage' | 'audit/read';

export interface CurrentUser {
  id: string;
  email: string;
  roles: string[];
  permissions: string[];
  is_admin: boolean;
}

export interface Info {
  secret_manager_enabled: boolean;
  version: string;
}

export interface SecretMeta {
  id: string;
  secret_type: string;
  scope: 'USER_SECRET' | 'SYSTEM_SECRET';
  description: string;
  owner: string;
  version: number;
  fields: string[];
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
  deleted_at: string | null;
  used_by: { id: string; name: string }[];
}

export interface SecretList {
  items: SecretMeta[];
  next_cursor: string | null;
}

export interface ConnectorField {
  name: string;
  label: string;
  required: boolean;
  sensitive: boolean;
  input: 'text' | 'textarea' | 'url';
  help?: string;
}

export interface ConnectorType {
  type: string;
  label: string;
  fields: ConnectorField[];
  open_keys: string | null;
}

export interface SecretVersion {
  version: number;
  fields: string[];
  created_at: string;
  created_by: string;
}

export interface PermissionInfo {
  id: string;
  name: string;
  description: string;
}

export interface Role {
  id: string;
  name: string;
  description: string;
  builtin: boolean;
  permissions: string[];
  created_at: string;
  updated_at: string;
}

export interface User {
  id: string;
  email: string;
  disabled: boolean;
  roles: string[];
  created_at: string;
  updated_at: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  outcome: 'allowed' | 'denied' | 'failed';
  client_ip: string;
  user_agent: string;
  request_id: string;
  details: Record<string, unknown>;
}

export interface AuditPage {
  items: AuditEntry[];
  next_cursor: number | null;
}

export interface AuditVerify {
  ok: boolean;
  entries: number;
  first_broken: number | null;
  reason?: string;
}
