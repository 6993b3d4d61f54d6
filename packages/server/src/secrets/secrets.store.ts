import { sql } from 'kysely';
import type { Database, Tx } from '../store/db.js';
import { bump } from '../store/generations.js';
import { prepare } from '../store/prepared.js';
import type { SecretsTable, SecretVersionsTable } from '../store/schema.js';

export interface Viewer {
  userId: string;
  isAdmin: boolean;
}

export interface ListQuery {
  type?: string;
  q?: string;
  afterId?: string;
  limit: number;
  deleted: boolean;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function createSecretsStore(database: Database, workspace = 'default') {
  const { db } = database;
  const secrets = (trx: Tx = db) => trx.selectFrom('secrets').where('secrets.workspace_id', '=', workspace);

  // Metadata rows: the owner's email and the current version's field names (never values).
  const withOwner = (trx: Tx = db) =>
    secrets(trx)
      .leftJoin('users', 'users.id', 'secrets.owner_id')
      .leftJoin('secret_versions as cv', (j) => j.onRef('cv.workspace_id', '=', 'secrets.workspace_id').onRef('cv.secret_id', '=', 'secrets.id').onRef('cv.version', '=', 'secrets.version'))
      .selectAll('secrets')
      .select(['users.email as owner_email', 'cv.field_names as field_names']);

  // A secret appearing or disappearing moves the listing generation (remembered id lists). Every
  // write to these tables also moves the content generation, by trigger (migration 004).
  const appearedOrGone = (trx: Tx) => bump(trx, 'listing_generation');

  // The queries of every metadata and value read, compiled once.
  const getQuery = prepare(1, (id: string) => withOwner().where('secrets.id', '=', id));
  const versionQuery = prepare(2, (id: string, version: number) =>
    db.selectFrom('secret_versions').selectAll().where('workspace_id', '=', workspace).where('secret_id', '=', id).where('version', '=', version));
  const usedByOneQuery = prepare(1, (id: string) =>
    db.selectFrom('connectors').select(['id', 'name', 'secret_id']).where('workspace_id', '=', workspace).where('secret_id', '=', id).orderBy('id'));

  return {
    /** Any row with this id, live or in the trash. */
    get: async (id: string, trx: Tx = db) => (await getQuery(trx, id))[0],

    /** Live secrets of a type (or all), in id order, with what visibility needs; read from the index alone. */
    listing: (type?: string) => {
      let q = secrets().select(['id', 'scope', 'owner_id']).where('deleted_at', 'is', null);
      if (type) q = q.where('secret_type', '=', type);
      return q.orderBy('id').execute();
    },

    async list(v: Viewer, lq: ListQuery) {
      let q = withOwner().where('secrets.deleted_at', lq.deleted ? 'is not' : 'is', null);
      if (lq.type) q = q.where('secrets.secret_type', '=', lq.type);
      if (lq.q) {
        const pat = `%${likeEscape(lq.q.toLowerCase())}%`;
        q = q.where((eb) => eb.or([
          eb(sql`lower(secrets.id)`, 'like', sql`${pat} escape '\\'`),
          eb(sql`lower(secrets.description)`, 'like', sql`${pat} escape '\\'`),
        ]));
      }
      if (lq.afterId !== undefined) q = q.where('secrets.id', '>', lq.afterId);
      if (!v.isAdmin) q = q.where((eb) => eb.or([eb('secrets.scope', '=', 'SYSTEM_SECRET'), eb('secrets.owner_id', '=', v.userId)]));
      return q.orderBy('secrets.id').limit(lq.limit).execute();
    },

    insert: async (trx: Tx, row: SecretsTable) => {
      await trx.insertInto('secrets').values(row).execute();
      await appearedOrGone(trx);
    },
    insertVersion: (trx: Tx, row: SecretVersionsTable) => trx.insertInto('secret_versions').values(row).execute(),

    /** Moves the head forward only from the expected version; 0 rows means someone else moved it. */
    async advance(trx: Tx, id: string, from: number, set: { description?: string; updated_at: string; updated_by: string }): Promise<boolean> {
      const r = await trx.updateTable('secrets').set({ ...set, version: from + 1 })
        .where('workspace_id', '=', workspace).where('id', '=', id).where('version', '=', from).where('deleted_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** The head row, locked against other writers until the transaction ends. */
    lockHead: (trx: Tx, id: string) =>
      database.forUpdate(trx.selectFrom('secrets').select(['version', 'secret_type', 'deleted_at']).where('workspace_id', '=', workspace).where('id', '=', id)).executeTakeFirst(),

    version: async (id: string, version: number, trx: Tx = db) => (await versionQuery(trx, id, version))[0],

    versions: (id: string) =>
      db.selectFrom('secret_versions').select(['version', 'field_names', 'kek_id', 'created_at', 'created_by'])
        .where('workspace_id', '=', workspace).where('secret_id', '=', id).orderBy('version', 'desc').execute(),

    setDeleted: async (trx: Tx, id: string, at: string | null, by: string | null) => {
      await trx.updateTable('secrets').set({ deleted_at: at, deleted_by: by }).where('workspace_id', '=', workspace).where('id', '=', id).execute();
      await appearedOrGone(trx);
    },

    async purge(trx: Tx, id: string): Promise<void> {
      await trx.deleteFrom('secret_versions').where('workspace_id', '=', workspace).where('secret_id', '=', id).execute();
      await trx.deleteFrom('secrets').where('workspace_id', '=', workspace).where('id', '=', id).execute();
      await appearedOrGone(trx);
    },

    trashedBefore: async (at: string) =>
      (await secrets().select('id').where('deleted_at', '<', at).execute()).map((r) => r.id),

    usedBy: async (ids: string[]): Promise<Map<string, { id: string; name: string }[]>> => {
      const out = new Map<string, { id: string; name: string }[]>();
      if (ids.length === 0) return out;
      const rows = ids.length === 1
        ? await usedByOneQuery(db, ids[0]!)
        : await db.selectFrom('connectors').select(['id', 'name', 'secret_id']).where('workspace_id', '=', workspace).where('secret_id', 'in', ids).orderBy('id').execute();
      for (const r of rows) out.set(r.secret_id, [...(out.get(r.secret_id) ?? []), { id: r.id, name: r.name }]);
      return out;
    },

    // Key rotation: versions whose data key is wrapped by an older key-encryption key.
    // Walks the primary key from `after`, so each batch reads only its own rows, not the table.
    staleWrapped: (currentKek: string, limit: number, after?: { workspace_id: string; secret_id: string; version: number }) => {
      let q = db.selectFrom('secret_versions').select(['workspace_id', 'secret_id', 'version', 'kek_id', 'wrapped_key']).where('kek_id', '!=', currentKek);
      if (after) {
        q = q.where((eb) => eb.or([
          eb('workspace_id', '>', after.workspace_id),
          eb.and([eb('workspace_id', '=', after.workspace_id), eb('secret_id', '>', after.secret_id)]),
          eb.and([eb('workspace_id', '=', after.workspace_id), eb('secret_id', '=', after.secret_id), eb('version', '>', after.version)]),
        ]));
      }
      return q.orderBy('workspace_id').orderBy('secret_id').orderBy('version').limit(limit).execute();
    },
    /** How many secrets are live and how many in the trash (count(col) skips nulls). */
    countByState: async () => {
      const r = await secrets().select([(e) => e.fn.countAll().as('all'), (e) => e.fn.count('deleted_at').as('trash')]).executeTakeFirstOrThrow();
      return { live: Number(r.all) - Number(r.trash), trash: Number(r.trash) };
    },
    countByKek: async () =>
      (await db.selectFrom('secret_versions').select(['kek_id', (e) => e.fn.countAll().as('n')]).groupBy('kek_id').execute()).map((r) => ({ kek_id: r.kek_id, n: Number(r.n) })),
    async rewrap(trx: Tx, r: { workspace_id: string; secret_id: string; version: number; fromKek: string; kek_id: string; wrapped_key: Buffer }): Promise<boolean> {
      const u = await trx.updateTable('secret_versions').set({ kek_id: r.kek_id, wrapped_key: r.wrapped_key })
        .where('workspace_id', '=', r.workspace_id).where('secret_id', '=', r.secret_id).where('version', '=', r.version).where('kek_id', '=', r.fromKek)
        .executeTakeFirst();
      return Number(u.numUpdatedRows) === 1;
    },
  };
}

export type SecretsStore = ReturnType<typeof createSecretsStore>;
export type SecretRow = NonNullable<Awaited<ReturnType<SecretsStore['get']>>>;
export type VersionRow = NonNullable<Awaited<ReturnType<SecretsStore['version']>>>;
