// Audit entries whose text came from a client: whatever the bytes, the chain must still verify.
// Found by the fuzz: an email with a lone surrogate (valid JSON: "\ud800") was hashed as written
// but stored as U+FFFD, so verify reported an edit that nobody made, and stopped looking there.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { startTestEnv } from '../../test/helpers.js';

it('text a client sent (lone surrogates, NUL, controls, bidi overrides) keeps the chain verifiable', async () => {
  const t = await startTestEnv();
  try {
    for (const odd of ['\ud800', 'a\udfffb', '\u0000', 'x\u0000y', '\u202e\u0007', '\ufeff😀\ud83d']) {
      const r = await t.app.inject({
        method: 'POST', url: '/api/v1/auth/login',
        headers: { 'content-type': 'application/json', 'user-agent': 'agent' },
        payload: JSON.stringify({ email: `${odd}@example.com`, password: `pw${odd}` }),
      });
      // NUL is refused before the store sees it (400, store/text-guard.ts); the rest are failed sign-ins.
      assert.equal(r.statusCode, odd.includes('\u0000') ? 400 : 401, r.body);
    }
    const v = await t.coffer.audit.verify();
    assert.deepEqual({ ok: v.ok, reason: v.reason }, { ok: true, reason: undefined });
    assert.ok(v.entries >= 5, `${v.entries} entries`);
  } finally {
    await t.close();
  }
});
