import type { Kysely } from 'kysely';

// Moves forward whenever a secret's row or one of its versions changes (created, updated, deleted,
// restored, purged, re-wrapped), on any server, so that the rows a server remembers for reads are
// used only while they are still what the store holds.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('content_generation')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('generation', 'integer', (c) => c.notNull())
    .execute();
  await (db as Kysely<{ content_generation: { id: number; generation: number } }>).insertInto('content_generation').values({ id: 1, generation: 0 }).execute();
}
