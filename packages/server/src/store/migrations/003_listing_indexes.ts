import type { Kysely } from 'kysely';

// Listing ids (the hottest list: connectors call GET /secrets/ids?connector_type=) read only the
// index: type, live or deleted, id in order, and what visibility needs (scope, owner). Without it
// every listed id was a lookup in the table to learn whether it was deleted.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('secrets_type_listing').on('secrets')
    .columns(['workspace_id', 'secret_type', 'deleted_at', 'id', 'scope', 'owner_id']).execute();
  await db.schema.createIndex('secrets_listing').on('secrets')
    .columns(['workspace_id', 'deleted_at', 'id', 'scope', 'owner_id']).execute();
  await db.schema.dropIndex('secrets_type').execute();
  // Moves forward whenever a secret appears or disappears, on any server, so that a remembered
  // list of ids is used only while it is still true.
  await db.schema.createTable('listing_generation')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('generation', 'integer', (c) => c.notNull())
    .execute();
  await (db as Kysely<{ listing_generation: { id: number; generation: number } }>).insertInto('listing_generation').values({ id: 1, generation: 0 }).execute();
}
