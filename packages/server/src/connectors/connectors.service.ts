// Connectors: named uses of a secret on one target (a bucket and prefix, a library, a space).
// A holder of connectors/use can check a connector and read what it opens without ever seeing the
// secret: the value is decrypted here, handed to the vendor's SDK, and never leaves the server.
// Every use is audited, refusals and provider failures included.
import { randomBytes } from 'node:crypto';
import type { Actor } from '../access/actor.js';
import { auditContext } from '../access/actor.js';
import type { Guard } from '../access/guard.js';
import type { AuditService, Outcome } from '../audit/audit.service.js';
import { AppError, ValidationFailed } from '../errors.js';
import type { SecretsService } from '../secrets/secrets.service.js';
import type { Database } from '../store/db.js';
import { createConnectorsStore, type ConnectorRow } from './connectors.store.js';
import { PROVIDERS } from './providers/index.js';
import { ObjectMissing, ProviderFailure, type FailureReason, type ObjectBody, type ObjectPage, type Provider, type Value } from './providers/types.js';
import { cleanTarget, relativePath, validateTarget } from './targets.js';

export interface ConnectorsOptions {
  /** Per vendor call. */
  timeoutMs?: number;
  now?: () => Date;
}

export interface CreateConnectorInput {
  id?: string;
  name: string;
  type: string;
  secret_id: string;
  target: Record<string, unknown>;
}

export interface PatchConnectorInput {
  name?: string;
  secret_id?: string;
  target?: Record<string, unknown>;
}

export type CheckOutcome = {
  ok: boolean;
  reason: FailureReason | 'ok' | 'secret_missing';
  message: string;
  provider_code: string | null;
  secret_id: string;
  secret_version: number | null;
  checked_at: string;
  duration_ms: number;
};

const view = (r: ConnectorRow) => ({
  id: r.id, name: r.name, type: r.type, secret_id: r.secret_id, target: JSON.parse(r.target) as Record<string, string>,
  created_at: r.created_at, created_by: r.created_by, updated_at: r.updated_at,
});

export type ConnectorView = ReturnType<typeof view>;

const ConnectorNotFound = (id: string) => new AppError('connector_not_found', `Connector '${id}' was not found.`);
const encodeCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url');

export function createConnectorsService(deps: { database: Database; audit: AuditService; guard: Guard; secrets: SecretsService; options?: ConnectorsOptions; workspace?: string }) {
  const { database, audit, guard, secrets } = deps;
  const store = createConnectorsStore(database, deps.workspace);
  const timeoutMs = deps.options?.timeoutMs ?? 10_000;
  const now = deps.options?.now ?? (() => new Date());
  const target = (id: string) => `connector:${id}`;

  async function row(id: string): Promise<ConnectorRow> {
    const r = await store.get(id);
    if (!r) throw ConnectorNotFound(id);
    return r;
  }

  /**
   * Binding a secret needs secrets/read and sight of it (its scope), so connectors/manage alone
   * cannot put someone else's USER_SECRET to use. Checks the type and the target against it.
   */
  async function bindable(a: Actor, type: string, secretId: string, t: Record<string, unknown>): Promise<Record<string, string>> {
    const meta = await secrets.get(a, secretId);
    const problems = validateTarget(type, t);
    if (meta.secret_type !== type) problems.unshift({ field: 'body.type', message: `must match the type of secret '${secretId}' (${meta.secret_type})` });
    if (type === 'confluence' && !meta.fields.includes('base_url') && !t.base_url) problems.push({ field: 'body.target.base_url', message: "is required: the secret has no base_url" });
    if (problems.length) throw ValidationFailed(problems);
    return cleanTarget(t);
  }

  /** The decrypted value and the provider for a connector's type; the value stays in this process. */
  async function credential(type: string, secretId: string): Promise<{ provider: Provider; value: Value; version: number } | undefined> {
    const s = await secrets.valueForUse(secretId);
    const provider = PROVIDERS[type];
    if (!s || !provider || s.type !== type) return undefined;
    return { provider, value: s.value, version: s.version };
  }

  /** Unknown errors become a bare provider_error: their messages may quote the input (JSON.parse does). */
  const asFailure = (e: unknown) => (e instanceof ProviderFailure ? e : new ProviderFailure('provider_error', 'The provider call failed unexpectedly.', (e as Error)?.name));

  async function runCheck(a: Actor, action: string, auditTarget: string, type: string, secretId: string, t: Record<string, string> | undefined, extra: Record<string, unknown>): Promise<CheckOutcome> {
    const started = now();
    const c = await credential(type, secretId);
    let result: Pick<CheckOutcome, 'ok' | 'reason' | 'message' | 'provider_code'>;
    if (!c) {
      result = { ok: false, reason: 'secret_missing', message: `Secret '${secretId}' is in the trash or was purged.`, provider_code: null };
    } else {
      try {
        result = { ok: true, reason: 'ok', message: await c.provider.check(c.value, t, { timeoutMs }), provider_code: null };
      } catch (e) {
        const f = asFailure(e);
        result = { ok: false, reason: f.reason, message: f.message, provider_code: f.providerCode ?? null };
      }
    }
    const out: CheckOutcome = { ...result, secret_id: secretId, secret_version: c?.version ?? null, checked_at: started.toISOString(), duration_ms: Math.max(0, Date.now() - started.getTime()) };
    await audit.record(auditContext(a), { action, target: auditTarget, outcome: 'allowed', details: { ...extra, secret_id: secretId, secret_version: out.secret_version, ok: out.ok, reason: out.reason, provider_code: out.provider_code } });
    return out;
  }

  /** Runs one use of a connector; the audit entry is written before anything reaches the caller. */
  async function use<T>(a: Actor, id: string, action: string, details: Record<string, unknown>, fn: (r: ConnectorRow, c: { provider: Provider; value: Value }) => Promise<T>, summary: (x: T) => Record<string, unknown>): Promise<T> {
    secrets.ensureEnabled();
    await guard.need(a, 'connectors/use', action, target(id));
    const r = await row(id);
    const record = (outcome: Outcome, more: Record<string, unknown>) =>
      audit.record(auditContext(a), { action, target: target(id), outcome, details: { ...details, secret_id: r.secret_id, ...more } });
    const c = await credential(r.type, r.secret_id);
    if (!c) {
      await record('failed', { reason: 'secret_missing' });
      throw new AppError('connector_secret_missing', `Connector '${id}' cannot be used: its secret '${r.secret_id}' is in the trash or was purged.`, { secret_id: r.secret_id });
    }
    let x: T;
    try {
      x = await fn(r, c);
    } catch (e) {
      if (e instanceof ObjectMissing) {
        await record('failed', { reason: 'object_not_found' });
        throw new AppError('object_not_found', e.message, { key: e.key });
      }
      const f = asFailure(e);
      await record('failed', { reason: f.reason, provider_code: f.providerCode ?? null });
      throw new AppError('connector_failed', `Connector '${id}': ${f.message}`, { reason: f.reason, provider_code: f.providerCode ?? null });
    }
    try {
      await record('allowed', summary(x));
    } catch (e) {
      // Fail closed: an unrecorded use reveals nothing.
      (x as Partial<ObjectBody>).body?.destroy();
      throw e;
    }
    return x;
  }

  return {
    async list(a: Actor, q: { type?: string; secret_id?: string; limit: number; cursor?: string }) {
      secrets.ensureEnabled();
      await guard.need(a, 'connectors/use', 'connector.list', 'connectors');
      const afterId = q.cursor !== undefined ? Buffer.from(q.cursor, 'base64url').toString('utf8') : undefined;
      const rows = await store.list({ type: q.type, secretId: q.secret_id, afterId, limit: q.limit + 1 });
      const page = rows.slice(0, q.limit);
      return { items: page.map(view), next_cursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!.id) : null };
    },

    async get(a: Actor, id: string): Promise<ConnectorView> {
      secrets.ensureEnabled();
      await guard.need(a, 'connectors/use', 'connector.read', target(id));
      return view(await row(id));
    },

    async create(a: Actor, input: CreateConnectorInput): Promise<ConnectorView> {
      secrets.ensureEnabled();
      const id = input.id ?? `c-${randomBytes(6).toString('hex')}`;
      await guard.need(a, 'connectors/manage', 'connector.create', target(id));
      const t = await bindable(a, input.type, input.secret_id, input.target);
      const at = now().toISOString();
      const r: ConnectorRow = { workspace_id: 'default', id, name: input.name, type: input.type, secret_id: input.secret_id, target: JSON.stringify(t), created_at: at, created_by: a.email, updated_at: at };
      try {
        await database.tx(async (trx) => {
          await store.insert(trx, r);
          await audit.append(trx, auditContext(a), { action: 'connector.create', target: target(id), outcome: 'allowed', details: { type: r.type, secret_id: r.secret_id, target: t } });
        });
      } catch (e) {
        if (database.isUniqueViolation(e)) throw new AppError('connector_exists', `A connector with id '${id}' already exists.`);
        throw e;
      }
      return view(r);
    },

    async update(a: Actor, id: string, input: PatchConnectorInput): Promise<ConnectorView> {
      secrets.ensureEnabled();
      await guard.need(a, 'connectors/manage', 'connector.update', target(id));
      if (input.name === undefined && input.secret_id === undefined && input.target === undefined) throw ValidationFailed([{ field: 'body', message: 'change at least one of name, secret_id, target' }]);
      const r = await row(id);
      const secretId = input.secret_id ?? r.secret_id;
      // Re-pointing a connector redirects what its users can read: the editor must see its secret.
      const t = await bindable(a, r.type, secretId, input.target ?? JSON.parse(r.target));
      const set = { ...(input.name !== undefined ? { name: input.name } : {}), secret_id: secretId, target: JSON.stringify(t), updated_at: now().toISOString() };
      await database.tx(async (trx) => {
        await store.update(trx, id, set);
        await audit.append(trx, auditContext(a), { action: 'connector.update', target: target(id), outcome: 'allowed', details: { secret_id: secretId, target: t, name_changed: input.name !== undefined } });
      });
      return view({ ...r, ...set });
    },

    async remove(a: Actor, id: string): Promise<void> {
      secrets.ensureEnabled();
      await guard.need(a, 'connectors/manage', 'connector.delete', target(id));
      await database.tx(async (trx) => {
        if (!(await store.remove(trx, id))) throw ConnectorNotFound(id);
        await audit.append(trx, auditContext(a), { action: 'connector.delete', target: target(id), outcome: 'allowed' });
      });
    },

    async check(a: Actor, id: string): Promise<CheckOutcome> {
      secrets.ensureEnabled();
      await guard.need(a, 'connectors/use', 'connector.check', target(id));
      const r = await row(id);
      return runCheck(a, 'connector.check', target(id), r.type, r.secret_id, JSON.parse(r.target), {});
    },

    /** Checks a secret's credential, optionally against a target; needs sight of the secret. */
    async checkSecret(a: Actor, secretId: string, t?: Record<string, unknown>): Promise<CheckOutcome> {
      secrets.ensureEnabled();
      await guard.need(a, 'secrets/read', 'secret.check', `secret:${secretId}`);
      const meta = await secrets.get(a, secretId);
      if (!PROVIDERS[meta.secret_type]) {
        throw ValidationFailed([{ field: 'secret_type', message: `a ${meta.secret_type} secret cannot be checked: Coffer does not know what it opens` }]);
      }
      let clean: Record<string, string> | undefined;
      if (t) {
        const problems = validateTarget(meta.secret_type, t, 'body.target', true);
        if (problems.length) throw ValidationFailed(problems);
        clean = cleanTarget(t);
      }
      return runCheck(a, 'secret.check', `secret:${secretId}`, meta.secret_type, secretId, clean, clean ? { target: clean } : {});
    },

    async listObjects(a: Actor, id: string, q: { prefix: string; limit: number; cursor?: string }): Promise<ObjectPage> {
      const bad = q.prefix ? relativePath(q.prefix) : undefined;
      if (bad) throw ValidationFailed([{ field: 'query.prefix', message: bad }]);
      // A space's pages have no paths to filter by: say so as bad input, not as a provider failure
      // (after the permission check, so the answer tells a stranger nothing about the connector).
      if (q.prefix) await guard.need(a, 'connectors/use', 'connector.list_objects', target(id));
      if (q.prefix && (await store.get(id))?.type === 'confluence') throw ValidationFailed([{ field: 'query.prefix', message: 'is not supported for confluence connectors (they list the pages of a space)' }]);
      return use(a, id, 'connector.list_objects', { prefix: q.prefix }, (r, c) => c.provider.list(c.value, JSON.parse(r.target), q, { timeoutMs }), (p) => ({ count: p.items.length }));
    },

    /** Opens one document for streaming; the caller must send or destroy the body. */
    async readObject(a: Actor, id: string, key: string): Promise<ObjectBody> {
      const bad = relativePath(key);
      if (bad) throw ValidationFailed([{ field: 'params.key', message: bad }]);
      return use(a, id, 'connector.read_object', { key }, (r, c) => c.provider.read(c.value, JSON.parse(r.target), key, { timeoutMs }), (o) => ({ size: o.size }));
    },
  };
}

export type ConnectorsService = ReturnType<typeof createConnectorsService>;
