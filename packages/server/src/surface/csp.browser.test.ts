// The Content-Security-Policy in a real browser: the Swagger UI at /api/v1/docs must render with
// coffer-test: sqlite-only (the HTTP surface sits in front of the store; a second run on PostgreSQL would test nothing new)
// no violation. A page with an inline script under the same policy must report one, which shows
// that the check sees violations at all. Needs Debian's chromium (.ci/run installs it).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { startTestEnv, tempDir } from '../../test/helpers.js';
import { DEFAULT_WEB_ROOT } from '../web/ui.routes.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Loads a page, returns its DOM after scripts ran and the console lines that report CSP violations. */
async function load(url: string): Promise<{ dom: string; violations: string[] }> {
  const { stdout, stderr } = await promisify(execFile)(CHROMIUM, [
    ...FLAGS, `--user-data-dir=${path.join(tempDir('coffer-chromium-'), 'profile')}`, '--enable-logging=stderr', '--v=0',
    '--virtual-time-budget=10000', '--dump-dom', url,
  ], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  const violations = stderr.split('\n').filter((l) => l.includes(':CONSOLE') && /Content Security Policy/i.test(l));
  return { dom: stdout, violations };
}

it('the Swagger UI and the web UI render under the CSP without a single violation', { skip: !existsSync(CHROMIUM) && 'chromium is not installed' }, async () => {
  const t = await startTestEnv();
  const control = http.createServer();
  try {
    const base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const docs = await load(`${base}/api/v1/docs/`);
    assert.deepEqual(docs.violations, []);
    const operations = docs.dom.match(/opblock-summary-path/g)?.length ?? 0;
    assert.ok(operations > 20, `the API operations were rendered (${operations})`);

    // The React UI (Mantine writes <style> elements), when it is built (npm test builds it first).
    if (existsSync(path.join(DEFAULT_WEB_ROOT, 'index.html'))) {
      const ui = await load(`${base}/sign-in`);
      assert.deepEqual(ui.violations, []);
      assert.match(ui.dom, /type="password"/, 'the sign-in form was rendered');
      assert.match(ui.dom, /<style[^>]*data-mantine/, "Mantine's own <style> elements are there, and applied");
    }

    const csp = (await fetch(`${base}/healthz`)).headers.get('content-security-policy')!;
    control.on('request', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': csp });
      res.end('<!doctype html><html><body><script>document.title = "inline ran"</script></body></html>');
    });
    await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
    const bad = await load(`http://127.0.0.1:${(control.address() as AddressInfo).port}/`);
    assert.equal(bad.violations.length, 1, 'an inline script is refused and reported');
    assert.ok(!bad.dom.includes('<title>inline ran'), 'and it did not run');
  } finally {
    control.close();
    await t.close();
  }
});
