// The global request limits: per client address and per credential, 429 with Retry-After, one
// coffer-test: sqlite-only (the HTTP surface sits in front of the store; a second run on PostgreSQL would test nothing new)
// audit entry a minute per limited bucket, probes exempt, 0 turns a limit off.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestEnv, userWithKey, type TestEnv } from '../../test/helpers.js';
import { addressKey, RequestLimiter } from './request-limit.js';

const B = '/api/v1';

async function burst(t: TestEnv, n: number, call: () => ReturnType<TestEnv['admin']>) {
  const codes: number[] = [];
  for (let i = 0; i < n; i++) codes.push((await call()).statusCode);
  return codes;
}

describe('RequestLimiter', () => {
  it('allows a burst of perMinute, then refills at perMinute/60 a second, and says how long to wait', () => {
    const l = new RequestLimiter(60);
    const t0 = 1_000_000;
    for (let i = 0; i < 60; i++) assert.equal(l.take('a', t0), 0);
    assert.equal(l.take('a', t0), 1);
    assert.equal(l.take('b', t0), 0, 'other keys have their own bucket');
    assert.equal(l.take('a', t0 + 1000), 0, 'one token back after a second');
    assert.equal(l.take('a', t0 + 1000), 1);
  });

  it('stays bounded: the least recently used key is dropped first', () => {
    const l = new RequestLimiter(1, 2);
    l.take('a', 0);
    l.take('b', 0);
    l.take('a', 0); // a is now the most recent; b goes when c arrives
    l.take('c', 0);
    assert.ok(l.take('a', 0) > 0, 'a kept its empty bucket');
    assert.equal(l.take('b', 0), 0, 'b started afresh');
  });

  it('counts an IPv6 /64 as one address', () => {
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
    assert.notEqual(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'));
    assert.equal(addressKey('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(addressKey('192.0.2.1'), '192.0.2.1');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
  });
});

describe('global request limits', () => {
  it('per address: 429 with Retry-After in the error shape, audited once, other addresses and probes unaffected', async () => {
    const t = await startTestEnv({ SECRET_MANAGER_RATE_LIMIT_PER_ADDRESS: '5', SECRET_MANAGER_RATE_LIMIT_PER_KEY: '0' });
    try {
      const from = (ip: string) => () => t.app.inject({ method: 'GET', url: `${B}/users/current`, remoteAddress: ip, headers: { authorization: 'Bearer wrong-key-wrong-key-wrong-key-wrong' } });
      assert.deepEqual(await burst(t, 8, from('192.0.2.10')), [401, 401, 401, 401, 401, 429, 429, 429]);
      const r = await from('192.0.2.10')();
      assert.equal(r.statusCode, 429);
      assert.ok(Number(r.headers['retry-after']) >= 1, `retry-after: ${r.headers['retry-after']}`);
      assert.equal(r.json().error.code, 'rate_limited');
      assert.equal(r.json().error.details.retry_after, Number(r.headers['retry-after']));
      assert.equal((await from('192.0.2.11')()).statusCode, 401, 'another address has its own budget');
      assert.equal((await t.app.inject({ method: 'GET', url: '/healthz', remoteAddress: '192.0.2.10' })).statusCode, 200, 'probes are exempt');
      const rows = await t.coffer.database.db.selectFrom('audit_log').select(['details', 'client_ip']).where('details', 'like', '%rate_limited%').execute();
      assert.equal(rows.length, 1, 'one audit entry, not one per refused request');
      assert.equal(rows[0]!.client_ip, '192.0.2.10');
    } finally {
      await t.close();
    }
  });

  it('per credential: a key is limited wherever it comes from; other keys are not', async () => {
    const t = await startTestEnv({ SECRET_MANAGER_RATE_LIMIT_PER_ADDRESS: '0', SECRET_MANAGER_RATE_LIMIT_PER_KEY: '4' });
    try {
      const u = await userWithKey(t, 'limited@example.com', ['default']);
      let i = 0;
      const roaming = () => t.app.inject({ method: 'GET', url: `${B}/secrets/ids`, remoteAddress: `198.51.100.${++i}`, headers: { authorization: `Bearer ${u.key}` } });
      assert.deepEqual(await burst(t, 6, roaming), [200, 200, 200, 200, 429, 429]);
      assert.equal((await t.admin('GET', `${B}/secrets/ids`)).statusCode, 200, 'the administrator key has its own budget');
      const entry = await t.coffer.database.db.selectFrom('audit_log').select(['actor', 'details']).where('details', 'like', '%rate_limited%').executeTakeFirst();
      assert.equal(entry?.actor, 'limited@example.com');
    } finally {
      await t.close();
    }
  });

  it('0 turns a limit off (it does not mean "no requests")', async () => {
    for (const [setting, expected] of [['0', 200], ['1', 429]] as const) {
      const t = await startTestEnv({ SECRET_MANAGER_RATE_LIMIT_PER_ADDRESS: setting, SECRET_MANAGER_RATE_LIMIT_PER_KEY: setting });
      try {
        const codes = await burst(t, 10, () => t.admin('GET', '/api/v1/users/current'));
        assert.equal(codes.at(-1), expected, `limit ${setting}: ${codes.join(',')}`);
      } finally {
        await t.close();
      }
    }
  });
});
