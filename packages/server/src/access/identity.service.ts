// Who is calling: first-start bootstrap, sign-in to sessions, API keys, and resolving a request's Actor.
import { randomBytes, randomUUID } from 'node:crypto';
import type { AuditService } from '../audit/audit.service.js';
import { AppError } from '../errors.js';
import type { Database } from '../store/db.js';
import { createGenerations } from '../store/generations.js';
import { actorForRequest, anonymousContext, auditContext, type Actor, type RequestInfo } from './actor.js';
import { createAccessStore } from './access.store.js';
import { dummyHash, hashPassword, verifyPassword } from './passwords.js';
import { ACCESS_LOCK, ADMIN_ROLE, BUILTIN_ROLES, isPermission } from './permissions.js';
import { FailureLimiter } from './rate-limit.js';
import { newApiKey, newToken, operatorApiKey, parseApiKey, sameHash, sha256 } from './tokens.js';

export interface IdentityOptions {
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  now?: () => Date;
}

const TOUCH_EVERY_MS = 60_000;

export function createIdentityService(deps: { database: Database; audit: AuditService; options: IdentityOptions }) {
  const { database, audit, options } = deps;
  const store = createAccessStore(database);
  const generations = createGenerations(database);
  const now = options.now ?? (() => new Date());
  const perAccount = new FailureLimiter(5, 15 * 60_000);
  const perAddress = new FailureLimiter(30, 15 * 60_000);

  /**
   * Who a credential belongs to, remembered per credential (keyed by its hash, so only the same
   * secret finds the entry) and trusted only while the access generation is unchanged: any change
   * to users, roles, grants, keys or sessions on any server moves it, so the next request reloads.
   */
  interface Remembered {
    actor: Omit<Actor, 'request'>;
    generation: number;
    expiresAt: string | null;
    touchedAt: number;
    csrf?: string;
  }
  const credentials = new Map<string, Remembered>();
  const remember = (k: string, c: Remembered) => {
    if (credentials.size >= 10_000) credentials.delete(credentials.keys().next().value!);
    credentials.set(k, c);
  };

  async function actorFor(userId: string, via: Actor['via'], keyId?: string): Promise<Omit<Actor, 'request'> | undefined> {
    const user = await store.userById(userId);
    if (!user || user.disabled) return undefined;
    const g = await store.grants(userId);
    return {
      userId,
      email: user.email,
      roles: g.roles,
      permissions: new Set(g.permissions.filter(isPermission)),
      isAdmin: g.roles.includes(ADMIN_ROLE),
      via,
      keyId,
    };
  }

  return {
    store,

    /**
     * Idempotent: syncs the built-in roles; on an empty database creates the first administrator.
     * Under one lock, so that replicas starting together on an empty database create them once.
     */
    async bootstrap(cfg: { adminEmail: string; adminPassword?: string; adminApiKey?: string }) {
      const at = now().toISOString();
      const password = cfg.adminPassword ?? randomBytes(18).toString('base64url');
      // Hashed before the lock is taken (argon2 is slow), and only when no user exists yet.
      const passwordHash = (await store.countUsers()) === 0 ? await hashPassword(password) : undefined;
      const created = await database.tx(async (trx) => {
        await database.lock(trx, ACCESS_LOCK);
        for (const r of BUILTIN_ROLES) {
          let role = await store.roleByName(r.name, trx);
          if (!role) {
            role = { id: randomUUID(), workspace_id: 'default', name: r.name, description: r.description, builtin: 1, created_at: at, updated_at: at };
            await store.insertRole(trx, role);
          }
          await store.setRolePermissions(trx, role.id, r.permissions);
        }
        if (!passwordHash || (await store.countUsers(trx)) > 0) return false;
        const userId = randomUUID();
        await store.insertUser(trx, { id: userId, workspace_id: 'default', email: cfg.adminEmail, password_hash: passwordHash, disabled: 0, created_at: at, updated_at: at });
        const admin = (await store.roleByName(ADMIN_ROLE, trx))!;
        await store.setUserRoles(trx, userId, [admin.id]);
        if (cfg.adminApiKey) {
          const k = operatorApiKey(cfg.adminApiKey);
          await store.insertKey(trx, { id: k.id, user_id: userId, name: 'SECRET_MANAGER_ADMIN_API_KEY', secret_hash: k.hash, created_at: at, expires_at: null, last_used_at: null, revoked_at: null });
        }
        await audit.append(trx, { actor: 'system:bootstrap', via: 'system', ip: 'local', userAgent: 'coffer', requestId: 'bootstrap' }, {
          action: 'user.create', target: `user:${cfg.adminEmail}`, outcome: 'allowed', details: { roles: [ADMIN_ROLE], first_admin: true },
        });
        return true;
      });
      if (!created) return { created: false as const };
      return { created: true as const, email: cfg.adminEmail, generatedPassword: cfg.adminPassword ? undefined : password };
    },

    async login(email: string, password: string, request: RequestInfo) {
      const addr = `ip:${request.ip}`;
      const acct = `email:${email.toLowerCase()}`;
      const wait = Math.max(perAccount.retryAfter(acct), perAddress.retryAfter(addr));
      const ctx = { ...anonymousContext(request), actor: email.toLowerCase().slice(0, 254) };
      if (wait > 0) {
        await audit.record(ctx, { action: 'auth.login', target: `user:${email.toLowerCase()}`, outcome: 'denied', details: { reason: 'rate_limited' } });
        throw new AppError('rate_limited', `Too many failed sign-in attempts; try again in ${wait} seconds.`, { retry_after: wait }, { 'retry-after': String(wait) });
      }
      const user = await store.userByEmail(email.toLowerCase());
      const ok = user ? await verifyPassword(user.password_hash, password) : (await verifyPassword(await dummyHash(), password), false);
      if (!user || !ok || user.disabled) {
        perAccount.fail(acct);
        perAddress.fail(addr);
        await audit.record(ctx, { action: 'auth.login', target: `user:${email.toLowerCase()}`, outcome: 'denied', details: { reason: 'invalid_credentials' } });
        // One answer for unknown email, wrong password and disabled account: no account enumeration.
        throw new AppError('invalid_credentials', 'The email or password is wrong.');
      }
      perAccount.reset(acct);
      const token = newToken();
      const csrf = newToken();
      const t = now();
      const expires = new Date(t.getTime() + options.sessionAbsoluteHours * 3600_000);
      await database.tx(async (trx) => {
        await store.insertSession(trx, { id: sha256(token), user_id: user.id, csrf_token: csrf, created_at: t.toISOString(), last_seen_at: t.toISOString(), expires_at: expires.toISOString() });
        await audit.append(trx, { ...ctx, actor: user.email, via: 'password' }, { action: 'auth.login', target: `user:${user.email}`, outcome: 'allowed' });
      });
      const actor = { ...(await actorFor(user.id, 'session'))!, request };
      return { token, csrf_token: csrf, expires, actor };
    },

    async logout(token: string, actor: Actor): Promise<void> {
      await store.deleteSession(sha256(token));
      await audit.record(auditContext(actor), { action: 'auth.logout', target: `user:${actor.email}`, outcome: 'allowed' });
    },

    /** Resolves an API key; undefined when unknown, revoked, expired or its user is disabled. */
    async fromApiKey(key: string, request: RequestInfo): Promise<Actor | undefined> {
      const seen = await generations.read();
      const generation = seen.access;
      const cacheKey = `k:${sha256(key).toString('base64')}`;
      let c = credentials.get(cacheKey);
      if (!c || c.generation !== generation) {
        credentials.delete(cacheKey);
        const parsed = parseApiKey(key);
        const { id, hash } = parsed ? { id: parsed.id, hash: sha256(parsed.secret) } : operatorApiKey(key);
        const row = await store.keyById(id);
        if (!row || !sameHash(row.secret_hash, hash) || row.revoked_at) return undefined;
        const actor = await actorFor(row.user_id, 'api_key', id);
        if (!actor) return undefined;
        c = { actor, generation, expiresAt: row.expires_at, touchedAt: row.last_used_at ? Date.parse(row.last_used_at) : 0 };
        remember(cacheKey, c);
      }
      const t = now();
      if (c.expiresAt && c.expiresAt <= t.toISOString()) return undefined;
      if (t.getTime() - c.touchedAt > TOUCH_EVERY_MS) {
        c.touchedAt = t.getTime();
        void store.touchKey(c.actor.keyId!, t.toISOString()).catch(() => undefined);
      }
      return actorForRequest(c.actor, request, seen);
    },

    /** Resolves a session cookie, enforcing idle and absolute expiry. */
    async fromSession(token: string, request: RequestInfo): Promise<{ actor: Actor; csrf: string } | undefined> {
      const seen = await generations.read();
      const generation = seen.access;
      const id = sha256(token);
      const cacheKey = `s:${id.toString('base64')}`;
      let c = credentials.get(cacheKey);
      if (!c || c.generation !== generation) {
        credentials.delete(cacheKey);
        const s = await store.sessionById(id);
        if (!s) return undefined;
        const actor = await actorFor(s.user_id, 'session');
        if (!actor) return undefined;
        c = { actor, generation, expiresAt: s.expires_at, touchedAt: Date.parse(s.last_seen_at), csrf: s.csrf_token };
        remember(cacheKey, c);
      }
      const t = now();
      if (c.expiresAt! <= t.toISOString() || c.touchedAt + options.sessionIdleMinutes * 60_000 <= t.getTime()) {
        await store.deleteSession(id);
        return undefined;
      }
      if (t.getTime() - c.touchedAt > TOUCH_EVERY_MS) {
        c.touchedAt = t.getTime();
        await store.touchSession(id, t.toISOString());
      }
      return { actor: actorForRequest(c.actor, request, seen), csrf: c.csrf! };
    },

    async createApiKey(actor: Actor, input: { name: string; expires_at?: string }) {
      if (input.expires_at && Date.parse(input.expires_at) <= now().getTime()) {
        throw new AppError('validation_error', 'expires_at: must be in the future', { fields: [{ field: 'body.expires_at', message: 'must be in the future' }] });
      }
      const k = newApiKey();
      await database.tx(async (trx) => {
        await store.insertKey(trx, { id: k.id, user_id: actor.userId, name: input.name, secret_hash: k.hash, created_at: now().toISOString(), expires_at: input.expires_at ? new Date(input.expires_at).toISOString() : null, last_used_at: null, revoked_at: null });
        await audit.append(trx, auditContext(actor), { action: 'api_key.create', target: `api_key:${k.id}`, outcome: 'allowed', details: { name: input.name } });
      });
      return { id: k.id, key: k.key, prefix: k.prefix };
    },

    async listApiKeys(actor: Actor) {
      return (await store.keysOf(actor.userId)).map((k) => ({
        id: k.id, name: k.name, prefix: `coffer_${k.id}`, created_at: k.created_at, expires_at: k.expires_at, last_used_at: k.last_used_at, revoked_at: k.revoked_at,
      }));
    },

    async revokeApiKey(actor: Actor, id: string): Promise<void> {
      const row = await store.keyById(id);
      if (!row || row.user_id !== actor.userId) throw new AppError('api_key_not_found', `API key '${id}' was not found.`);
      await database.tx(async (trx) => {
        await store.revokeKey(trx, id, now().toISOString());
        await audit.append(trx, auditContext(actor), { action: 'api_key.revoke', target: `api_key:${id}`, outcome: 'allowed' });
      });
    },

    async recordDenied(actor: Actor, target: string, reason: string): Promise<void> {
      await audit.record(auditContext(actor), { action: 'auth.request', target, outcome: 'denied', details: { reason } });
    },

    /** The caller as the API shows it. */
    describe: (a: Actor) => ({ id: a.userId, email: a.email, roles: a.roles, permissions: [...a.permissions].sort(), is_admin: a.isAdmin, via: a.keyId ? 'api_key' : a.via }),

    async recordUnauthenticated(request: RequestInfo, target: string, reason: string): Promise<void> {
      await audit.record(anonymousContext(request), { action: 'auth.request', target, outcome: 'denied', details: { reason } });
    },

  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
