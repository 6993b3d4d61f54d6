// The built `coffer` binary as a user runs it, against a real server process: secrets, output
// formats, users/roles/keys, connectors, `coffer run`, and the error messages and exit codes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../server/test/helpers.js';
import { startFakeS3, type FakeS3 } from '../../server/test/fakes/s3.js';
import { ADMIN_KEY, startCoffer, userKey, type Server } from '../../sdk/test/helpers.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/coffer.js');
const S3_SECRET = 'cli/Secret+Access+Key+0123456789abcdefghij';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

let server: Server;
let s3: FakeS3;
let env: Record<string, string>;

/** Runs the binary; input goes to its standard input. */
function coffer(args: string[], o: { env?: Record<string, string>; input?: string } = {}): Promise<Result> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...(o.env ?? env) }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += String(d)));
    p.stderr.on('data', (d) => (stderr += String(d)));
    p.stdin.end(o.input ?? '');
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function ok(args: string[], o: { env?: Record<string, string>; input?: string } = {}): Promise<string> {
  const r = await coffer(args, o);
  assert.equal(r.code, 0, `coffer ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  [server, s3] = await Promise.all([
    startCoffer(),
    startFakeS3({ keys: [{ accessKeyId: 'AKIACLI', secretAccessKey: S3_SECRET, buckets: ['cli-bucket'] }], buckets: { 'cli-bucket': { 'in/report.csv': 'a,b\n1,2\n' } } }),
  ]);
  env = { SECRET_MANAGER_URL: server.url, SECRET_MANAGER_API_KEY: ADMIN_KEY };
});
after(async () => {
  await server.stop();
  await s3.close();
});

describe('coffer secrets', () => {
  it('create, list, get in json/table/env, update with a version, versions, delete, restore', async () => {
    const dir = tempDir('coffer-cli-');
    const file = path.join(dir, 'value.json');
    writeFileSync(file, JSON.stringify({ access_key_id: 'AKIACLI', secret_access_key: S3_SECRET, region: 'eu-west-1', endpoint_url: s3.url }));
    assert.match(await ok(['secrets', 'create', 'cli-s3', '--type', 's3', '--scope', 'SYSTEM_SECRET', '--from-file', file, '-d', 'from the CLI']), /cli-s3/);
    await ok(['secrets', 'create', 'cli-generic', '--from-file', '-'], { input: JSON.stringify({ token: "it's-a-secret" }) });

    const table = await ok(['secrets', 'list']);
    assert.match(table.split('\n')[0]!, /^ID\s+SECRET_TYPE\s+SCOPE\s+VERSION/);
    assert.ok(!table.includes(S3_SECRET), 'a list never shows a value');
    const listed = JSON.parse(await ok(['secrets', 'list', '--type', 's3', '-o', 'json'])) as { id: string; scope: string }[];
    assert.deepEqual(listed.map((s) => [s.id, s.scope]), [['cli-s3', 'SYSTEM_SECRET']]);
    assert.deepEqual(JSON.parse(await ok(['secrets', 'list', '--scope', 'user_secret', '-o', 'json'])).map((s: { id: string }) => s.id), ['cli-generic']);

    assert.equal(JSON.parse(await ok(['secrets', 'get', 'cli-s3'])).secret_access_key, S3_SECRET);
    assert.equal(await ok(['secrets', 'get', 'cli-s3', '--field', 'region']), 'eu-west-1\n');
    const envOut = await ok(['secrets', 'get', 'cli-generic', '-o', 'env', '--prefix', 'app_']);
    assert.equal(envOut, "APP_TOKEN='it'\\''s-a-secret'\n");
    const sh = await new Promise<string>((resolve) => {
      const p = spawn('sh', ['-c', `${envOut.trim()}; printf %s "$APP_TOKEN"`]);
      let o = '';
      p.stdout.on('data', (d) => (o += String(d)));
      p.on('close', () => resolve(o));
    });
    assert.equal(sh, "it's-a-secret", 'env output is safe to eval');
    const meta = JSON.parse(await ok(['secrets', 'get', 'cli-s3', '--metadata', '-o', 'json']));
    assert.deepEqual([meta.version, meta.fields, meta.description], [1, ['access_key_id', 'endpoint_url', 'region', 'secret_access_key'], 'from the CLI']);
    assert.ok(!JSON.stringify(meta).includes(S3_SECRET), '!JSON.stringify(meta).includes(S3_SECRET)');

    await ok(['secrets', 'update', 'cli-generic', '--field', 'token=v2', '--version', '1']);
    const stale = await coffer(['secrets', 'update', 'cli-generic', '--field', 'token=v3', '--version', '1']);
    assert.equal(stale.code, 5, 'a stale version is a conflict');
    assert.match(stale.stderr, /at version 2, not 1/);
    await ok(['secrets', 'update', 'cli-generic', '--merge', '--field', 'extra=x']);
    await ok(['secrets', 'update', 'cli-generic', '--merge', '--unset', 'extra', '-d', 'cleaned']);
    assert.deepEqual(JSON.parse(await ok(['secrets', 'get', 'cli-generic'])), { token: 'v2' });
    assert.deepEqual(JSON.parse(await ok(['secrets', 'get', 'cli-generic', '--version', '1'])), { token: "it's-a-secret" });
    assert.deepEqual(JSON.parse(await ok(['secrets', 'versions', 'cli-generic', '-o', 'json'])).map((v: { version: number }) => v.version), [4, 3, 2, 1]);

    await ok(['secrets', 'delete', 'cli-generic']);
    assert.equal((await coffer(['secrets', 'get', 'cli-generic'])).code, 4);
    assert.match(await ok(['secrets', 'list', '--trash']), /cli-generic/);
    await ok(['secrets', 'restore', 'cli-generic']);
    assert.equal(JSON.parse(await ok(['secrets', 'get', 'cli-generic'])).token, 'v2');
  });
});

describe('coffer run', () => {
  it("starts the command with the secret's fields as variables, never prints them, and exits with its code", async () => {
    await ok(['secrets', 'create', 'run-db', '--field', 'user=app', '--field', 'password=p@ss w0rd $HOME']);
    // The child proves it has the values by their digest; nothing but the digest reaches the output.
    const script = "const c=require('crypto');const h=s=>c.createHash('sha256').update(s).digest('hex');" +
      "console.log(JSON.stringify({user:process.env.DB_USER,pw:h(process.env.DB_PASSWORD),key:h(process.env.AWS_SECRET_ACCESS_KEY),region:process.env.AWS_REGION,api:process.env.SECRET_MANAGER_API_KEY??null}));process.exit(7)";
    const r = await coffer(['run', '--secret', 'run-db=DB_', '--secret', 'cli-s3=AWS_', '--', process.execPath, '-e', script]);
    assert.equal(r.code, 7, r.stderr);
    const seen = JSON.parse(r.stdout);
    const { createHash } = await import('node:crypto');
    const h = (s: string) => createHash('sha256').update(s).digest('hex');
    assert.deepEqual(seen, { user: 'app', pw: h('p@ss w0rd $HOME'), key: h(S3_SECRET), region: 'eu-west-1', api: null });
    for (const out of [r.stdout, r.stderr]) {
      assert.ok(!out.includes('p@ss w0rd') && !out.includes(S3_SECRET), 'coffer run never prints a value');
    }
  });

  it('refuses two secrets that would set one variable, a missing secret, a missing command', async () => {
    await ok(['secrets', 'create', 'run-other', '--field', 'user=other']);
    const clash = await coffer(['run', '--secret', 'run-db', '--secret', 'run-other', '--', 'true']);
    assert.equal(clash.code, 2);
    assert.match(clash.stderr, /USER would come from both run-db and run-other/);
    assert.equal((await coffer(['run', '--secret', 'nope', '--', 'true'])).code, 4);
    const missing = await coffer(['run', '--secret', 'run-db', '--', 'no-such-command-here']);
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /command not found/);
  });
});

describe('users, roles, API keys and connectors', () => {
  it('creates a role and a user, sets roles, makes and revokes a key, and verifies the audit log', async () => {
    await ok(['roles', 'create', 'CLI Readers', '--permissions', 'secrets/read,connectors/use', '-d', 'made by the CLI']);
    assert.match(await ok(['roles', 'grant', 'CLI Readers', 'audit/read']), /audit\/read/);
    assert.match(await ok(['roles', 'list']), /CLI Readers\s+false\s+audit\/read, connectors\/use, secrets\/read/);
    assert.match(await ok(['roles', 'permissions']), /connectors\/manage/);
    const created = JSON.parse(await ok(['users', 'create', 'cli-user@example.com', '--password-file', '-', '--roles', 'viewer', '-o', 'json'], { input: 'a-long-enough-password\n' }));
    assert.match(created.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(JSON.parse(await ok(['users', 'set-roles', 'cli-user@example.com', 'CLI Readers,default', '-o', 'json'])).roles.sort(), ['CLI Readers', 'default']);
    assert.match(await ok(['users', 'list']), /cli-user@example.com\s+CLI Readers, default/);
    await ok(['users', 'disable', 'cli-user@example.com']);
    await ok(['users', 'enable', created.id]);

    const key = JSON.parse(await ok(['api-keys', 'create', 'cli-test']));
    assert.match(key.key, /^coffer_/);
    const me = JSON.parse(await ok(['users', 'current', '-o', 'json'], { env: { ...env, SECRET_MANAGER_API_KEY: key.key } }));
    assert.equal(me.email, 'admin@localhost');
    assert.ok(!(await ok(['api-keys', 'list'])).includes(key.key), 'a key is shown only once');
    await ok(['api-keys', 'revoke', key.id]);
    assert.equal((await coffer(['users', 'current'], { env: { ...env, SECRET_MANAGER_API_KEY: key.key } })).code, 3);
    await ok(['users', 'delete', 'cli-user@example.com']);
    await ok(['roles', 'delete', 'CLI Readers']);
    assert.match(await ok(['audit', 'verify']), /The audit chain of \d+ entries is intact/);
  });

  it('connectors: create, check, list objects and download a document', async () => {
    const c = JSON.parse(await ok(['connectors', 'create', 'Reports', '--type', 's3', '--secret', 'cli-s3', '--target', 'bucket=cli-bucket', '--target', 'prefix=in/', '--id', 'cli-reports', '-o', 'json']));
    assert.deepEqual(c.target, { bucket: 'cli-bucket', prefix: 'in/' });
    assert.match(await ok(['connectors', 'check', 'cli-reports']), /ok\s+true/);
    assert.match(await ok(['connectors', 'objects', 'cli-reports']), /report\.csv\s+8/);
    assert.equal(await ok(['connectors', 'download', 'cli-reports', 'report.csv']), 'a,b\n1,2\n');
    assert.match(await ok(['connectors', 'list']), /cli-reports\s+Reports\s+s3\s+cli-s3/);
    await ok(['connectors', 'create', 'Wrong', '--type', 's3', '--secret', 'cli-s3', '--target', 'bucket=no-such-bucket', '--id', 'cli-wrong']);
    const failed = await coffer(['connectors', 'check', 'cli-wrong', '-o', 'json']);
    assert.equal(failed.code, 1, 'a failed check exits 1');
    assert.equal(JSON.parse(failed.stdout).reason, 'target_not_found');
    const inUse = await coffer(['secrets', 'delete', 'cli-s3']);
    assert.equal(inUse.code, 5);
    assert.match(inUse.stderr, /used by 2 connector\(s\)/);
    await ok(['connectors', 'delete', 'cli-wrong']);
  });
});

describe('errors and exit codes', () => {
  it('says what is wrong, and exits 2 for usage, 3 denied, 4 missing, 5 conflict, 6 unreachable, 1 refused', async () => {
    const unset = await coffer(['secrets', 'list'], { env: {} });
    assert.equal(unset.code, 2);
    assert.match(unset.stderr, /Set SECRET_MANAGER_URL .* and SECRET_MANAGER_API_KEY/);
    const usage = await coffer(['secrets', 'list', '--bogus']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /unknown option '--bogus'/);
    assert.equal((await coffer(['secrets', 'list', '-o', 'yaml'])).code, 2);
    assert.equal((await coffer(['secrets', 'list', '-o', 'env'])).code, 2);
    assert.equal((await coffer(['secrets', 'create', 'x'])).code, 2, 'no value given');
    assert.equal((await coffer(['secrets', 'create', 'x', '--from-file', '-'], { input: '{not json' })).code, 2);

    const viewer = await userKey(server.url, 'cli-viewer@example.com', ['viewer']);
    const denied = await coffer(['secrets', 'list'], { env: { ...env, SECRET_MANAGER_API_KEY: viewer } });
    assert.equal(denied.code, 3);
    assert.match(denied.stderr, /requires the 'secrets\/read' permission/);
    assert.equal((await coffer(['secrets', 'list'], { env: { ...env, SECRET_MANAGER_API_KEY: 'coffer_0123456789abcdef_notarealkeynotarealkey' } })).code, 3);
    const missing = await coffer(['secrets', 'get', 'no-such']);
    assert.deepEqual([missing.code, missing.stderr], [4, "coffer: Secret 'no-such' was not found.\n"]);
    assert.equal((await coffer(['secrets', 'create', 'cli-s3', '--field', 'a=b'])).code, 5);
    const invalid = await coffer(['secrets', 'create', 'bad-s3', '--type', 's3', '--field', 'region=Nowhere']);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /secret_value\.region: must be a region name/);
    assert.match(invalid.stderr, /secret_value\.access_key_id: is required/);

    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    await new Promise((r) => srv.close(r));
    const down = await coffer(['secrets', 'list'], { env: { ...env, SECRET_MANAGER_URL: `http://127.0.0.1:${port}` } });
    assert.equal(down.code, 6);
    assert.match(down.stderr, /Could not reach Coffer at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  });
});
