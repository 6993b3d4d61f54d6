import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../test/helpers.js';
import { selfSignedCert } from '../test/tls.js';
import { ConfigError, loadConfig } from './config.js';

const KEY_A = Buffer.alloc(32, 1).toString('base64');
const KEY_B = Buffer.alloc(32, 2).toString('base64');

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    assert.ok(e instanceof ConfigError, 'e instanceof ConfigError');
    return e.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('settings', () => {
  it('has the defaults of SPEC section 1', () => {
    const c = loadConfig({});
    assert.equal(c.enabled, true);
    assert.equal(c.manager, 'filebased');
    assert.equal(c.dataDir, './data');
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8080);
    assert.equal(c.adminEmail, 'admin@localhost');
    assert.equal(c.adminPassword, undefined);
    assert.equal(c.trashDays, 30);
    assert.equal(c.masterKeys, undefined);
    assert.ok(Object.isFrozen(c), 'Object.isFrozen(c)');
  });

  it('accepts the H2OGPTE_* aliases', () => {
    const c = loadConfig({ H2OGPTE_SECRET_MANAGER_ENABLED: 'false', H2OGPTE_SECRET_MANAGER: 'securestore', SECRET_MANAGER_DATABASE_URL: 'postgres://u@h/db', SECRET_MANAGER_MASTER_KEY: KEY_A });
    assert.equal(c.enabled, false);
    assert.equal(c.manager, 'securestore');
  });

  it('reads *_FILE settings from files, trimming the trailing newline', () => {
    const dir = tempDir();
    const keyFile = path.join(dir, 'kek');
    writeFileSync(keyFile, `main:${KEY_A},old:${KEY_B}\n`);
    const pw = path.join(dir, 'pw');
    writeFileSync(pw, 'a-password-from-a-file\n');
    const c = loadConfig({ SECRET_MANAGER_MASTER_KEY_FILE: keyFile, SECRET_MANAGER_ADMIN_PASSWORD_FILE: pw });
    assert.deepEqual(c.masterKeys?.map((k) => k.id), ['main', 'old']);
    assert.equal(c.adminPassword, 'a-password-from-a-file');
  });

  it('lists every problem in one error, and never echoes a value', () => {
    const p = problems({
      SECRET_MANAGER_ENABLED: 'yes',
      SECRET_MANAGER: 'cloud',
      SECRET_MANAGER_PORT: '99999',
      SECRET_MANAGER_TRASH_DAYS: '-1',
      SECRET_MANAGER_ADMIN_EMAIL: 'not-an-email',
      SECRET_MANAGER_ADMIN_API_KEY: 'short-secret-value',
      SECRET_MANAGER_MASTER_KEY: 'bm90IDMyIGJ5dGVz',
      SECRET_MANAGER_ADMIN_PASSWORD_FILE: '/nonexistent/file',
    });
    const names = p.map((x) => x.split(':')[0]).sort();
    assert.deepEqual(names, ['SECRET_MANAGER', 'SECRET_MANAGER_ADMIN_API_KEY', 'SECRET_MANAGER_ADMIN_EMAIL', 'SECRET_MANAGER_ADMIN_PASSWORD_FILE', 'SECRET_MANAGER_ENABLED', 'SECRET_MANAGER_MASTER_KEY', 'SECRET_MANAGER_PORT', 'SECRET_MANAGER_TRASH_DAYS']);
    const text = p.join('\n');
    for (const v of ['short-secret-value', 'bm90IDMyIGJ5dGVz', 'not-an-email']) assert.ok(!text.includes(v), `echoed ${v}`);
  });

  it('accepts the default admin address when it is set explicitly', () => {
    assert.equal(loadConfig({ SECRET_MANAGER_ADMIN_EMAIL: 'admin@localhost' }).adminEmail, 'admin@localhost');
    assert.equal(loadConfig({ SECRET_MANAGER_ADMIN_EMAIL: 'Ops@Example.COM' }).adminEmail, 'ops@example.com');
  });

  it('refuses a mistyped setting name instead of ignoring it', () => {
    assert.deepEqual(problems({ SECRET_MANAGER_PROT: '9000' }), ['SECRET_MANAGER_PROT: unknown setting (see the README for the list)']);
    assert.doesNotThrow(() => loadConfig({ SECRET_MANAGER_URL: 'http://x', SECRET_MANAGER_API_KEY: 'k', PATH: '/bin' }));
  });

  it('requires a database URL and a master key for securestore', () => {
    const p = problems({ SECRET_MANAGER: 'securestore' });
    assert.equal(p.length, 2);
    assert.ok(p.some((x) => x.startsWith('SECRET_MANAGER_DATABASE_URL')), "p.some((x) => x.startsWith('SECRET_MANAGER_DATABASE_URL'))");
    assert.ok(p.some((x) => x.startsWith('SECRET_MANAGER_MASTER_KEY')), "p.some((x) => x.startsWith('SECRET_MANAGER_MASTER_KEY'))");
  });

  it('refuses an alias and its canonical name set to different values', () => {
    const p = problems({ SECRET_MANAGER: 'filebased', H2OGPTE_SECRET_MANAGER: 'securestore' });
    assert.match(p[0]!, /SECRET_MANAGER: set more than once/);
    assert.doesNotThrow(() => loadConfig({ SECRET_MANAGER_ENABLED: 'true', H2OGPTE_SECRET_MANAGER_ENABLED: 'true' }));
  });

  it('parses a keyring whose first entry is current, refusing duplicates and short keys', () => {
    assert.deepEqual(loadConfig({ SECRET_MANAGER_MASTER_KEY: KEY_A }).masterKeys?.map((k) => k.id), ['default']);
    assert.match(problems({ SECRET_MANAGER_MASTER_KEY: `a:${KEY_A},a:${KEY_B}` })[0]!, /appears twice/);
    assert.match(problems({ SECRET_MANAGER_MASTER_KEY: `a:${Buffer.alloc(16).toString('base64')}` })[0]!, /32 bytes/);
    assert.match(problems({ SECRET_MANAGER_MASTER_KEY: 'bad id!:' + KEY_A })[0]!, /key id/);
  });

  it('has closed, generous defaults for the HTTP surface', () => {
    const c = loadConfig({});
    assert.equal(c.tls, undefined);
    assert.deepEqual(c.corsOrigins, []);
    assert.deepEqual(c.trustedProxies, []);
    assert.deepEqual([c.rateLimitPerKey, c.rateLimitPerAddress, c.requestTimeoutSeconds, c.headersTimeoutSeconds], [6000, 12000, 30, 10]);
  });

  it('reads a TLS certificate and key from files, both or neither, and checks that they belong together', () => {
    const dir = tempDir();
    const a = selfSignedCert(dir, 'a');
    const b = selfSignedCert(dir, 'b');
    const c = loadConfig({ SECRET_MANAGER_TLS_CERT_FILE: a.certFile, SECRET_MANAGER_TLS_KEY_FILE: a.keyFile });
    assert.equal(c.tls?.cert, a.cert.trim());
    assert.deepEqual(problems({ SECRET_MANAGER_TLS_KEY_FILE: a.keyFile }), ['SECRET_MANAGER_TLS_CERT_FILE and SECRET_MANAGER_TLS_KEY_FILE: set both or neither']);
    assert.deepEqual(problems({ SECRET_MANAGER_TLS_CERT_FILE: a.certFile, SECRET_MANAGER_TLS_KEY_FILE: b.keyFile }), ['SECRET_MANAGER_TLS_KEY_FILE: the key does not belong to the certificate']);
    const p = problems({ SECRET_MANAGER_TLS_CERT_FILE: a.keyFile, SECRET_MANAGER_TLS_KEY_FILE: a.certFile });
    assert.deepEqual(p.map((x) => x.split(':')[0]), ['SECRET_MANAGER_TLS_CERT_FILE', 'SECRET_MANAGER_TLS_KEY_FILE']);
    assert.ok(!p.join('\n').includes('PRIVATE KEY'), 'the key is never echoed');
  });

  it('checks CORS origins, trusted proxies and timeouts', () => {
    assert.deepEqual(loadConfig({ SECRET_MANAGER_CORS_ORIGINS: 'https://App.Example.com, http://localhost:5173' }).corsOrigins, ['https://app.example.com', 'http://localhost:5173']);
    for (const bad of ['*', 'https://app.example.com/', 'app.example.com', 'https://a.example.com/path']) {
      assert.match(problems({ SECRET_MANAGER_CORS_ORIGINS: bad })[0]!, /^SECRET_MANAGER_CORS_ORIGINS: each entry must be an origin/, bad);
    }
    assert.deepEqual(loadConfig({ SECRET_MANAGER_TRUSTED_PROXIES: '10.0.0.0/8,::1,loopback' }).trustedProxies, ['10.0.0.0/8', '::1', 'loopback']);
    for (const bad of ['10.0.0.0/33', 'proxy.example.com', '*']) assert.match(problems({ SECRET_MANAGER_TRUSTED_PROXIES: bad })[0]!, /^SECRET_MANAGER_TRUSTED_PROXIES:/, bad);
    assert.match(problems({ SECRET_MANAGER_HEADERS_TIMEOUT_SECONDS: '60', SECRET_MANAGER_REQUEST_TIMEOUT_SECONDS: '30' })[0]!, /must not exceed/);
    assert.equal(loadConfig({ SECRET_MANAGER_RATE_LIMIT_PER_KEY: '0' }).rateLimitPerKey, 0);
  });
});
