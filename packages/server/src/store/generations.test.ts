import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Remembered, type Generations } from './generations.js';

const g = (access: number, content: number, listing = 0): Generations => ({ access, content, listing });
const strings = () => new Remembered<string>({ entries: 3, bytes: 100, size: (s) => s.length });

describe('Remembered', () => {
  it('answers what was set under the same generations', () => {
    const r = strings();
    r.set(g(1, 1), 'a', 'A');
    assert.equal(r.get(g(1, 1), 'a'), 'A');
    // The listing generation does not concern rows.
    assert.equal(r.get(g(1, 1, 9), 'a'), 'A');
  });

  it('forgets everything once a newer content or access generation is seen', () => {
    for (const newer of [g(1, 2), g(2, 1)]) {
      const r = strings();
      r.set(g(1, 1), 'a', 'A');
      assert.equal(r.get(newer, 'a'), undefined);
      assert.equal(r.get(g(1, 1), 'a'), undefined);
    }
  });

  it('never remembers a row read under older generations, which may be stale by now', () => {
    const r = strings();
    r.set(g(5, 5), 'a', 'A-new');
    r.set(g(5, 4), 'b', 'B-old');
    assert.equal(r.get(g(5, 5), 'b'), undefined);
    assert.equal(r.get(g(5, 4), 'a'), undefined, 'an older request does not use newer rows either');
    assert.equal(r.get(g(5, 5), 'a'), 'A-new');
  });

  it('stays within its entry and byte limits, dropping the oldest first', () => {
    const r = strings();
    for (const k of ['a', 'b', 'c', 'd']) r.set(g(1, 1), k, k.repeat(10));
    assert.equal(r.get(g(1, 1), 'a'), undefined);
    assert.deepEqual(['b', 'c', 'd'].map((k) => r.get(g(1, 1), k)), ['b'.repeat(10), 'c'.repeat(10), 'd'.repeat(10)]);
    r.set(g(1, 1), 'big', 'x'.repeat(90));
    assert.equal(r.get(g(1, 1), 'big'), 'x'.repeat(90));
    assert.equal(r.get(g(1, 1), 'c'), undefined);
    assert.equal(r.get(g(1, 1), 'b'), undefined);
    r.set(g(1, 1), 'huge', 'x'.repeat(101));
    assert.equal(r.get(g(1, 1), 'huge'), undefined, 'larger than the whole budget: not kept');
  });
});
