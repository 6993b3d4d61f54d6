// Sign-in, the caller's own account and keys, and the administration of users, roles and permissions.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, errors, Ok, requestInfo } from '../http.js';
import {
  ApiKey, ApiKeyCreate, ApiKeyCreated, CurrentUser, KeyIdParams, LoginAnswer, LoginBody, Permission, Role, RoleCreate,
  RoleParams, RolePermissionParams, RoleUpdate, User, UserCreate, UserParams, UserRolesParams, UserUpdate,
} from './access.schemas.js';
import { SESSION_COOKIE } from './auth.hook.js';
import type { IdentityService } from './identity.service.js';
import type { RolesService } from './roles.service.js';

export function accessRoutes(deps: { identity: IdentityService; roles: RolesService; secureCookies: boolean }) {
  const { identity, roles } = deps;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    const auth = ['auth'];
    const me = ['current user'];
    const admin = ['users and roles'];

    app.post('/auth/login', {
      config: { public: true },
      schema: { tags: auth, summary: 'Sign in with email and password; sets the session cookie', body: LoginBody, response: { 200: LoginAnswer, ...errors(429) } },
    }, async (req, reply) => {
      const s = await identity.login(req.body.email, req.body.password, requestInfo(req));
      reply.setCookie(SESSION_COOKIE, s.token, {
        httpOnly: true, sameSite: 'strict', secure: deps.secureCookies || req.protocol === 'https', path: '/', expires: s.expires,
      });
      return { user: identity.describe(s.actor), csrf_token: s.csrf_token, expires_at: s.expires.toISOString() };
    });

    app.post('/auth/logout', {
      schema: { tags: auth, summary: 'Sign out (ends the session)', response: { 200: Ok, ...errors() } },
    }, async (req, reply) => {
      const token = req.cookies[SESSION_COOKIE];
      if (token) await identity.logout(token, actorOf(req));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true as const };
    });

    app.get('/users/current', { schema: { tags: me, summary: 'The caller, with roles and permissions', response: { 200: CurrentUser, ...errors() } } },
      async (req) => identity.describe(actorOf(req)));
    app.get('/users/current/permissions', { schema: { tags: me, summary: "The caller's permission ids", response: { 200: z.array(z.string()), ...errors() } } },
      async (req) => [...actorOf(req).permissions].sort());
    app.get('/users/current/roles', { schema: { tags: me, summary: "The caller's role names", response: { 200: z.array(z.string()), ...errors() } } },
      async (req) => actorOf(req).roles);

    app.post('/users/current/api-keys', {
      schema: { tags: me, summary: 'Create an API key (the key is shown this once)', body: ApiKeyCreate, response: { 201: ApiKeyCreated, ...errors(403) } },
    }, async (req, reply) => reply.code(201).send(await identity.createApiKey(actorOf(req), req.body)));
    app.get('/users/current/api-keys', { schema: { tags: me, summary: "The caller's API keys (never the key itself)", response: { 200: z.array(ApiKey), ...errors() } } },
      async (req) => identity.listApiKeys(actorOf(req)));
    app.delete('/users/current/api-keys/:id', {
      schema: { tags: me, summary: 'Revoke an API key; it stops working at once', params: KeyIdParams, response: { 200: Ok, ...errors(404) } },
    }, async (req) => {
      await identity.revokeApiKey(actorOf(req), req.params.id);
      return { ok: true as const };
    });

    app.get('/permissions', { schema: { tags: admin, summary: 'The permission catalogue', response: { 200: z.array(Permission), ...errors(403) } } },
      async (req) => {
        await roles.listRoles(actorOf(req));
        return roles.permissions();
      });
    app.get('/roles', { schema: { tags: admin, summary: 'Roles with their permissions', response: { 200: z.array(Role), ...errors(403) } } },
      async (req) => roles.listRoles(actorOf(req)));
    app.post('/roles', { schema: { tags: admin, summary: 'Create a custom role', body: RoleCreate, response: { 201: z.object({ id: z.string() }), ...errors(403, 409) } } },
      async (req, reply) => reply.code(201).send(await roles.createRole(actorOf(req), req.body)));
    app.get('/roles/:id', { schema: { tags: admin, summary: 'A role (by id or name)', params: RoleParams, response: { 200: Role, ...errors(403, 404) } } },
      async (req) => roles.getRole(actorOf(req), req.params.id));
    app.put('/roles/:id', { schema: { tags: admin, summary: 'Change a custom role', params: RoleParams, body: RoleUpdate, response: { 200: Role, ...errors(403, 404, 409) } } },
      async (req) => roles.updateRole(actorOf(req), req.params.id, req.body));
    app.delete('/roles/:id', { schema: { tags: admin, summary: 'Delete a custom role', params: RoleParams, response: { 200: Ok, ...errors(403, 404, 409) } } },
      async (req) => {
        await roles.deleteRole(actorOf(req), req.params.id);
        return { ok: true as const };
      });
    app.put('/roles/:id/permissions/:permission', {
      schema: { tags: admin, summary: 'Grant a permission to a custom role', params: RolePermissionParams, response: { 200: Role, ...errors(403, 404, 409) } },
    }, async (req) => roles.grantPermission(actorOf(req), req.params.id, req.params.permission));
    app.delete('/roles/:id/permissions/:permission', {
      schema: { tags: admin, summary: 'Take a permission from a custom role', params: RolePermissionParams, response: { 200: Role, ...errors(403, 404, 409) } },
    }, async (req) => roles.revokePermission(actorOf(req), req.params.id, req.params.permission));

    app.get('/users', { schema: { tags: admin, summary: 'Users with their roles', response: { 200: z.array(User), ...errors(403) } } },
      async (req) => roles.listUsers(actorOf(req)));
    app.post('/users', { schema: { tags: admin, summary: 'Create a user', body: UserCreate, response: { 201: z.object({ id: z.string() }), ...errors(403, 409) } } },
      async (req, reply) => reply.code(201).send(await roles.createUser(actorOf(req), req.body)));
    app.patch('/users/:id', { schema: { tags: admin, summary: 'Disable, enable or set the password of a user', params: UserParams, body: UserUpdate, response: { 200: User, ...errors(403, 404, 409) } } },
      async (req) => roles.updateUser(actorOf(req), req.params.id, req.body));
    app.delete('/users/:id', { schema: { tags: admin, summary: 'Delete a user', params: UserParams, response: { 200: Ok, ...errors(403, 404, 409) } } },
      async (req) => {
        await roles.deleteUser(actorOf(req), req.params.id);
        return { ok: true as const };
      });
    app.put('/users/:id/roles/:roles', {
      schema: { tags: admin, summary: "Replace a user's roles (comma-separated names)", params: UserRolesParams, response: { 200: z.object({ id: z.string(), roles: z.array(z.string()) }), ...errors(403, 404, 409) } },
    }, async (req) => {
      const names = req.params.roles.split(',').map((s) => s.trim()).filter(Boolean);
      return roles.setUserRoles(actorOf(req), req.params.id, names);
    });
  };
}
