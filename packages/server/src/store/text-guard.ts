// PostgreSQL text cannot hold U+0000 (it fails with error 22021, a 500), SQLite stores it. So that
// both stores behave alike and bad input is a clear 400 on either, every query parameter is checked
// before it reaches the driver. Wraps a kysely dialect: the driver is unchanged but for this check.
import type { CompiledQuery, DatabaseConnection, Dialect, Driver } from 'kysely';
import { ValidationFailed } from '../errors.js';

function refuseNul(q: CompiledQuery): void {
  for (const p of q.parameters) {
    if (typeof p === 'string' && p.includes('\0')) {
      throw ValidationFailed([{ field: 'body', message: 'text must not contain NUL (\\u0000) characters' }]);
    }
  }
}

function guardDriver(inner: Driver): Driver {
  // Our wrapper goes out to kysely; the driver's own connection object comes back to the driver.
  const original = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const unwrap = (c: DatabaseConnection) => original.get(c) ?? c;
  return {
    init: () => inner.init(),
    async acquireConnection() {
      const conn = await inner.acquireConnection();
      const wrapped: DatabaseConnection = {
        executeQuery: (q) => {
          refuseNul(q);
          return conn.executeQuery(q);
        },
        streamQuery: (q, chunkSize) => {
          refuseNul(q);
          return conn.streamQuery(q, chunkSize);
        },
      };
      original.set(wrapped, conn);
      return wrapped;
    },
    beginTransaction: (c, s) => inner.beginTransaction(unwrap(c), s),
    commitTransaction: (c) => inner.commitTransaction(unwrap(c)),
    rollbackTransaction: (c) => inner.rollbackTransaction(unwrap(c)),
    ...(inner.savepoint ? { savepoint: (c, n, compile) => inner.savepoint!(unwrap(c), n, compile) } : {}),
    ...(inner.rollbackToSavepoint ? { rollbackToSavepoint: (c, n, compile) => inner.rollbackToSavepoint!(unwrap(c), n, compile) } : {}),
    ...(inner.releaseSavepoint ? { releaseSavepoint: (c, n, compile) => inner.releaseSavepoint!(unwrap(c), n, compile) } : {}),
    releaseConnection: (c) => inner.releaseConnection(unwrap(c)),
    destroy: () => inner.destroy(),
  };
}

export function withTextGuard(dialect: Dialect): Dialect {
  return {
    createDriver: () => guardDriver(dialect.createDriver()),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}
