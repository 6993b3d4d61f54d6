// Users, roles and their assignment (SPEC section 4), for holders of roles/manage. Built-in roles
// are fixed; the last active administrator can be neither removed, disabled nor demoted.
import { randomUUID } from 'node:crypto';
import type { AuditService } from '../audit/audit.service.js';
import { AppError, ValidationFailed } from '../errors.js';
import type { Database, Tx } from '../store/db.js';
import { auditContext, type Actor } from './actor.js';
import { createAccessStore } from './access.store.js';
import type { Guard } from './guard.js';
import { hashPassword } from './passwords.js';
import { ACCESS_LOCK, isPermission, PERMISSIONS } from './permissions.js';

const RoleNotFound = (id: string) => new AppError('role_not_found', `Role '${id}' was not found.`);
const UserNotFound = (id: string) => new AppError('user_not_found', `User '${id}' was not found.`);

export interface RoleInput {
  name: string;
  description?: string;
  permissions: string[];
}

export function createRolesService(deps: { database: Database; audit: AuditService; guard: Guard; now?: () => Date }) {
  const { database, audit, guard } = deps;
  const store = createAccessStore(database);
  const now = deps.now ?? (() => new Date());

  /**
   * Changes to users, roles and their assignment take one lock across all replicas. They are rare,
   * and one at a time keeps them right under PostgreSQL's READ COMMITTED: two replacements of one
   * user's roles cannot both insert, and two demotions cannot each count the other as the last admin.
   */
  const change = <T>(fn: (trx: Tx) => Promise<T>) =>
    database.tx(async (trx) => {
      await database.lock(trx, ACCESS_LOCK);
      return fn(trx);
    });

  function checkPermissions(list: string[], field: string): void {
    const bad = list.filter((p) => !isPermission(p));
    if (bad.length) throw ValidationFailed(bad.map((p) => ({ field, message: `unknown permission '${p.slice(0, 64)}'; see GET /api/v1/permissions` })));
  }

  async function roleOrThrow(id: string, trx?: Tx) {
    const role = (await store.roleById(id, trx)) ?? (await store.roleByName(id, trx));
    if (!role) throw RoleNotFound(id);
    return role;
  }

  function refuseBuiltin(role: { builtin: number; name: string }): void {
    if (role.builtin) throw new AppError('role_builtin', `'${role.name}' is a built-in role and cannot be changed or deleted; create a custom role instead.`);
  }

  /** After fn, at least one enabled user must still hold the admin role, or the change is undone. */
  async function keepingAnAdmin<T>(trx: Tx, fn: () => Promise<T>): Promise<T> {
    const result = await fn();
    if ((await store.activeAdminIds(trx)).length === 0) {
      throw new AppError('last_admin', 'This would leave no active administrator; make someone else an administrator first.');
    }
    return result;
  }

  const roleView = async (r: { id: string; name: string; description: string; builtin: number; created_at: string; updated_at: string }, trx?: Tx) => ({
    id: r.id, name: r.name, description: r.description, builtin: r.builtin === 1, permissions: await store.rolePermissions(r.id, trx), created_at: r.created_at, updated_at: r.updated_at,
  });

  const manage = (a: Actor, action: string, target: string) => guard.need(a, 'roles/manage', action, target);

  async function userView(id: string) {
    const [user, g] = [await store.userById(id), await store.grants(id)];
    if (!user) throw UserNotFound(id);
    return { id: user.id, email: user.email, disabled: user.disabled === 1, created_at: user.created_at, updated_at: user.updated_at, roles: g.roles };
  }

  return {
    permissions: () => PERMISSIONS.map((p) => ({ id: p.id, name: p.name, description: p.description })),

    async listRoles(a: Actor) {
      await manage(a, 'role.list', 'roles');
      const [roles, perms] = await Promise.all([store.listRoles(), store.allRolePermissions()]);
      return roles.map((r) => ({
        id: r.id, name: r.name, description: r.description, builtin: r.builtin === 1, created_at: r.created_at, updated_at: r.updated_at,
        permissions: perms.filter((p) => p.role_id === r.id).map((p) => p.permission).sort(),
      }));
    },

    async getRole(a: Actor, id: string) {
      await manage(a, 'role.read', `role:${id}`);
      return roleView(await roleOrThrow(id));
    },

    async createRole(a: Actor, input: RoleInput) {
      await manage(a, 'role.create', `role:${input.name}`);
      checkPermissions(input.permissions, 'body.permissions');
      const at = now().toISOString();
      const id = randomUUID();
      try {
        await change(async (trx) => {
          await store.insertRole(trx, { id, workspace_id: 'default', name: input.name, description: input.description ?? '', builtin: 0, created_at: at, updated_at: at });
          await store.setRolePermissions(trx, id, [...new Set(input.permissions)]);
          await audit.append(trx, auditContext(a), { action: 'role.create', target: `role:${input.name}`, outcome: 'allowed', details: { permissions: input.permissions } });
        });
      } catch (e) {
        if (database.isUniqueViolation(e)) throw new AppError('role_exists', `A role named '${input.name}' already exists.`);
        throw e;
      }
      return { id };
    },

    async updateRole(a: Actor, id: string, input: Partial<RoleInput>) {
      await manage(a, 'role.update', `role:${id}`);
      if (input.permissions) checkPermissions(input.permissions, 'body.permissions');
      try {
        await change(async (trx) => {
          const role = await roleOrThrow(id, trx);
          refuseBuiltin(role);
          await store.updateRole(trx, role.id, { updated_at: now().toISOString(), ...(input.name !== undefined ? { name: input.name } : {}), ...(input.description !== undefined ? { description: input.description } : {}) });
          if (input.permissions) await store.setRolePermissions(trx, role.id, [...new Set(input.permissions)]);
          await audit.append(trx, auditContext(a), { action: 'role.update', target: `role:${role.name}`, outcome: 'allowed', details: { name: input.name, permissions: input.permissions } });
        });
      } catch (e) {
        if (database.isUniqueViolation(e)) throw new AppError('role_exists', `A role named '${input.name}' already exists.`);
        throw e;
      }
      return roleView(await roleOrThrow(id));
    },

    async grantPermission(a: Actor, id: string, permission: string) {
      await manage(a, 'role.update', `role:${id}`);
      checkPermissions([permission], 'params.permission');
      await change(async (trx) => {
        const role = await roleOrThrow(id, trx);
        refuseBuiltin(role);
        await store.addRolePermission(trx, role.id, permission);
        await store.updateRole(trx, role.id, { updated_at: now().toISOString() });
        await audit.append(trx, auditContext(a), { action: 'role.grant', target: `role:${role.name}`, outcome: 'allowed', details: { permission } });
      });
      return roleView(await roleOrThrow(id));
    },

    async revokePermission(a: Actor, id: string, permission: string) {
      await manage(a, 'role.update', `role:${id}`);
      checkPermissions([permission], 'params.permission');
      await change(async (trx) => {
        const role = await roleOrThrow(id, trx);
        refuseBuiltin(role);
        await store.setRolePermissions(trx, role.id, (await store.rolePermissions(role.id, trx)).filter((p) => p !== permission));
        await store.updateRole(trx, role.id, { updated_at: now().toISOString() });
        await audit.append(trx, auditContext(a), { action: 'role.revoke', target: `role:${role.name}`, outcome: 'allowed', details: { permission } });
      });
      return roleView(await roleOrThrow(id));
    },

    async deleteRole(a: Actor, id: string) {
      await manage(a, 'role.delete', `role:${id}`);
      await change(async (trx) => {
        const role = await roleOrThrow(id, trx);
        refuseBuiltin(role);
        await store.deleteRole(trx, role.id);
        await audit.append(trx, auditContext(a), { action: 'role.delete', target: `role:${role.name}`, outcome: 'allowed' });
      });
    },

    async listUsers(a: Actor) {
      await manage(a, 'user.list', 'users');
      const [users, assignments] = await Promise.all([store.listUsers(), store.userRoleNames()]);
      return users.map((u) => ({
        id: u.id, email: u.email, disabled: u.disabled === 1, created_at: u.created_at, updated_at: u.updated_at,
        roles: assignments.filter((r) => r.user_id === u.id).map((r) => r.name).sort(),
      }));
    },

    async createUser(a: Actor, input: { email: string; password: string; roles?: string[] }) {
      await manage(a, 'user.create', `user:${input.email}`);
      const email = input.email.toLowerCase();
      const roleNames = input.roles ?? ['default'];
      const passwordHash = await hashPassword(input.password);
      const id = randomUUID();
      const at = now().toISOString();
      try {
        await change(async (trx) => {
          const roles = await Promise.all(roleNames.map(async (n) => (await store.roleByName(n, trx)) ?? null));
          const missing = roleNames.filter((_, i) => !roles[i]);
          if (missing.length) throw ValidationFailed(missing.map((n) => ({ field: 'body.roles', message: `unknown role '${n.slice(0, 64)}'` })));
          await store.insertUser(trx, { id, workspace_id: 'default', email, password_hash: passwordHash, disabled: 0, created_at: at, updated_at: at });
          await store.setUserRoles(trx, id, roles.map((r) => r!.id));
          await audit.append(trx, auditContext(a), { action: 'user.create', target: `user:${email}`, outcome: 'allowed', details: { roles: roleNames } });
        });
      } catch (e) {
        if (database.isUniqueViolation(e)) throw new AppError('user_exists', `A user with email '${email}' already exists.`);
        throw e;
      }
      return { id };
    },

    async updateUser(a: Actor, id: string, input: { disabled?: boolean; password?: string }) {
      await manage(a, 'user.update', `user:${id}`);
      const passwordHash = input.password ? await hashPassword(input.password) : undefined;
      await change(async (trx) => {
        const user = await store.userById(id, trx);
        if (!user) throw UserNotFound(id);
        const at = now().toISOString();
        await keepingAnAdmin(trx, async () => {
          if (input.disabled !== undefined) await store.setUserDisabled(trx, id, input.disabled, at);
          if (passwordHash) await store.setPassword(trx, id, passwordHash, at);
          // A disabled user or a new password ends every open session at once.
          if (input.disabled || passwordHash) await store.deleteSessionsOf(trx, id);
        });
        await audit.append(trx, auditContext(a), { action: 'user.update', target: `user:${user.email}`, outcome: 'allowed', details: { disabled: input.disabled, password_changed: !!passwordHash } });
      });
      return userView(id);
    },

    async deleteUser(a: Actor, id: string) {
      await manage(a, 'user.delete', `user:${id}`);
      await change(async (trx) => {
        const user = await store.userById(id, trx);
        if (!user) throw UserNotFound(id);
        await keepingAnAdmin(trx, () => store.deleteUser(trx, id));
        await audit.append(trx, auditContext(a), { action: 'user.delete', target: `user:${user.email}`, outcome: 'allowed' });
      });
    },

    /** Replaces a user's roles; takes effect on their next request. */
    async setUserRoles(a: Actor, id: string, roleNames: string[]) {
      await manage(a, 'user.roles', `user:${id}`);
      await change(async (trx) => {
        const user = await store.userById(id, trx);
        if (!user) throw UserNotFound(id);
        const roles = await Promise.all(roleNames.map((n) => store.roleByName(n, trx)));
        const missing = roleNames.filter((_, i) => !roles[i]);
        if (missing.length) throw ValidationFailed(missing.map((n) => ({ field: 'params.roles', message: `unknown role '${n.slice(0, 64)}'` })));
        await keepingAnAdmin(trx, () => store.setUserRoles(trx, id, [...new Set(roles.map((r) => r!.id))]));
        await audit.append(trx, auditContext(a), { action: 'user.roles', target: `user:${user.email}`, outcome: 'allowed', details: { roles: roleNames } });
      });
      return { id, roles: [...new Set(roleNames)].sort() };
    },

  };
}

export type RolesService = ReturnType<typeof createRolesService>;
