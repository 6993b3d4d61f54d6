import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../test/helpers.js';
import { runMain, startServer } from '../test/process.js';

describe('npm start', () => {
  it('refuses bad settings with one message naming every problem, and exit code 2', async () => {
    const r = runMain({ SECRET_MANAGER: 'nosql', SECRET_MANAGER_PORT: 'http', H2OGPTE_SECRET_MANAGER_ENABLED: 'maybe' });
    assert.equal(await r.exited, 2);
    const text = r.output();
    assert.match(text, /Invalid Coffer settings/);
    for (const name of ['SECRET_MANAGER:', 'SECRET_MANAGER_PORT:', 'SECRET_MANAGER_ENABLED:']) assert.ok(text.includes(name), `${name} missing in:\n${text}`);
  });

  it('starts on a fresh data dir: prints the URL and the first admin password once, creates a 0600 key file, stops on SIGTERM', async () => {
    const dir = tempDir();
    const s = await startServer({ SECRET_MANAGER_DATA_DIR: dir });
    try {
      const pw = /password: (\S+)/.exec(s.output())?.[1];
      assert.ok(pw, s.output());
      assert.match(s.output(), /First administrator: admin@localhost/);
      const keyFile = path.join(dir, 'master.key');
      assert.equal(statSync(keyFile).mode & 0o777, 0o600);
      assert.ok(existsSync(path.join(dir, 'coffer.db')), "existsSync(path.join(dir, 'coffer.db'))");
      const login = await fetch(`${s.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@localhost', password: pw }) });
      assert.equal(login.status, 200);
      assert.ok(!s.output().includes('"level":'), 'no request logs at warn level');
    } finally {
      assert.equal(await s.stop(), 0);
    }
    assert.match(s.output(), /SIGTERM: shutting down/);
    // Second start: the administrator exists, nothing is printed about it.
    const again = await startServer({ SECRET_MANAGER_DATA_DIR: dir });
    try {
      assert.ok(!/password:/.test(again.output()), '!/password:/.test(again.output())');
    } finally {
      await again.stop();
    }
  });

  it('refuses a key file that others can read', async () => {
    const dir = tempDir();
    const s = await startServer({ SECRET_MANAGER_DATA_DIR: dir });
    await s.stop();
    const { chmodSync } = await import('node:fs');
    chmodSync(path.join(dir, 'master.key'), 0o644);
    const r = runMain({ SECRET_MANAGER_DATA_DIR: dir, SECRET_MANAGER_PORT: '0' });
    assert.equal(await r.exited, 1);
    assert.match(r.output(), /readable by others.*chmod 600/);
  });
});
