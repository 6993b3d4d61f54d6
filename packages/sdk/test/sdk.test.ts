// The SDK against a real Coffer server process: every call, every typed error, retries and timeouts.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { CATALOGUE } from '../../server/src/errors.js';
import { startFakeS3, type FakeS3 } from '../../server/test/fakes/s3.js';
import {
  AuthenticationError, ConfigurationError, ConnectionError, ConnectorFailedError, KNOWN_ERROR_CODES, NotFoundError, PermissionDeniedError, RateLimitedError, SECRET_FIELDS,
  SecretExistsError, SecretInUseError, SecretManagerDisabledError, SecretManagerFactory, SecretNotFoundError, SecretType, SecretTypeMismatchError, ServiceUnavailableError, TimeoutError,
  ValidationError, VersionConflictError, type SecretManager,
} from '../src/index.js';
import { ADMIN_KEY, startCoffer, startProxy, userKey, type Server } from './helpers.js';

const S3_KEY = 'sdk/Secret+Access+Key+0123456789abcdefghij';
let server: Server;
let s3: FakeS3;
let admin: SecretManager;
let s3Value: { access_key_id: string; secret_access_key: string; region: string; endpoint_url: string };

before(async () => {
  [server, s3] = await Promise.all([
    startCoffer(),
    startFakeS3({ keys: [{ accessKeyId: 'AKIASDK', secretAccessKey: S3_KEY, buckets: ['sdk-bucket'] }], buckets: { 'sdk-bucket': { 'docs/a.txt': 'document a', 'docs/b.txt': 'document b' } } }),
  ]);
  s3Value = { access_key_id: 'AKIASDK', secret_access_key: S3_KEY, region: 'us-east-1', endpoint_url: s3.url };
  admin = SecretManagerFactory.create({ env: { SECRET_MANAGER_URL: server.url, SECRET_MANAGER_API_KEY: ADMIN_KEY } });
});
after(async () => {
  await server.stop();
  await s3.close();
});

describe('SecretManagerFactory', () => {
  it('reads SECRET_MANAGER_URL and SECRET_MANAGER_API_KEY, and names what is missing or wrong', async () => {
    const viaEnv = SecretManagerFactory.create({ env: { SECRET_MANAGER_URL: `${server.url}/api/v1/`, SECRET_MANAGER_API_KEY: ADMIN_KEY } });
    assert.equal((await viaEnv.users.current()).email, 'admin@localhost');
    assert.throws(() => SecretManagerFactory.create({ env: {} }), (e: Error) => e instanceof ConfigurationError && /SECRET_MANAGER_URL.*SECRET_MANAGER_API_KEY/.test(e.message));
    assert.throws(() => SecretManagerFactory.create({ env: { SECRET_MANAGER_URL: server.url } }), /SECRET_MANAGER_API_KEY/);
    assert.throws(() => SecretManagerFactory.create({ url: 'ftp://x', apiKey: 'k' }), /http:\/\/ or https:\/\//);
    assert.throws(() => SecretManagerFactory.create({ url: 'http://user:pw@x', apiKey: 'k' }), /must not contain credentials/);
    const options = SecretManagerFactory.create({ url: server.url, apiKey: ADMIN_KEY, env: {} });
    assert.deepEqual(await options.listSecretIds(), await admin.listSecretIds());
  });
});

describe('secrets', () => {
  it("the seed's calls: listSecretIds by scope and connector type, getSecret typed by its type", async () => {
    await admin.createSecret({ id: 'seed-s3', type: 's3', scope: SecretType.USER_SECRET, value: s3Value, description: 'mine' });
    await admin.createSecret({ id: 'seed-sys-s3', type: 's3', scope: SecretType.SYSTEM_SECRET, value: s3Value });
    await admin.createSecret({ id: 'seed-wiki', type: 'confluence', scope: SecretType.USER_SECRET, value: { username: 'u', password: 'p' } });
    assert.deepEqual(await admin.listSecretIds(SecretType.USER_SECRET, 's3'), ['seed-s3']);
    assert.deepEqual(await admin.listSecretIds(SecretType.SYSTEM_SECRET, 's3'), ['seed-sys-s3']);
    assert.deepEqual(await admin.listSecretIds(SecretType.USER_SECRET), ['seed-s3', 'seed-wiki']);
    assert.deepEqual(await admin.listSecretIds(undefined, 'confluence'), ['seed-wiki']);

    const creds = await admin.getSecret('seed-s3', 's3');
    assert.equal(creds.secret_access_key, S3_KEY);
    assert.equal(creds.region, 'us-east-1');
    assert.deepEqual(await admin.getSecret('seed-wiki'), { username: 'u', password: 'p' });
    await assert.rejects(admin.getSecret('seed-wiki', 's3'), (e: Error) => e instanceof SecretTypeMismatchError && /lacks access_key_id/.test(e.message) && !e.message.includes('"p"'));
  });

  it('metadata, update with the version (a stale one is a VersionConflictError), patch, versions and old values', async () => {
    const { id } = await admin.createSecret({ id: 'versioned', value: { token: 'v1' } });
    const meta = await admin.getSecretMetadata(id);
    assert.deepEqual([meta.secret_type, meta.scope, meta.version, meta.fields, meta.owner], ['generic', 'USER_SECRET', 1, ['token'], 'admin@localhost']);
    assert.equal((await admin.updateSecret(id, { token: 'v2' }, { version: 1 })).version, 2);
    await assert.rejects(admin.updateSecret(id, { token: 'v3' }, { version: 1 }), (e: VersionConflictError) => e instanceof VersionConflictError && e.status === 412 && e.currentVersion === 2);
    assert.equal((await admin.patchSecret(id, { extra: 'x' }, { description: 'patched' })).version, 3);
    assert.deepEqual((await admin.listVersions(id)).map((v) => v.version), [3, 2, 1]);
    assert.deepEqual(await admin.getSecret(id), { token: 'v2', extra: 'x' });
    assert.deepEqual(await admin.getSecret(id, { version: 1 }), { token: 'v1' });
    assert.equal((await admin.getSecretMetadata(id)).description, 'patched');
    const listed: string[] = [];
    for await (const s of admin.listSecrets({ search: 'version', pageSize: 1 })) listed.push(s.id);
    assert.deepEqual(listed, ['versioned']);
  });

  it('delete to the trash, list the trash, restore, purge', async () => {
    await admin.createSecret({ id: 'binned', value: { a: 'b' } });
    assert.deepEqual(await admin.deleteSecret('binned'), { id: 'binned', purged: false });
    await assert.rejects(admin.getSecret('binned'), SecretNotFoundError);
    const trash: string[] = [];
    for await (const s of admin.listSecrets({ trash: true })) trash.push(s.id);
    assert.ok(trash.includes('binned'), "trash.includes('binned')");
    assert.equal((await admin.restoreSecret('binned')).deleted_at, null);
    assert.deepEqual(await admin.getSecret('binned'), { a: 'b' });
    assert.deepEqual(await admin.deleteSecret('binned', { purge: true }), { id: 'binned', purged: true });
    await assert.rejects(admin.restoreSecret('binned'), SecretNotFoundError);
  });
});

describe('typed errors', () => {
  it('maps every error the API answers to a class a caller can catch', async () => {
    const viewer = SecretManagerFactory.create({ url: server.url, apiKey: await userKey(server.url, 'viewer@example.com', ['viewer']), env: {} });
    const e404 = await admin.getSecret('no-such-secret').catch((e: unknown) => e);
    assert.ok(e404 instanceof SecretNotFoundError && e404 instanceof NotFoundError, 'e404 instanceof SecretNotFoundError && e404 instanceof NotFoundError');
    assert.equal(e404.status, 404);
    assert.match(e404.requestId ?? '', /^[0-9a-f-]{36}$/);
    const denied = await viewer.listSecretIds().catch((e: unknown) => e);
    assert.ok(denied instanceof PermissionDeniedError, 'denied instanceof PermissionDeniedError');
    assert.equal(denied.permission, 'secrets/read');
    const stranger = SecretManagerFactory.create({ url: server.url, apiKey: 'coffer_0123456789abcdef_notarealkeynotarealkeynotarealkey', env: {} });
    await assert.rejects(stranger.listSecretIds(), AuthenticationError);

    const invalid = await admin.createSecret({ id: 'bad-s3', type: 's3', value: { access_key_id: 'x', region: 'Not A Region' } as never }).catch((e: unknown) => e);
    assert.ok(invalid instanceof ValidationError, 'invalid instanceof ValidationError');
    assert.deepEqual(invalid.fields.map((f) => f.field).sort(), ['secret_value.access_key_id', 'secret_value.region', 'secret_value.secret_access_key']);
    await admin.createSecret({ id: 'taken', value: { a: 'b' } });
    await assert.rejects(admin.createSecret({ id: 'taken', value: { a: 'b' } }), SecretExistsError);

    await admin.createSecret({ id: 'bound', type: 's3', value: s3Value, scope: 'SYSTEM_SECRET' });
    await admin.connectors.create({ id: 'uses-bound', name: 'Uses bound', type: 's3', secret_id: 'bound', target: { bucket: 'sdk-bucket' } });
    const inUse = await admin.deleteSecret('bound').catch((e: unknown) => e);
    assert.ok(inUse instanceof SecretInUseError, 'inUse instanceof SecretInUseError');
    assert.deepEqual(inUse.connectors, [{ id: 'uses-bound', name: 'Uses bound' }]);
  });

  it('knows every code of the server’s error catalogue', () => {
    assert.deepEqual(Object.keys(CATALOGUE).filter((c) => !KNOWN_ERROR_CODES.includes(c)), [], 'add these codes to BY_CODE in packages/sdk/src/errors.ts');
  });

  it("its value types name the same fields as the server's connector types", async () => {
    const server = await admin.connectorTypes();
    for (const t of server.filter((x) => x.type !== 'generic')) {
      const mine = SECRET_FIELDS[t.type as keyof typeof SECRET_FIELDS];
      assert.ok(mine, `SECRET_FIELDS lacks ${t.type}`);
      assert.deepEqual([...mine.required].sort(), t.fields.filter((f) => f.required).map((f) => f.name).sort(), t.type);
      assert.deepEqual([...mine.optional].sort(), t.fields.filter((f) => !f.required).map((f) => f.name).sort(), t.type);
    }
    assert.equal(server.length - 1, Object.keys(SECRET_FIELDS).length);
  });
});

describe('connectors', () => {
  it('a connectors/use holder lists and reads documents and checks the connector, and cannot read the secret', async () => {
    await admin.createSecret({ id: 'sdk-conn-secret', type: 's3', value: s3Value });
    const c = await admin.connectors.create({ id: 'sdk-docs', name: 'SDK docs', type: 's3', secret_id: 'sdk-conn-secret', target: { bucket: 'sdk-bucket', prefix: 'docs/' } });
    assert.deepEqual(c.target, { bucket: 'sdk-bucket', prefix: 'docs/' });
    await admin.roles.create({ name: 'Reads through connectors', permissions: ['connectors/use'] });
    const reader = SecretManagerFactory.create({ url: server.url, apiKey: await userKey(server.url, 'conn-reader@example.com', ['Reads through connectors']), env: {} });
    const keys: string[] = [];
    for await (const o of reader.connectors.listObjects('sdk-docs', { pageSize: 1 })) keys.push(o.key);
    assert.deepEqual(keys, ['a.txt', 'b.txt']);
    const doc = await reader.connectors.getObject('sdk-docs', 'b.txt');
    assert.deepEqual([doc.name, doc.size], ['b.txt', 10]);
    assert.equal(await new Response(doc.body).text(), 'document b');
    assert.equal(new TextDecoder().decode(await reader.connectors.readObject('sdk-docs', 'a.txt')), 'document a');
    assert.equal((await reader.connectors.check('sdk-docs')).ok, true);
    await assert.rejects(reader.getSecret('sdk-conn-secret'), PermissionDeniedError);
    await assert.rejects(reader.connectors.readObject('sdk-docs', 'zzz.txt'), NotFoundError);

    await admin.connectors.update('sdk-docs', { target: { bucket: 'other-bucket' } });
    const failed = await reader.connectors.readObject('sdk-docs', 'a.txt').catch((e: unknown) => e);
    assert.ok(failed instanceof ConnectorFailedError, 'failed instanceof ConnectorFailedError');
    assert.equal(failed.reason, 'target_not_found');
    const check = await admin.checkSecret('sdk-conn-secret', { bucket: 'sdk-bucket' });
    assert.deepEqual([check.ok, check.reason], [true, 'ok']);
    const all: string[] = [];
    for await (const x of admin.connectors.list({ secretId: 'sdk-conn-secret' })) all.push(x.id);
    assert.deepEqual(all, ['sdk-docs']);
    await admin.connectors.delete('sdk-docs');
    await assert.rejects(admin.connectors.get('sdk-docs'), NotFoundError);
  });
});

describe('users, roles, API keys and the audit log', () => {
  it('administers users and roles, makes and revokes keys, verifies the audit chain', async () => {
    const perms = (await admin.roles.permissions()).map((p) => p.id);
    assert.ok(perms.includes('connectors/use') && perms.includes('connectors/manage'), "perms.includes('connectors/use') && perms.includes('connectors/manage')");
    const role = await admin.roles.create({ name: 'Auditors', permissions: ['audit/read'] });
    assert.deepEqual((await admin.roles.grant(role.id, 'secrets/read')).permissions, ['audit/read', 'secrets/read']);
    assert.deepEqual((await admin.roles.revoke('Auditors', 'secrets/read')).permissions, ['audit/read']);
    const { id } = await admin.users.create({ email: 'auditor@example.com', password: 'a-long-enough-password', roles: ['viewer'] });
    assert.deepEqual((await admin.users.setRoles(id, ['Auditors', 'default'])).roles.sort(), ['Auditors', 'default']);
    assert.equal((await admin.users.update(id, { disabled: true })).disabled, true);
    assert.ok((await admin.users.list()).some((u) => u.email === 'auditor@example.com'), "(await admin.users.list()).some((u) => u.email === 'auditor@example.com')");
    await admin.users.delete(id);
    await admin.roles.delete(role.id);
    await assert.rejects(admin.roles.get('Auditors'), NotFoundError);

    const k = await admin.apiKeys.create({ name: 'ci' });
    const ci = SecretManagerFactory.create({ url: server.url, apiKey: k.key, env: {} });
    assert.equal((await ci.users.current()).via, 'api_key');
    assert.ok((await admin.apiKeys.list()).some((x) => x.id === k.id && !('key' in x)), "(await admin.apiKeys.list()).some((x) => x.id === k.id && !('key' in x))");
    await admin.apiKeys.revoke(k.id);
    await assert.rejects(ci.users.current(), AuthenticationError);

    const v = await admin.audit.verify();
    assert.equal(v.ok, true);
    assert.ok(v.entries > 10, 'v.entries > 10');
    const reads = await admin.audit.list({ action: 'secret.read_value', limit: 5 });
    assert.ok(reads.items.length > 0 && reads.items.every((e) => e.action === 'secret.read_value'), "reads.items.length > 0 && reads.items.every((e) => e.action === 'secret.read_value')");
  });
});

describe('retries and timeouts', () => {
  it('retries a 503 audit_unavailable until the log can be written again; without retries the error is thrown', async () => {
    await admin.createSecret({ id: 'retried', value: { n: '1' } });
    const db = new SQLite(path.join(server.dir, 'coffer.db'));
    const down = () => db.exec("create trigger audit_down before insert on audit_log begin select raise(abort, 'disk full'); end");
    const up = () => db.exec('drop trigger if exists audit_down');
    try {
      down();
      const once = SecretManagerFactory.create({ url: server.url, apiKey: ADMIN_KEY, env: {}, retries: 0 });
      await assert.rejects(once.getSecret('retried'), (e: Error) => e instanceof ServiceUnavailableError && (e as ServiceUnavailableError).code === 'audit_unavailable');
      let attempts = 0;
      const patient = SecretManagerFactory.create({
        url: server.url, apiKey: ADMIN_KEY, env: {}, retries: 4, baseDelayMs: 10,
        // The real fetch to the real server; the log comes back after the second refusal.
        fetch: async (req, init) => {
          if (++attempts === 3) up();
          return fetch(req, init);
        },
      });
      assert.deepEqual(await patient.getSecret('retried'), { n: '1' });
      assert.equal(attempts, 3);
    } finally {
      up();
      db.close();
    }
  });

  it("waits as long as an ingress's Retry-After says, and gives up at once on a too-long one", async () => {
    const proxy = await startProxy(server.url);
    try {
      const sm = SecretManagerFactory.create({ url: proxy.url, apiKey: ADMIN_KEY, env: {}, maxRetryAfterMs: 5_000 });
      proxy.set({ status: 429, retryAfter: '1', times: 1 });
      const started = Date.now();
      assert.ok((await sm.listSecretIds()).includes('retried'), "(await sm.listSecretIds()).includes('retried')");
      assert.ok(Date.now() - started >= 950, `waited only ${Date.now() - started} ms`);
      assert.equal(proxy.seen().length, 2);

      proxy.set({ status: 429, retryAfter: '3600', times: 1 });
      const e = await sm.listSecretIds().catch((x: unknown) => x);
      assert.ok(e instanceof RateLimitedError, 'e instanceof RateLimitedError');
      assert.equal(e.retryAfterSeconds, 3600);

      proxy.set({ status: 503, times: 10 });
      const t0 = Date.now();
      await assert.rejects(SecretManagerFactory.create({ url: proxy.url, apiKey: ADMIN_KEY, env: {}, retries: 2, baseDelayMs: 20 }).listSecretIds(), ServiceUnavailableError);
      assert.ok(Date.now() - t0 < 2_000, 'Date.now() - t0 < 2_000');
    } finally {
      await proxy.close();
    }
  });

  it('a stalled server gives TimeoutError; reads are retried, writes are not; a closed port gives ConnectionError', async () => {
    const proxy = await startProxy(server.url);
    try {
      proxy.set('stall');
      const sm = SecretManagerFactory.create({ url: proxy.url, apiKey: ADMIN_KEY, env: {}, timeoutMs: 150, retries: 1, baseDelayMs: 10 });
      await assert.rejects(sm.getSecret('retried'), TimeoutError);
      assert.equal(proxy.seen().filter((s) => s.startsWith('GET')).length, 2, 'a read is tried again');
      await assert.rejects(sm.createSecret({ id: 'maybe-made', value: { a: 'b' } }), TimeoutError);
      assert.equal(proxy.seen().filter((s) => s.startsWith('POST')).length, 1, 'a write is not repeated: it may have landed');
    } finally {
      await proxy.close();
    }
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const closed = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
    await new Promise((r) => srv.close(r));
    const gone = SecretManagerFactory.create({ url: closed, apiKey: ADMIN_KEY, env: {}, retries: 0 });
    await assert.rejects(gone.listSecretIds(), (e: Error) => e instanceof ConnectionError && /ECONNREFUSED/.test(e.message));
  });

  it('SecretManagerDisabledError when the server runs with SECRET_MANAGER_ENABLED=false', async () => {
    const off = await startCoffer({ SECRET_MANAGER_ENABLED: 'false' });
    try {
      const sm = SecretManagerFactory.create({ url: off.url, apiKey: ADMIN_KEY, env: {} });
      await assert.rejects(sm.listSecretIds(), SecretManagerDisabledError);
      assert.equal((await sm.users.current()).email, 'admin@localhost', 'users keep working');
    } finally {
      await off.stop();
    }
  });
});
