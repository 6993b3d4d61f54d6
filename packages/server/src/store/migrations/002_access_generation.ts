import type { Kysely } from 'kysely';

// One counter that every change to users, roles, grants, keys or sessions moves forward. Servers
// cache who a credential belongs to and check this single row on each request, so a change made
// on any replica holds on every replica at the next request.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('access_generation')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('generation', 'integer', (c) => c.notNull())
    .execute();
  await (db as Kysely<{ access_generation: { id: number; generation: number } }>).insertInto('access_generation').values({ id: 1, generation: 0 }).execute();
}
