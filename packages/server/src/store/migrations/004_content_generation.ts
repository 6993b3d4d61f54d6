import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';

// Moves forward whenever a secret's row or one of its versions changes (created, updated, deleted,
// restored, purged, re-wrapped), on any server, so that the rows a server remembers for reads are
// used only while they are still what the store holds. Moved by triggers, not by the application:
// during a rolling upgrade a replica of an older release, which knows nothing of this counter,
// still moves it with every write it makes.
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.createTable('content_generation')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('generation', 'integer', (c) => c.notNull())
    .execute();
  await (db as Kysely<{ content_generation: { id: number; generation: number } }>).insertInto('content_generation').values({ id: 1, generation: 0 }).execute();
  const bump = 'update content_generation set generation = generation + 1 where id = 1';
  if (dialect === 'postgres') {
    await sql.raw(`create function coffer_content_changed() returns trigger language plpgsql as $$ begin ${bump}; return null; end $$`).execute(db);
    for (const table of ['secrets', 'secret_versions']) {
      await sql.raw(`create trigger ${table}_content_changed after insert or update or delete on ${table} for each statement execute function coffer_content_changed()`).execute(db);
    }
    return;
  }
  // SQLite has row triggers only: one bump per row changed, in the same transaction.
  for (const table of ['secrets', 'secret_versions']) {
    for (const event of ['insert', 'update', 'delete']) {
      await sql.raw(`create trigger ${table}_content_${event} after ${event} on ${table} begin ${bump}; end`).execute(db);
    }
  }
}
