import type { Database, Tx } from '../store/db.js';
import { bump } from '../store/generations.js';
import type { ApiKeysTable, RolesTable, SessionsTable, UsersTable } from '../store/schema.js';

export function createAccessStore(database: Database) {
  const { db } = database;
  /** Moves the access generation forward in the same transaction as the change it announces. */
  const changing = async <T>(trx: Tx, write: Promise<T>): Promise<T> => {
    const r = await write;
    await bump(trx, 'access_generation');
    return r;
  };
  return {

    countUsers: async (trx: Tx = db): Promise<number> => Number((await trx.selectFrom('users').select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
    insertUser: (trx: Tx, row: UsersTable) => trx.insertInto('users').values(row).execute(),
    userByEmail: (email: string) => db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst(),
    userById: (id: string, trx: Tx = db) => trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),
    listUsers: () => db.selectFrom('users').selectAll().orderBy('email').execute(),
    setUserDisabled: (trx: Tx, id: string, disabled: boolean, at: string) =>
      changing(trx, trx.updateTable('users').set({ disabled: disabled ? 1 : 0, updated_at: at }).where('id', '=', id).execute()),
    setPassword: (trx: Tx, id: string, passwordHash: string, at: string) =>
      changing(trx, trx.updateTable('users').set({ password_hash: passwordHash, updated_at: at }).where('id', '=', id).execute()),
    deleteUser: (trx: Tx, id: string) => changing(trx, trx.deleteFrom('users').where('id', '=', id).execute()),

    /** Role names and permission ids of a user, in one query. */
    async grants(userId: string, trx: Tx = db): Promise<{ roles: string[]; permissions: string[] }> {
      const rows = await trx
        .selectFrom('user_roles as ur')
        .innerJoin('roles as r', 'r.id', 'ur.role_id')
        .leftJoin('role_permissions as rp', 'rp.role_id', 'r.id')
        .select(['r.name as role', 'rp.permission as permission'])
        .where('ur.user_id', '=', userId)
        .execute();
      return {
        roles: [...new Set(rows.map((r) => r.role))].sort(),
        permissions: [...new Set(rows.map((r) => r.permission).filter((p): p is string => !!p))].sort(),
      };
    },
    listRoles: (trx: Tx = db) => trx.selectFrom('roles').selectAll().orderBy('builtin', 'desc').orderBy('name').execute(),
    allRolePermissions: (trx: Tx = db) => trx.selectFrom('role_permissions').selectAll().execute(),
    roleById: (id: string, trx: Tx = db) => trx.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst(),
    roleByName: (name: string, trx: Tx = db) => trx.selectFrom('roles').selectAll().where('name', '=', name).executeTakeFirst(),
    rolePermissions: async (roleId: string, trx: Tx = db) =>
      (await trx.selectFrom('role_permissions').select('permission').where('role_id', '=', roleId).orderBy('permission').execute()).map((r) => r.permission),
    insertRole: (trx: Tx, row: RolesTable) => trx.insertInto('roles').values(row).execute(),
    updateRole: (trx: Tx, id: string, set: Partial<Pick<RolesTable, 'name' | 'description' | 'updated_at'>>) =>
      changing(trx, trx.updateTable('roles').set(set).where('id', '=', id).execute()),
    deleteRole: (trx: Tx, id: string) => changing(trx, trx.deleteFrom('roles').where('id', '=', id).execute()),
    async setRolePermissions(trx: Tx, roleId: string, permissions: string[]) {
      await bump(trx, 'access_generation');
      await trx.deleteFrom('role_permissions').where('role_id', '=', roleId).execute();
      if (permissions.length) await trx.insertInto('role_permissions').values(permissions.map((permission) => ({ role_id: roleId, permission }))).execute();
    },
    addRolePermission: (trx: Tx, roleId: string, permission: string) =>
      changing(trx, trx.insertInto('role_permissions').values({ role_id: roleId, permission }).onConflict((oc) => oc.doNothing()).execute()),
    async setUserRoles(trx: Tx, userId: string, roleIds: string[]) {
      await bump(trx, 'access_generation');
      await trx.deleteFrom('user_roles').where('user_id', '=', userId).execute();
      if (roleIds.length) await trx.insertInto('user_roles').values(roleIds.map((role_id) => ({ user_id: userId, role_id }))).execute();
    },
    userRoleNames: async (trx: Tx = db) =>
      trx.selectFrom('user_roles as ur').innerJoin('roles as r', 'r.id', 'ur.role_id').select(['ur.user_id', 'r.name']).execute(),
    /** Users holding the admin role and not disabled: guards against locking everyone out. */
    activeAdminIds: async (trx: Tx) =>
      (await trx.selectFrom('user_roles as ur').innerJoin('roles as r', 'r.id', 'ur.role_id').innerJoin('users as u', 'u.id', 'ur.user_id')
        .select('u.id').where('r.name', '=', 'admin').where('r.builtin', '=', 1).where('u.disabled', '=', 0).execute()).map((r) => r.id),

    insertKey: (trx: Tx, row: ApiKeysTable) => trx.insertInto('api_keys').values(row).execute(),
    keyById: (id: string) => db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst(),
    keysOf: (userId: string) => db.selectFrom('api_keys').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').execute(),
    revokeKey: (trx: Tx, id: string, at: string) => changing(trx, trx.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute()),
    touchKey: (id: string, at: string) => db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute(),

    insertSession: (trx: Tx, row: SessionsTable) => trx.insertInto('sessions').values(row).execute(),
    sessionById: (id: Buffer) => db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst(),
    touchSession: (id: Buffer, at: string) => db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).execute(),
    deleteSession: (id: Buffer) => database.tx((trx) => changing(trx, trx.deleteFrom('sessions').where('id', '=', id).execute())),
    deleteSessionsOf: (trx: Tx, userId: string) => changing(trx, trx.deleteFrom('sessions').where('user_id', '=', userId).execute()),
    deleteExpiredSessions: (now: string) => db.deleteFrom('sessions').where('expires_at', '<', now).execute(),
  };
}

export type AccessStore = ReturnType<typeof createAccessStore>;
