import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../test/helpers.js';
import { ConfigError, loadConfig } from './config.js';

const KEY_A = Buffer.alloc(32, 1).toString('base64');
const KEY_B = Buffer.alloc(32, 2).toString('base64');

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
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
    assert.ok(Object.isFrozen(c));
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
    assert.ok(p.some((x) => x.startsWith('SECRET_MANAGER_DATABASE_URL')));
    assert.ok(p.some((x) => x.startsWith('SECRET_MANAGER_MASTER_KEY')));
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
});
