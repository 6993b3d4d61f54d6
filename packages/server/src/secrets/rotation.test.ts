import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { systemActor } from '../access/actor.js';
import { PERMISSION_IDS } from '../access/permissions.js';
import { startTestEnv } from '../../test/helpers.js';

const KEY_OLD = randomBytes(32).toString('base64');
const KEY_NEW = randomBytes(32).toString('base64');
const actor = systemActor('test', PERMISSION_IDS);

it('re-wraps every data key under the new key in batches, resumes after an interruption, and values still read', async () => {
  const before = await startTestEnv({ SECRET_MANAGER_MASTER_KEY: `old:${KEY_OLD}` });
  for (let i = 0; i < 25; i++) {
    await before.admin('POST', '/api/v1/secrets', { secret_id: `s${i}`, secret_value: { n: String(i) } });
    if (i % 5 === 0) await before.admin('PUT', `/api/v1/secrets/s${i}`, { secret_value: { n: `${i}-v2` } });
  }
  const dir = before.dir;
  await before.app.close();
  await before.coffer.close();

  // Same data, the new key first in the ring.
  const t = await startTestEnv({ SECRET_MANAGER_DATA_DIR: dir, SECRET_MANAGER_MASTER_KEY: `new:${KEY_NEW},old:${KEY_OLD}` });
  try {
    assert.deepEqual((await t.coffer.rotation.status()).data_keys.map((k) => [k.kek_id, k.count]), [['old', 30]]);
    // New writes already use the new key; old data still opens.
    await t.admin('POST', '/api/v1/secrets', { secret_id: 'fresh', secret_value: { n: 'fresh' } });
    assert.equal((await t.admin('GET', '/api/v1/secrets/s3/value')).json().n, '3');

    // Interrupted after the first batch of 7: what was done stays done.
    await assert.rejects(t.coffer.rotation.rotate(actor, { batchSize: 7, onProgress: (p) => { if (p.done >= 7) throw new Error('power cut'); } }), /power cut/);
    assert.equal((await t.coffer.rotation.status()).stale, 23);

    // Resumed while the API keeps serving reads.
    const reads = Promise.all(Array.from({ length: 25 }, (_, i) => t.admin('GET', `/api/v1/secrets/s${i}/value`)));
    const progress: number[] = [];
    const r = await t.coffer.rotation.rotate(actor, { batchSize: 7, onProgress: (p) => progress.push(p.done) });
    assert.equal(r.rewrapped, 23);
    assert.deepEqual(progress, [0, 7, 14, 21, 23]);
    assert.ok((await reads).every((x) => x.statusCode === 200), '(await reads).every((x) => x.statusCode === 200)');
    const s = await t.coffer.rotation.status();
    assert.equal(s.stale, 0);
    assert.deepEqual(s.data_keys.map((k) => [k.kek_id, k.count]), [['new', 31]]);
    const audit = (await t.admin('GET', '/api/v1/audit?action=keys.rotate')).json().items;
    assert.equal(audit.length, 1);
  } finally {
    await t.app.close();
    await t.coffer.close();
  }

  // The old key can now leave the ring: every version still decrypts with the new one alone.
  const after = await startTestEnv({ SECRET_MANAGER_DATA_DIR: dir, SECRET_MANAGER_MASTER_KEY: `new:${KEY_NEW}` });
  try {
    for (let i = 0; i < 25; i++) {
      const v = await after.admin('GET', `/api/v1/secrets/s${i}/value?version=1`);
      assert.equal(v.statusCode, 200);
      assert.equal(v.json().n, String(i));
    }
    assert.equal((await after.admin('GET', '/api/v1/secrets/s5/value')).json().n, '5-v2');
  } finally {
    await after.close();
  }
});

it('stops with a clear message when a data key was wrapped by a key missing from the ring', async () => {
  const t = await startTestEnv({ SECRET_MANAGER_MASTER_KEY: `old:${KEY_OLD}` });
  await t.admin('POST', '/api/v1/secrets', { secret_id: 'x', secret_value: { a: 'b' } });
  const dir = t.dir;
  await t.app.close();
  await t.coffer.close();
  const t2 = await startTestEnv({ SECRET_MANAGER_DATA_DIR: dir, SECRET_MANAGER_MASTER_KEY: `new:${KEY_NEW}` });
  try {
    await assert.rejects(t2.coffer.rotation.rotate(actor), /Put key 'old' back in the keyring/);
    const r = await t2.admin('GET', '/api/v1/secrets/x/value');
    assert.equal(r.statusCode, 500);
    assert.deepEqual(r.json(), { error: { code: 'internal_error', message: 'Internal error.' } });
  } finally {
    await t2.close();
  }
});
