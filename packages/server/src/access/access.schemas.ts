import { z } from 'zod';
import { PERMISSION_IDS } from './permissions.js';

export const Email = z.email('must be an email address').max(254);
export const Password = z.string().min(12, 'must be at least 12 characters').max(256, 'must be at most 256 characters');
const RoleName = z.string().trim().min(1).max(64).regex(/^[^,/\\\p{Cc}]+$/u, 'must not contain commas, slashes or control characters');

export const LoginBody = z.object({ email: z.string().min(1).max(254), password: z.string().min(1).max(256) }).strict().meta({ id: 'Login' });

export const CurrentUser = z
  .object({ id: z.string(), email: z.string(), roles: z.array(z.string()), permissions: z.array(z.string()), is_admin: z.boolean(), via: z.string() })
  .meta({ id: 'CurrentUser' });

export const LoginAnswer = z.object({ user: CurrentUser, csrf_token: z.string(), expires_at: z.string() }).meta({ id: 'LoginAnswer' });

export const ApiKeyCreate = z
  .object({
    name: z.string().trim().min(1).max(100),
    expires_at: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time, e.g. 2027-01-31T00:00:00Z' }).optional(),
  })
  .strict()
  .meta({ id: 'ApiKeyCreate' });

export const ApiKeyCreated = z.object({ id: z.string(), key: z.string().describe('Shown this once'), prefix: z.string() }).meta({ id: 'ApiKeyCreated' });

export const ApiKey = z
  .object({
    id: z.string(), name: z.string(), prefix: z.string(), created_at: z.string(),
    expires_at: z.string().nullable(), last_used_at: z.string().nullable(), revoked_at: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });

export const KeyIdParams = z.object({ id: z.string().regex(/^[a-f0-9]{16}$/, 'must be an API key id (16 hex characters)') });

export const Permission = z.object({ id: z.string(), name: z.string(), description: z.string() }).meta({ id: 'Permission' });

export const Role = z
  .object({
    id: z.string(), name: z.string(), description: z.string(), builtin: z.boolean(), permissions: z.array(z.string()),
    created_at: z.string(), updated_at: z.string(),
  })
  .meta({ id: 'Role' });

const PermissionId = z.enum(PERMISSION_IDS as [string, ...string[]]);

export const RoleCreate = z
  .object({ name: RoleName, description: z.string().max(500).optional(), permissions: z.array(z.string().max(64)).max(64).default([]) })
  .strict()
  .meta({ id: 'RoleCreate' });

export const RoleUpdate = z
  .object({ name: RoleName.optional(), description: z.string().max(500).optional(), permissions: z.array(z.string().max(64)).max(64).optional() })
  .strict()
  .meta({ id: 'RoleUpdate' });

export const RoleParams = z.object({ id: z.string().min(1).max(64) });
export const RolePermissionParams = z.object({ id: z.string().min(1).max(64), permission: PermissionId });

export const User = z
  .object({ id: z.string(), email: z.string(), disabled: z.boolean(), roles: z.array(z.string()), created_at: z.string(), updated_at: z.string() })
  .meta({ id: 'User' });

export const UserCreate = z
  .object({ email: Email, password: Password, roles: z.array(RoleName).max(32).optional().describe("Role names; ['default'] when absent") })
  .strict()
  .meta({ id: 'UserCreate' });

export const UserUpdate = z.object({ disabled: z.boolean().optional(), password: Password.optional() }).strict().meta({ id: 'UserUpdate' });

export const UserParams = z.object({ id: z.uuid('must be a user id') });
export const UserRolesParams = z.object({ id: z.uuid('must be a user id'), roles: z.string().max(2000).describe('Comma-separated role names; empty removes every role') });
