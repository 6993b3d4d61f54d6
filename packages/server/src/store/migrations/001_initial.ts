import { type Kysely, sql } from 'kysely';

// Column types chosen to mean the same on SQLite and PostgreSQL: text times, integer booleans, bytes.
// Text compares byte by byte on both: SQLite's default, and collate "C" on PostgreSQL, whose default
// follows the server's locale (en-US puts 'a' before 'B'), which would change sort orders and paging.
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
  const text = dialect === 'postgres' ? sql.raw('text collate "C"') : 'text';
  await db.schema.createTable('meta')
    .addColumn('key', text, (c) => c.primaryKey())
    .addColumn('value', text, (c) => c.notNull())
    .execute();
  await db.schema.createTable('users')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('workspace_id', text, (c) => c.notNull().defaultTo('default'))
    .addColumn('email', text, (c) => c.notNull().unique())
    .addColumn('password_hash', text, (c) => c.notNull())
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('updated_at', text, (c) => c.notNull())
    .execute();
  await db.schema.createTable('roles')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('workspace_id', text, (c) => c.notNull().defaultTo('default'))
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('description', text, (c) => c.notNull().defaultTo(''))
    .addColumn('builtin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('updated_at', text, (c) => c.notNull())
    .addUniqueConstraint('roles_workspace_name', ['workspace_id', 'name'])
    .execute();
  await db.schema.createTable('role_permissions')
    .addColumn('role_id', text, (c) => c.notNull().references('roles.id').onDelete('cascade'))
    .addColumn('permission', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('role_permissions_pk', ['role_id', 'permission'])
    .execute();
  await db.schema.createTable('user_roles')
    .addColumn('user_id', text, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role_id', text, (c) => c.notNull().references('roles.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('user_roles_pk', ['user_id', 'role_id'])
    .execute();
  await db.schema.createTable('api_keys')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('user_id', text, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('secret_hash', sql.raw(bytes), (c) => c.notNull())
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('expires_at', text)
    .addColumn('last_used_at', text)
    .addColumn('revoked_at', text)
    .execute();
  await db.schema.createIndex('api_keys_user').on('api_keys').column('user_id').execute();
  await db.schema.createTable('sessions')
    .addColumn('id', sql.raw(bytes), (c) => c.primaryKey())
    .addColumn('user_id', text, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_token', text, (c) => c.notNull())
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('last_seen_at', text, (c) => c.notNull())
    .addColumn('expires_at', text, (c) => c.notNull())
    .execute();
  await db.schema.createTable('secrets')
    .addColumn('workspace_id', text, (c) => c.notNull())
    .addColumn('id', text, (c) => c.notNull())
    .addColumn('secret_type', text, (c) => c.notNull())
    .addColumn('scope', text, (c) => c.notNull())
    .addColumn('description', text, (c) => c.notNull().defaultTo(''))
    .addColumn('owner_id', text, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('created_by', text, (c) => c.notNull())
    .addColumn('updated_at', text, (c) => c.notNull())
    .addColumn('updated_by', text, (c) => c.notNull())
    .addColumn('deleted_at', text)
    .addColumn('deleted_by', text)
    .addPrimaryKeyConstraint('secrets_pk', ['workspace_id', 'id'])
    .execute();
  await db.schema.createIndex('secrets_type').on('secrets').columns(['workspace_id', 'secret_type', 'id']).execute();
  await db.schema.createTable('secret_versions')
    .addColumn('workspace_id', text, (c) => c.notNull())
    .addColumn('secret_id', text, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('field_names', text, (c) => c.notNull())
    .addColumn('kek_id', text, (c) => c.notNull())
    .addColumn('wrapped_key', sql.raw(bytes), (c) => c.notNull())
    .addColumn('ciphertext', sql.raw(bytes), (c) => c.notNull())
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('created_by', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('secret_versions_pk', ['workspace_id', 'secret_id', 'version'])
    .addForeignKeyConstraint('secret_versions_secret', ['workspace_id', 'secret_id'], 'secrets', ['workspace_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('secret_versions_kek').on('secret_versions').column('kek_id').execute();
  await db.schema.createTable('audit_log')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('workspace_id', text, (c) => c.notNull())
    .addColumn('at', text, (c) => c.notNull())
    .addColumn('actor', text, (c) => c.notNull())
    .addColumn('action', text, (c) => c.notNull())
    .addColumn('target', text, (c) => c.notNull())
    .addColumn('outcome', text, (c) => c.notNull())
    .addColumn('client_ip', text, (c) => c.notNull())
    .addColumn('user_agent', text, (c) => c.notNull())
    .addColumn('request_id', text, (c) => c.notNull())
    .addColumn('details', text, (c) => c.notNull())
    .addColumn('prev_hash', text, (c) => c.notNull())
    .addColumn('hash', text, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_actor').on('audit_log').columns(['actor', 'seq']).execute();
  await db.schema.createIndex('audit_target').on('audit_log').columns(['target', 'seq']).execute();
  await db.schema.createTable('connectors')
    .addColumn('workspace_id', text, (c) => c.notNull())
    .addColumn('id', text, (c) => c.notNull())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('type', text, (c) => c.notNull())
    .addColumn('secret_id', text, (c) => c.notNull())
    .addColumn('target', text, (c) => c.notNull())
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('created_by', text, (c) => c.notNull())
    .addColumn('updated_at', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('connectors_pk', ['workspace_id', 'id'])
    .execute();
  await db.schema.createIndex('connectors_secret').on('connectors').columns(['workspace_id', 'secret_id']).execute();
}
