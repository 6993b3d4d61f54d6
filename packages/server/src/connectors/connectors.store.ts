// The only SQL of the connectors feature.
import type { Database, Tx } from '../store/db.js';
import type { ConnectorsTable } from '../store/schema.js';

export interface ConnectorFilter {
  type?: string;
  secretId?: string;
  afterId?: string;
  limit: number;
}

export function createConnectorsStore(database: Database, workspace = 'default') {
  const { db } = database;
  const rows = (trx: Tx = db) => trx.selectFrom('connectors').selectAll().where('workspace_id', '=', workspace);
  return {
    get: (id: string, trx: Tx = db) => rows(trx).where('id', '=', id).executeTakeFirst(),

    list(f: ConnectorFilter) {
      let q = rows();
      if (f.type) q = q.where('type', '=', f.type);
      if (f.secretId) q = q.where('secret_id', '=', f.secretId);
      if (f.afterId !== undefined) q = q.where('id', '>', f.afterId);
      return q.orderBy('id').limit(f.limit).execute();
    },

    insert: (trx: Tx, row: ConnectorsTable) => trx.insertInto('connectors').values(row).execute(),

    update: (trx: Tx, id: string, set: Partial<Pick<ConnectorsTable, 'name' | 'secret_id' | 'target' | 'updated_at'>>) =>
      trx.updateTable('connectors').set(set).where('workspace_id', '=', workspace).where('id', '=', id).execute(),

    async remove(trx: Tx, id: string): Promise<boolean> {
      const r = await trx.deleteFrom('connectors').where('workspace_id', '=', workspace).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
  };
}

export type ConnectorRow = ConnectorsTable;
