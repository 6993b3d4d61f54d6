import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Remembered, sharedReads, type Generations } from './generations.js';

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

describe('sharedReads', () => {
  // A read sees what was committed when it began, and answers later, as a query does.
  function store() {
    let committed = 0;
    const reads: { began: number; finish: (ok: boolean) => void }[] = [];
    const read = () => new Promise<number>((resolve, reject) => {
      const began = committed;
      reads.push({ began, finish: (ok) => (ok ? resolve(began) : reject(new Error('connection lost'))) });
    });
    const settle = async (ok = true) => {
      await new Promise((r) => setImmediate(r));
      reads.at(-1)!.finish(ok);
      // Its callers hear of it, and the next read (if any) starts, a turn later.
      for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
    };
    return { read, reads, settle, commit: () => committed++ };
  }

  const tick = () => new Promise((r) => setImmediate(r));

  it('never answers a caller with a read that began before it called, and shares reads among callers', async () => {
    const s = store();
    const shared = sharedReads(s.read, 1);
    const first = shared();
    await tick(); // the first read is under way
    s.commit(); // a change lands meanwhile
    const later = Array.from({ length: 10 }, () => shared());
    await s.settle();
    assert.equal(await first, 0);
    assert.equal(s.reads.length, 2, 'the ten later callers share one read, begun after the first ended');
    await s.settle();
    assert.deepEqual(await Promise.all(later), Array(10).fill(1));
  });

  it('with two reads allowed, later callers do not wait for the first to end', async () => {
    const s = store();
    const shared = sharedReads(s.read, 2);
    const first = shared();
    await tick();
    s.commit();
    const second = shared();
    await tick();
    assert.equal(s.reads.length, 2, 'a second read began at once');
    s.reads[1]!.finish(true);
    assert.equal(await second, 1);
    s.reads[0]!.finish(true);
    assert.equal(await first, 0);
  });

  it('a failed read fails its own callers only; the next callers get a new read', async () => {
    const s = store();
    const shared = sharedReads(s.read, 1);
    const failing = shared();
    await tick();
    const waiting = shared();
    const failed = assert.rejects(failing, /connection lost/);
    await s.settle(false);
    await failed;
    await s.settle();
    assert.equal(await waiting, 0);
    const after = shared();
    await s.settle();
    assert.equal(await after, 0);
    assert.equal(s.reads.length, 3);
  });

  it('a read that throws instead of rejecting fails its callers, and does not hold its place', async () => {
    let calls = 0;
    const shared = sharedReads(() => {
      if (++calls === 1) throw new Error('pool closed');
      return Promise.resolve(calls);
    }, 1);
    await assert.rejects(shared(), /pool closed/);
    assert.equal(await shared(), 2);
  });
});
