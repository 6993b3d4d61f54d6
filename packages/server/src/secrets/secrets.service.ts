// Secrets: permission checks, visibility, versions, trash and the audit entry of every call live
// here, so the HTTP API, the CLI and background jobs follow the same rules.
import type { Actor } from '../access/actor.js';
import { auditContext } from '../access/actor.js';
import type { Guard } from '../access/guard.js';
import type { AuditService } from '../audit/audit.service.js';
import { DecryptError, type Envelope } from '../crypto/envelope.js';
import { AppError, SecretNotFound, ValidationFailed } from '../errors.js';
import type { Database, Tx } from '../store/db.js';
import { createGenerations, Remembered, type Generations } from '../store/generations.js';
import { createSecretsStore, type SecretRow, type VersionRow } from './secrets.store.js';
import { MAX_VALUE_BYTES, SECRET_TYPE_NAMES, validateValue } from './types/index.js';

export type Scope = 'USER_SECRET' | 'SYSTEM_SECRET';
export type SecretValue = Record<string, string>;

export const SECRET_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Ids that are also paths under /secrets. */
export const RESERVED_IDS = new Set(['ids', 'trash']);

export interface CreateInput {
  secret_id: string;
  secret_value: Record<string, unknown>;
  secret_type?: string;
  scope?: Scope;
  description?: string;
}

export interface UpdateInput {
  /** The whole new value (PUT), or the fields to change (PATCH: null removes a field). */
  secret_value?: Record<string, unknown>;
  description?: string;
  /** The version the caller last saw; the update is refused (412) if the secret moved on. */
  ifVersion?: number;
  merge?: boolean;
}

export interface SecretsOptions {
  enabled: boolean;
  trashDays: number;
  now?: () => Date;
}

export interface ListInput {
  connector_type?: string;
  q?: string;
  limit: number;
  cursor?: string;
}

export type SecretMeta = ReturnType<typeof toMeta>;

function toMeta(r: SecretRow, usedBy: { id: string; name: string }[]) {
  return {
    id: r.id,
    secret_type: r.secret_type,
    scope: r.scope as Scope,
    description: r.description,
    owner: r.owner_email ?? r.owner_id,
    version: r.version,
    fields: JSON.parse(r.field_names ?? '[]') as string[],
    created_at: r.created_at,
    created_by: r.created_by,
    updated_at: r.updated_at,
    updated_by: r.updated_by,
    deleted_at: r.deleted_at,
    used_by: usedBy,
  };
}

const encodeCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url');
function decodeCursor(c: string): string {
  const id = Buffer.from(c, 'base64url').toString('utf8');
  if (!SECRET_ID.test(id)) throw ValidationFailed([{ field: 'query.cursor', message: 'is not a cursor returned by this API' }]);
  return id;
}

export function createSecretsService(deps: { database: Database; envelope: Envelope; audit: AuditService; guard: Guard; options: SecretsOptions; workspace?: string }) {
  const { database, envelope, audit, guard, options } = deps;
  const workspace = deps.workspace ?? 'default';
  const store = createSecretsStore(database, workspace);
  const now = options.now ?? (() => new Date());
  const target = (id: string) => `secret:${id}`;

  function ensureEnabled(): void {
    if (!options.enabled) throw new AppError('secret_manager_disabled', 'The Secret Manager is disabled on this server (SECRET_MANAGER_ENABLED=false).');
  }

  const canSee = (a: Actor, r: SecretRow) => a.isAdmin || r.scope === 'SYSTEM_SECRET' || r.owner_id === a.userId;

  // Rows as stored (values still sealed: decrypting stays per request), remembered for reads while
  // no secret and no access changed anywhere (store/generations.ts). A value read then costs one
  // query, the generations, instead of three. Bounded in entries and in bytes.
  const generations = createGenerations(database);
  const heads = new Remembered<SecretRow>({ entries: 10_000, bytes: 8 << 20, size: (r) => 256 + r.id.length + r.description.length + (r.field_names?.length ?? 0) });
  const sealedVersions = new Remembered<VersionRow>({ entries: 10_000, bytes: 16 << 20, size: (v) => 256 + v.ciphertext.length + v.wrapped_key.length + v.field_names.length });

  const head = (id: string, seen: Generations | undefined) => heads.through(seen, id, () => store.get(id));

  /**
   * The row if it exists and the actor may see it; otherwise the same 404 as a missing secret.
   * `fresh` after this request changed the secret: what was remembered before may not say so yet.
   */
  async function visibleRow(a: Actor, id: string, opts: { deleted?: boolean; fresh?: boolean } = {}): Promise<SecretRow> {
    const r = SECRET_ID.test(id) ? await head(id, opts.fresh ? undefined : a.seen) : undefined;
    if (!r || !canSee(a, r) || (r.deleted_at !== null) !== (opts.deleted ?? false)) throw SecretNotFound(id);
    return r;
  }

  function checkValue(type: string, value: Record<string, unknown>): SecretValue {
    const problems = validateValue(type, value);
    if (problems.length) throw ValidationFailed(problems);
    const v = value as SecretValue;
    if (Buffer.byteLength(JSON.stringify(v)) > MAX_VALUE_BYTES) {
      throw new AppError('payload_too_large', `secret_value: must be at most ${MAX_VALUE_BYTES / 1024} KiB as JSON.`, { fields: [{ field: 'secret_value', message: `must be at most ${MAX_VALUE_BYTES} bytes` }] });
    }
    // Empty optional fields are not stored: an absent field and an empty one mean the same.
    return Object.fromEntries(Object.entries(v).filter(([, s]) => s !== ''));
  }

  async function sealVersion(trx: Tx, a: Actor, id: string, version: number, value: SecretValue, at: string) {
    const plain = Buffer.from(JSON.stringify(value), 'utf8');
    try {
      const sealed = envelope.seal({ workspace, secretId: id, version }, plain);
      await store.insertVersion(trx, {
        workspace_id: workspace, secret_id: id, version, field_names: JSON.stringify(Object.keys(value).sort()),
        kek_id: sealed.kekId, wrapped_key: sealed.wrappedKey, ciphertext: sealed.ciphertext, created_at: at, created_by: a.email,
      });
    } finally {
      plain.fill(0);
    }
  }

  const sealedVersion = (id: string, version: number, seen: Generations | undefined) =>
    sealedVersions.through(seen, `${id}\u0000${version}`, () => store.version(id, version));

  /** Inside a transaction (trx) the row is read there; otherwise it may come from what is remembered under `seen`. */
  /** The value as the JSON text it was sealed as (always an object of strings: see sealVersion). */
  async function openVersionText(id: string, version: number, from?: { trx?: Tx; seen?: Generations }): Promise<string> {
    const row = from?.trx ? await store.version(id, version, from.trx) : await sealedVersion(id, version, from?.seen);
    if (!row) throw new AppError('secret_not_found', `Secret '${id}' has no version ${version}.`);
    const plain = envelope.open({ workspace, secretId: id, version }, { kekId: row.kek_id, wrappedKey: row.wrapped_key, ciphertext: row.ciphertext });
    try {
      const text = plain.toString('utf8');
      if (!text.startsWith('{') || !text.endsWith('}')) throw new DecryptError('the decrypted value is not a JSON object');
      return text;
    } finally {
      plain.fill(0);
    }
  }

  function parseValue(text: string): SecretValue {
    try {
      return JSON.parse(text) as SecretValue;
    } catch {
      // JSON.parse's message quotes the text it choked on, here the decrypted value: never pass it on.
      throw new DecryptError('the decrypted value is not JSON');
    }
  }

  const openVersion = async (id: string, version: number, from?: { trx?: Tx; seen?: Generations }): Promise<SecretValue> =>
    parseValue(await openVersionText(id, version, from));

  /** The value of a version as JSON text, after the permission checks; audited before it is returned. */
  async function revealed(a: Actor, id: string, version?: number): Promise<string> {
    ensureEnabled();
    await guard.need(a, 'secrets/read', 'secret.read_value', target(id));
    const r = await visibleRow(a, id);
    const v = version ?? r.version;
    if (v < 1 || v > r.version) throw new AppError('secret_not_found', `Secret '${id}' has no version ${v}.`);
    const text = await openVersionText(id, v, { seen: a.seen });
    await audit.record(auditContext(a), { action: 'secret.read_value', target: target(id), outcome: 'allowed', details: { version: v } });
    return text;
  }

  async function withUsage(rows: SecretRow[]): Promise<SecretMeta[]> {
    const used = await store.usedBy(rows.map((r) => r.id));
    return rows.map((r) => toMeta(r, used.get(r.id) ?? []));
  }

  /**
   * Id lists by connector type and viewer, remembered while the listing generation (moved by every
   * create, delete, restore and purge, on any server) is unchanged: connectors poll this list, and
   * with 100k secrets reading it afresh each time cost tens of milliseconds. Ids and scopes only,
   * never values. The same list comes back as the same array, so the route can reuse its JSON.
   */
  const listings = new Map<string, { generation: number; rows: { id: string; scope: string; owner_id: string }[] }>();
  const idLists = new Map<string, { generation: number; ids: readonly string[] }>();
  async function listing(generation: number, type?: string) {
    const key = type ?? '*';
    const hit = listings.get(key);
    if (hit && hit.generation === generation) return hit.rows;
    const rows = await store.listing(type);
    listings.set(key, { generation, rows });
    return rows;
  }

  return {
    ensureEnabled,

    async listIds(a: Actor, connectorType?: string): Promise<readonly string[]> {
      ensureEnabled();
      await guard.need(a, 'secrets/read', 'secret.list', 'secrets');
      if (connectorType !== undefined && !SECRET_TYPE_NAMES.includes(connectorType)) {
        throw ValidationFailed([{ field: 'query.connector_type', message: `must be one of ${SECRET_TYPE_NAMES.join(', ')}` }]);
      }
      const generation = (a.seen ?? (await generations.read())).listing;
      // USER_SECRETs are visible to their owner and to administrators only (SPEC section 2).
      const viewer = `${connectorType ?? '*'}\u0000${a.isAdmin ? '' : a.userId}`;
      const hit = idLists.get(viewer);
      if (hit && hit.generation === generation) return hit.ids;
      const rows = await listing(generation, connectorType);
      const ids = Object.freeze(a.isAdmin ? rows.map((r) => r.id) : rows.filter((r) => r.scope === 'SYSTEM_SECRET' || r.owner_id === a.userId).map((r) => r.id));
      // Few lists: at 100k secrets each may hold 33k ids and, in the route, their JSON (under a MiB).
      if (idLists.size >= 32) idLists.delete(idLists.keys().next().value!);
      idLists.set(viewer, { generation, ids });
      return ids;
    },

    async list(a: Actor, q: ListInput & { deleted?: boolean }) {
      ensureEnabled();
      await guard.need(a, 'secrets/read', q.deleted ? 'secret.trash.list' : 'secret.list', 'secrets');
      const rows = await store.list(a, { type: q.connector_type, q: q.q, afterId: q.cursor ? decodeCursor(q.cursor) : undefined, limit: q.limit + 1, deleted: q.deleted ?? false });
      const page = rows.slice(0, q.limit);
      return { items: await withUsage(page), next_cursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!.id) : null };
    },

    async get(a: Actor, id: string): Promise<SecretMeta> {
      ensureEnabled();
      await guard.need(a, 'secrets/read', 'secret.read_metadata', target(id));
      const [meta] = await withUsage([await visibleRow(a, id)]);
      return meta!;
    },

    /** Decrypts one version; the audit entry is durable before the value is returned (fail closed). */
    async value(a: Actor, id: string, version?: number): Promise<SecretValue> {
      return parseValue(await revealed(a, id, version));
    },

    /**
     * The value as JSON text, ready to send: the API answers with the text as it was sealed, with
     * no parse and re-serialisation per read. Audited, like value().
     */
    valueJson: (a: Actor, id: string, version?: number): Promise<string> => revealed(a, id, version),

    /**
     * For the connectors service only: the current value of a live secret, for a provider to use on
     * a caller's behalf. No permission check and no audit entry here: the connectors service checks
     * connectors/use and records the use. Never hand the result to a client.
     */
    async valueForUse(id: string): Promise<{ type: string; version: number; value: SecretValue } | undefined> {
      ensureEnabled();
      const r = SECRET_ID.test(id) ? await store.get(id) : undefined;
      if (!r || r.deleted_at !== null) return undefined;
      return { type: r.secret_type, version: r.version, value: await openVersion(id, r.version) };
    },

    async versions(a: Actor, id: string) {
      ensureEnabled();
      await guard.need(a, 'secrets/read', 'secret.list_versions', target(id));
      await visibleRow(a, id);
      return (await store.versions(id)).map((v) => ({ version: v.version, fields: JSON.parse(v.field_names) as string[], created_at: v.created_at, created_by: v.created_by }));
    },

    async create(a: Actor, input: CreateInput): Promise<{ id: string; version: number }> {
      ensureEnabled();
      await guard.need(a, 'secrets/manage', 'secret.create', target(input.secret_id));
      const type = input.secret_type ?? 'generic';
      if (RESERVED_IDS.has(input.secret_id)) throw ValidationFailed([{ field: 'body.secret_id', message: `'${input.secret_id}' is reserved` }]);
      const value = checkValue(type, input.secret_value);
      const at = now().toISOString();
      try {
        await database.tx(async (trx) => {
          await store.insert(trx, {
            workspace_id: workspace, id: input.secret_id, secret_type: type, scope: input.scope ?? 'USER_SECRET', description: input.description ?? '',
            owner_id: a.userId, version: 1, created_at: at, created_by: a.email, updated_at: at, updated_by: a.email, deleted_at: null, deleted_by: null,
          });
          await sealVersion(trx, a, input.secret_id, 1, value, at);
          await audit.append(trx, auditContext(a), { action: 'secret.create', target: target(input.secret_id), outcome: 'allowed', details: { secret_type: type, scope: input.scope ?? 'USER_SECRET', version: 1 } });
        });
      } catch (e) {
        if (database.isUniqueViolation(e)) {
          // Whether the existing secret is visible or not, the id is taken: say so without describing it.
          throw new AppError('secret_exists', `A secret with id '${input.secret_id}' already exists (it may be in the trash).`);
        }
        throw e;
      }
      return { id: input.secret_id, version: 1 };
    },

    async update(a: Actor, id: string, input: UpdateInput): Promise<{ id: string; version: number }> {
      ensureEnabled();
      await guard.need(a, 'secrets/manage', 'secret.update', target(id));
      if (input.secret_value === undefined && input.description === undefined) {
        throw ValidationFailed([{ field: 'body', message: 'change at least one of secret_value, description' }]);
      }
      const r = await visibleRow(a, id);
      const mismatch = (current: number) =>
        new AppError('version_mismatch', `Secret '${id}' is at version ${current}, not ${input.ifVersion}; read it again and retry.`, { current_version: current });
      if (input.ifVersion !== undefined && input.ifVersion !== r.version) throw mismatch(r.version);
      // The head row is locked for the whole transaction, so racing writers (on any replica) queue
      // here: with If-Match exactly one wins, without it each lands as the next version.
      return database.tx(async (trx) => {
        const head = await store.lockHead(trx, id);
        if (!head || head.deleted_at !== null) throw SecretNotFound(id);
        if (input.ifVersion !== undefined && input.ifVersion !== head.version) throw mismatch(head.version);
        const current = input.merge || input.secret_value === undefined ? await openVersion(id, head.version, { trx }) : undefined;
        let next: Record<string, unknown> = input.secret_value ?? current!;
        if (input.merge && input.secret_value) {
          next = { ...current };
          for (const [k, v] of Object.entries(input.secret_value)) {
            if (v === null) delete next[k];
            else next[k] = v;
          }
        }
        const value = checkValue(head.secret_type, next);
        const at = now().toISOString();
        const version = head.version + 1;
        const set = { updated_at: at, updated_by: a.email, ...(input.description !== undefined ? { description: input.description } : {}) };
        if (!(await store.advance(trx, id, head.version, set))) throw mismatch(head.version);
        // A description-only change still makes a version, so versions and metadata stay one history.
        await sealVersion(trx, a, id, version, value, at);
        await audit.append(trx, auditContext(a), { action: 'secret.update', target: target(id), outcome: 'allowed', details: { version, value_changed: input.secret_value !== undefined, description_changed: input.description !== undefined } });
        return { id, version };
      });
    },

    async remove(a: Actor, id: string, opts: { force?: boolean; purge?: boolean }): Promise<{ id: string; purged: boolean }> {
      ensureEnabled();
      await guard.need(a, 'secrets/manage', opts.purge ? 'secret.purge' : 'secret.delete', target(id));
      if (opts.purge && !a.isAdmin) {
        await audit.record(auditContext(a), { action: 'secret.purge', target: target(id), outcome: 'denied', details: { missing: 'admin role' } });
        throw new AppError('permission_denied', 'Purging a secret requires the admin role.', { role: 'admin' });
      }
      const r = SECRET_ID.test(id) ? await store.get(id) : undefined;
      if (!r || !canSee(a, r) || (r.deleted_at !== null && !opts.purge)) throw SecretNotFound(id);
      const users = (await store.usedBy([id])).get(id) ?? [];
      if (users.length > 0 && !opts.force) {
        throw new AppError('secret_in_use', `Secret '${id}' is used by ${users.length} connector(s): ${users.map((u) => u.name).join(', ')}. Deleting it will break them; repeat with ?force=true to delete anyway.`, { connectors: users });
      }
      const at = now().toISOString();
      await database.tx(async (trx) => {
        if (opts.purge) await store.purge(trx, id);
        else await store.setDeleted(trx, id, at, a.email);
        await audit.append(trx, auditContext(a), { action: opts.purge ? 'secret.purge' : 'secret.delete', target: target(id), outcome: 'allowed', details: { forced: users.length > 0, connectors: users.map((u) => u.id) } });
      });
      return { id, purged: !!opts.purge };
    },

    async restore(a: Actor, id: string): Promise<SecretMeta> {
      ensureEnabled();
      await guard.need(a, 'secrets/manage', 'secret.restore', target(id));
      await visibleRow(a, id, { deleted: true });
      await database.tx(async (trx) => {
        await store.setDeleted(trx, id, null, null);
        await audit.append(trx, auditContext(a), { action: 'secret.restore', target: target(id), outcome: 'allowed' });
      });
      const [meta] = await withUsage([await visibleRow(a, id, { fresh: true })]);
      return meta!;
    },

    /** Numbers only, for the metrics gauge: no ids, no actor needed. */
    counts: () => store.countByState(),

    /** Background job: secrets in the trash longer than the retention are purged for good. */
    async purgeExpired(a: Actor): Promise<number> {
      const cutoff = new Date(now().getTime() - options.trashDays * 86_400_000).toISOString();
      const ids = await store.trashedBefore(cutoff);
      for (const id of ids) {
        await database.tx(async (trx) => {
          await store.purge(trx, id);
          await audit.append(trx, auditContext(a), { action: 'secret.purge', target: target(id), outcome: 'allowed', details: { reason: 'trash_expired' } });
        });
      }
      return ids.length;
    },
  };
}

export type SecretsService = ReturnType<typeof createSecretsService>;
