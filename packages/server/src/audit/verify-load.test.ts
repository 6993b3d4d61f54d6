// GET /audit/verify walks the whole log. On a long log it must neither stop the server while it
// walks nor let many callers start a walk each.
// coffer-test: sqlite-only (the stall came from the SQLite driver, whose queries never wait on I/O)
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { startTestEnv } from '../../test/helpers.js';
import { createAuditStore } from './audit.store.js';
import { appendEntries } from './chain.js';

it('a verify of a long log lets other requests through, and concurrent callers share one walk', async () => {
  const t = await startTestEnv();
  try {
    const store = createAuditStore(t.coffer.database);
    const entry = { workspace_id: 'default', at: new Date().toISOString(), actor: 'load@example.com', action: 'secret.read_value', target: 'secret:x', outcome: 'allowed', client_ip: '192.0.2.1', user_agent: 'load', request_id: 'r', details: '{"via":"api_key"}' };
    for (let b = 0; b < 30; b++) await t.coffer.database.tx((trx) => appendEntries(t.coffer.database, store, trx, Array.from({ length: 1000 }, () => entry)));

    const order: string[] = [];
    const verify = t.admin('GET', '/api/v1/audit/verify').then((r) => (order.push('verify'), r));
    await new Promise((r) => setImmediate(r)); // the walk has begun
    const health = t.app.inject({ method: 'GET', url: '/healthz' }).then((r) => (order.push('health'), r));
    const [v, h] = await Promise.all([verify, health]);
    assert.equal(h.statusCode, 200);
    assert.equal(v.json().ok, true);
    assert.ok(v.json().entries > 30_000, 'v.json().entries > 30_000');
    assert.deepEqual(order, ['health', 'verify'], 'the health check waited for the whole walk');

    const walks = [t.coffer.audit.verify(), t.coffer.audit.verify(), t.coffer.audit.verify()];
    assert.ok(walks.every((w) => w === walks[0]), 'each caller started a walk of its own');
    await Promise.all(walks);
  } finally {
    await t.close();
  }
});
