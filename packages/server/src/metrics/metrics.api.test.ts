// /metrics against a real app on a temporary SQLite file: access is refused without the metrics
// token, the counters follow real traffic, and nothing secret ever appears in the text.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN_KEY, ADMIN_PASSWORD, failAuditWrites, S3_VALUE, startTestEnv, tempDir, userWithKey, type TestEnv } from '../../test/helpers.js';
import { startServer } from '../../test/process.js';

const B = '/api/v1';
const TOKEN = 'metrics-token-0123456789abcdef0123456789';

type Sample = { name: string; labels: Record<string, string>; value: number };

/** Enough of the Prometheus text format for these tests: `name{a="b",…} value` lines. */
function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** Sum of every series of `name` whose labels include `want` (0 when there is none yet). */
function value(samples: Sample[], name: string, want: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(want).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

describe('/metrics', () => {
  let t: TestEnv;
  const scrape = async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    return { text: res.body, samples: parse(res.body) };
  };

  before(async () => {
    t = await startTestEnv({ SECRET_MANAGER_METRICS_TOKEN: TOKEN });
  });
  after(() => t.close());

  it('refuses a missing or wrong token and any API key, and audits the refusal', async () => {
    for (const headers of [{}, { authorization: `Bearer ${TOKEN}x` }, { authorization: `Bearer ${ADMIN_KEY}` }, { authorization: TOKEN }]) {
      const res = await t.app.inject({ method: 'GET', url: '/metrics', headers });
      assert.equal(res.statusCode, 401, JSON.stringify(headers));
      assert.equal(res.json().error.code, 'unauthenticated');
      assert.ok(!res.body.includes('coffer_'), 'no metrics in a refusal');
    }
    const audit = (await t.admin('GET', `${B}/audit?action=auth.request&target=${encodeURIComponent('route:GET /metrics')}`)).json().items as { outcome: string; details: { reason: string } }[];
    assert.equal(audit.length, 4);
    assert.ok(audit.every((e) => e.outcome === 'denied' && e.details.reason === 'bad_metrics_token'), "audit.every((e) => e.outcome === 'denied' && e.details.reason === 'bad_metrics_token')");
  });

  it('counts requests by route template, value reads, denials, audit entries and secrets', async () => {
    const before = (await scrape()).samples;
    const viewer = await userWithKey(t, 'viewer@metrics.example.com', ['viewer']);
    for (const id of ['m-one', 'm-two', 'm-three']) {
      assert.equal((await t.admin('POST', `${B}/secrets`, { secret_id: id, secret_type: 's3', scope: 'SYSTEM_SECRET', secret_value: S3_VALUE })).statusCode, 201);
    }
    for (let i = 0; i < 4; i++) assert.equal((await t.admin('GET', `${B}/secrets/m-one/value`)).statusCode, 200);
    assert.equal((await t.as(viewer.key)('GET', `${B}/secrets/m-two/value`)).statusCode, 403);
    assert.equal((await t.admin('DELETE', `${B}/secrets/m-three`)).statusCode, 200);
    assert.equal((await t.admin('GET', '/no/such/page/m-two')).statusCode, 404);
    const { samples: now, text } = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) => value(now, name, labels) - value(before, name, labels);

    assert.equal(moved('coffer_http_requests_total', { method: 'POST', route: `${B}/secrets`, status: '201' }), 3);
    assert.equal(moved('coffer_http_requests_total', { method: 'GET', route: `${B}/secrets/:id/value`, status: '200' }), 4);
    assert.equal(moved('coffer_http_requests_total', { method: 'GET', route: `${B}/secrets/:id/value`, status: '403' }), 1);
    assert.equal(moved('coffer_http_requests_total', { route: 'unmatched', status: '404' }), 1);
    assert.equal(moved('coffer_http_request_duration_seconds_count', { route: `${B}/secrets/:id/value` }), 5);
    assert.ok(value(now, 'coffer_http_request_duration_seconds_bucket', { route: `${B}/secrets/:id/value`, le: '+Inf' }) >= 5, "value(now, 'coffer_http_request_duration_seconds_bucket', { route: `${B}/secrets/:id/value`, le: '+Inf' }) ...");

    assert.equal(moved('coffer_secret_value_reads_total', { outcome: 'allowed' }), 4);
    assert.equal(moved('coffer_secret_value_reads_total', { outcome: 'denied' }), 1);
    assert.equal(moved('coffer_audit_entries_total', { action: 'secret.create', outcome: 'allowed' }), 3);
    assert.equal(moved('coffer_audit_entries_total', { action: 'secret.read_value', outcome: 'denied' }), 1);
    assert.equal(moved('coffer_audit_entries_total', { action: 'secret.delete', outcome: 'allowed' }), 1);

    assert.equal(value(now, 'coffer_secrets', { state: 'live' }), 2);
    assert.equal(value(now, 'coffer_secrets', { state: 'trash' }), 1);
    const kek = t.coffer.keyring.currentId;
    assert.equal(value(now, 'coffer_key_encryption_key_info', { kek_id: kek }), 1);
    assert.equal(now.filter((s) => s.name === 'coffer_key_encryption_key_info').length, 1);
    assert.equal(value(now, 'coffer_data_keys', { kek_id: kek }), 3);
    // A route template, never the id a caller put in the URL.
    assert.ok(!text.includes('m-one') && !text.includes('m-two'), 'secret ids are not labels');
  });

  it('counts an audit write that fails (and the request that it refused)', async () => {
    const before = (await scrape()).samples;
    const restore = await failAuditWrites(t);
    try {
      assert.equal((await t.admin('POST', `${B}/secrets`, { secret_id: 'm-refused', secret_type: 's3', secret_value: S3_VALUE })).statusCode, 503);
      assert.equal((await t.admin('GET', `${B}/secrets/m-one/value`)).statusCode, 503);
    } finally {
      await restore();
    }
    const now = (await scrape()).samples;
    const moved = (name: string, labels: Record<string, string>) => value(now, name, labels) - value(before, name, labels);
    assert.equal(moved('coffer_audit_write_failures_total', { action: 'secret.create' }), 1);
    assert.equal(moved('coffer_audit_write_failures_total', { action: 'secret.read_value' }), 1);
    assert.equal(moved('coffer_secret_value_reads_total', { outcome: 'allowed' }), 0, 'a read whose audit failed returned nothing');
    assert.equal(moved('coffer_http_requests_total', { method: 'POST', route: `${B}/secrets`, status: '503' }), 1);
    assert.equal(value(now, 'coffer_secrets', { state: 'live' }), 2, 'the refused create left nothing behind');
  });

  it('never contains a secret value, a key, a password or a token', async () => {
    await t.admin('PUT', `${B}/secrets/m-one`, { secret_value: { ...S3_VALUE, session_token: 'session-token-canary-4711' } });
    await t.admin('GET', `${B}/secrets/m-one/value`);
    const { text } = await scrape();
    // id:base64, as in the key file (filebased) or SECRET_MANAGER_MASTER_KEY (securestore).
    const masterKey = `${t.coffer.keyring.currentId}:${t.coffer.keyring.get(t.coffer.keyring.currentId)!.toString('base64')}`;
    const forbidden = [
      ...Object.values(S3_VALUE), 'session-token-canary-4711', 'wJalrXUtnFEMI',
      masterKey, masterKey.split(':')[1]!, ADMIN_KEY, ADMIN_PASSWORD, TOKEN,
    ];
    for (const s of forbidden) assert.ok(!text.includes(s), `/metrics contains ${s.slice(0, 6)}…`);
  });
});

describe('/metrics without SECRET_MANAGER_METRICS_TOKEN', () => {
  it('does not exist, even for an administrator', async () => {
    const t = await startTestEnv();
    try {
      for (const key of [undefined, ADMIN_KEY]) {
        const res = await t.as(key)('GET', '/metrics');
        assert.equal(res.statusCode, 404);
        assert.equal(res.json().error.code, 'not_found');
      }
    } finally {
      await t.close();
    }
  });

  it('refuses a token shorter than 32 characters at start', async () => {
    await assert.rejects(startTestEnv({ SECRET_MANAGER_METRICS_TOKEN: 'short' }), /SECRET_MANAGER_METRICS_TOKEN: must be at least 32 characters/);
  });
});

describe('/metrics of a running server (npm start)', () => {
  it('serves process metrics beside Coffer\'s, with the token read from a *_FILE', async () => {
    const dir = tempDir();
    const tokenFile = path.join(dir, 'metrics-token');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const s = await startServer({ SECRET_MANAGER_DATA_DIR: path.join(dir, 'data'), SECRET_MANAGER_METRICS_TOKEN_FILE: tokenFile });
    try {
      assert.equal((await fetch(`${s.url}/metrics`)).status, 401);
      const res = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(res.status, 200);
      const samples = parse(await res.text());
      assert.ok(value(samples, 'process_cpu_user_seconds_total') > 0, "value(samples, 'process_cpu_user_seconds_total') > 0");
      assert.ok(samples.some((x) => x.name === 'nodejs_eventloop_lag_seconds'), "samples.some((x) => x.name === 'nodejs_eventloop_lag_seconds')");
      assert.equal(samples.filter((x) => x.name === 'coffer_key_encryption_key_info').length, 1);
      assert.equal(value(samples, 'coffer_secrets', { state: 'live' }), 0);
    } finally {
      assert.equal(await s.stop(), 0);
    }
  });
});
