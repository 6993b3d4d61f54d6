// Users, roles, API keys and the audit log: what `coffer users|roles|api-keys|audit` use.
import { call, type Api } from './api.js';
import type { ApiKey, ApiKeyCreated, AuditEntry, AuditVerify, CurrentUser, Permission, Role, User } from './types.js';

export class AdminApi {
  constructor(private readonly api: Api) {}

  readonly users = {
    current: (): Promise<CurrentUser> => call(this.api.GET('/api/v1/users/current')),
    list: (): Promise<User[]> => call(this.api.GET('/api/v1/users')),
    create: (u: { email: string; password: string; roles?: string[] }): Promise<{ id: string }> => call(this.api.POST('/api/v1/users', { body: u })),
    update: (id: string, changes: { disabled?: boolean; password?: string }): Promise<User> => call(this.api.PATCH('/api/v1/users/{id}', { params: { path: { id } }, body: changes })),
    delete: async (id: string): Promise<void> => {
      await call(this.api.DELETE('/api/v1/users/{id}', { params: { path: { id } } }));
    },
    /** Replaces the user's roles. */
    setRoles: (id: string, roles: string[]): Promise<{ id: string; roles: string[] }> =>
      call(this.api.PUT('/api/v1/users/{id}/roles/{roles}', { params: { path: { id, roles: roles.join(',') } } })),
  };

  readonly roles = {
    list: (): Promise<Role[]> => call(this.api.GET('/api/v1/roles')),
    /** By id or name. */
    get: (idOrName: string): Promise<Role> => call(this.api.GET('/api/v1/roles/{id}', { params: { path: { id: idOrName } } })),
    create: (r: { name: string; description?: string; permissions: string[] }): Promise<{ id: string }> => call(this.api.POST('/api/v1/roles', { body: r })),
    update: (id: string, changes: { name?: string; description?: string; permissions?: string[] }): Promise<Role> => call(this.api.PUT('/api/v1/roles/{id}', { params: { path: { id } }, body: changes })),
    delete: async (id: string): Promise<void> => {
      await call(this.api.DELETE('/api/v1/roles/{id}', { params: { path: { id } } }));
    },
    grant: (id: string, permission: string): Promise<Role> => call(this.api.PUT('/api/v1/roles/{id}/permissions/{permission}', { params: { path: { id, permission: permission as never } } })),
    revoke: (id: string, permission: string): Promise<Role> => call(this.api.DELETE('/api/v1/roles/{id}/permissions/{permission}', { params: { path: { id, permission: permission as never } } })),
    permissions: (): Promise<Permission[]> => call(this.api.GET('/api/v1/permissions')),
  };

  /** The caller's own API keys. */
  readonly apiKeys = {
    list: (): Promise<ApiKey[]> => call(this.api.GET('/api/v1/users/current/api-keys')),
    /** The key is in the answer this once. */
    create: (k: { name: string; expiresAt?: string }): Promise<ApiKeyCreated> => call(this.api.POST('/api/v1/users/current/api-keys', { body: { name: k.name, expires_at: k.expiresAt } })),
    revoke: async (id: string): Promise<void> => {
      await call(this.api.DELETE('/api/v1/users/current/api-keys/{id}', { params: { path: { id } } }));
    },
  };

  readonly audit = {
    list: (q: { actor?: string; action?: string; target?: string; since?: string; until?: string; limit?: number; cursor?: number } = {}): Promise<{ items: AuditEntry[]; next_cursor: number | null }> =>
      call(this.api.GET('/api/v1/audit', { params: { query: q } })),
    verify: (): Promise<AuditVerify> => call(this.api.GET('/api/v1/audit/verify')),
  };
}
