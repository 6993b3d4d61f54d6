// Where SQLite and PostgreSQL differ unless store/ evens them out, seen through the API: the same
// answers on both backends (scripts/test.sh runs this file on each).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startTestEnv, userWithKey, type TestEnv } from '../../test/helpers.js';

const B = '/api/v1';
let t: TestEnv;
before(async () => {
  t = await startTestEnv();
});
after(() => t.close());

it('U+0000 in text is a 400 naming the problem, never a 500', async () => {
  const r = await t.admin('POST', `${B}/secrets`, { secret_id: 'nul', secret_value: { a: 'b' }, description: 'a\u0000b' });
  assert.equal(r.statusCode, 400, r.body);
  assert.match(r.json().error.message, /NUL/);
  assert.equal((await t.admin('GET', `${B}/secrets?q=${encodeURIComponent('a\u0000')}`)).statusCode, 400);
  // In a value it is fine: values are encrypted bytes.
  assert.equal((await t.admin('POST', `${B}/secrets`, { secret_id: 'nul-value', secret_value: { a: 'b\u0000c' } })).statusCode, 201);
  assert.deepEqual((await t.admin('GET', `${B}/secrets/nul-value/value`)).json(), { a: 'b\u0000c' });
});

it('a refusal for a path with U+0000 in it is still audited (the audit log records it as U+FFFD)', async () => {
  const viewer = await userWithKey(t, 'nul-viewer@example.com', ['viewer']);
  const r = await t.as(viewer.key)('GET', `${B}/roles/${encodeURIComponent('a\u0000b')}`);
  assert.equal(r.statusCode, 403, r.body);
  const audit = (await t.admin('GET', `${B}/audit?actor=nul-viewer@example.com`)).json().items as { target: string; outcome: string }[];
  assert.ok(audit.some((e) => e.outcome === 'denied' && e.target === 'role:a\uFFFDb'), JSON.stringify(audit));
  assert.equal((await t.admin('GET', `${B}/roles/${encodeURIComponent('a\u0000b')}`)).statusCode, 400, 'an administrator gets the validation error');
  assert.equal((await t.admin('GET', `${B}/audit/verify`)).json().ok, true);
});

it('ids sort and page byte by byte (upper case first), whatever the database locale', async () => {
  const ids = ['b-sort', 'B-sort', 'a-sort', 'A-sort', '_sort', 'Z-sort'];
  for (const id of ids.filter((i) => /^[A-Za-z0-9]/.test(i))) assert.equal((await t.admin('POST', `${B}/secrets`, { secret_id: id, secret_value: { a: 'b' } })).statusCode, 201);
  const listed = ((await t.admin('GET', `${B}/secrets/ids`)).json() as string[]).filter((i) => i.endsWith('-sort'));
  assert.deepEqual(listed, ['A-sort', 'B-sort', 'Z-sort', 'a-sort', 'b-sort']);
  const pages: string[] = [];
  let cursor: string | null = null;
  do {
    const page = (await t.admin('GET', `${B}/secrets?q=-sort&limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json() as { items: { id: string }[]; next_cursor: string | null };
    pages.push(...page.items.map((s) => s.id));
    cursor = page.next_cursor;
  } while (cursor);
  assert.deepEqual(pages, listed);
});

it('search treats % and _ literally and ignores ASCII case on both', async () => {
  for (const [id, description] of [['pct', '100% sure'], ['under', 'snake_case'], ['plain', 'nothing special']]) {
    await t.admin('POST', `${B}/secrets`, { secret_id: `q-${id}`, secret_value: { a: 'b' }, description });
  }
  const find = async (q: string) => ((await t.admin('GET', `${B}/secrets?q=${encodeURIComponent(q)}`)).json().items as { id: string }[]).map((s) => s.id);
  assert.deepEqual(await find('%'), ['q-pct']);
  assert.deepEqual(await find('E_C'), ['q-under']);
  assert.deepEqual(await find('Q-PLAIN'), ['q-plain']);
});
