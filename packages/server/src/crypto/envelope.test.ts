import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createEnvelope, DecryptError, type RowRef } from './envelope.js';
import { Keyring } from './keyring.js';

const ring = (...ids: string[]) => new Keyring(ids.map((id) => ({ id, key: randomBytes(32) })));
const refArb = fc.record({
  workspace: fc.constant('default'),
  secretId: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$/),
  version: fc.integer({ min: 1, max: 1_000_000 }),
});

describe('envelope encryption', () => {
  const env = createEnvelope(ring('k1'));

  it('round-trips any value', () => {
    fc.assert(fc.property(refArb, fc.uint8Array({ maxLength: 4096 }), (ref, bytes) => {
      const sealed = env.seal(ref, Buffer.from(bytes));
      assert.deepEqual(env.open(ref, sealed), Buffer.from(bytes));
      assert.equal(sealed.kekId, 'k1');
    }), { numRuns: 300 });
  });

  it('never stores the plaintext or the data key in the sealed bytes', () => {
    const plain = Buffer.from('canary-plaintext-canary-plaintext');
    const s = env.seal({ workspace: 'default', secretId: 'x', version: 1 }, plain);
    assert.equal(s.ciphertext.indexOf(plain), -1);
    assert.equal(s.wrappedKey.indexOf(plain), -1);
  });

  it('fails to open when any byte of the value or the wrapped key is flipped', () => {
    fc.assert(fc.property(refArb, fc.uint8Array({ minLength: 1, maxLength: 512 }), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (ref, bytes, pos, flip, inKey) => {
      const sealed = env.seal(ref, Buffer.from(bytes));
      const target = Buffer.from(inKey ? sealed.wrappedKey : sealed.ciphertext);
      target[pos % target.length]! ^= flip;
      const tampered = inKey ? { ...sealed, wrappedKey: target } : { ...sealed, ciphertext: target };
      assert.throws(() => env.open(ref, tampered), DecryptError);
    }), { numRuns: 300 });
  });

  it("fails to open a value copied onto another secret's or another version's row", () => {
    fc.assert(fc.property(refArb, refArb, fc.uint8Array({ maxLength: 256 }), (a, b, bytes) => {
      fc.pre(a.secretId !== b.secretId || a.version !== b.version);
      const sealed = env.seal(a, Buffer.from(bytes));
      assert.throws(() => env.open(b, sealed), DecryptError);
      // Mixing rows: the value of one with the data key of another.
      const other = env.seal(b, Buffer.from(bytes));
      assert.throws(() => env.open(a, { ...sealed, wrappedKey: other.wrappedKey }), DecryptError);
    }), { numRuns: 300 });
  });

  it('fails to open with a wrong or missing key-encryption key', () => {
    const ref: RowRef = { workspace: 'default', secretId: 's', version: 1 };
    const sealed = env.seal(ref, Buffer.from('v'));
    assert.throws(() => createEnvelope(new Keyring([{ id: 'k1', key: randomBytes(32) }])).open(ref, sealed), DecryptError);
    assert.throws(() => createEnvelope(ring('k2')).open(ref, sealed), /not in the keyring/);
    assert.throws(() => env.open(ref, { ...sealed, kekId: 'k2' }), DecryptError);
  });

  it('re-wraps a data key under the newest key without touching the value', () => {
    const old = ring('old');
    const ref: RowRef = { workspace: 'default', secretId: 'rot', version: 3 };
    const sealed = createEnvelope(old).seal(ref, Buffer.from('value'));
    const both = new Keyring([{ id: 'new', key: randomBytes(32) }, { id: 'old', key: old.get('old')! }]);
    const e2 = createEnvelope(both);
    const re = e2.rewrap(ref, sealed.kekId, sealed.wrappedKey);
    assert.equal(re.kekId, 'new');
    assert.equal(e2.open(ref, { ...sealed, ...re }).toString(), 'value');
    // Once the old key is gone, the re-wrapped row still opens.
    const onlyNew = new Keyring([{ id: 'new', key: both.get('new')! }]);
    assert.equal(createEnvelope(onlyNew).open(ref, { ...sealed, ...re }).toString(), 'value');
  });

  it('never shows a key when the keyring is logged', () => {
    const r = ring('k1');
    const key = r.get('k1')!.toString('base64');
    assert.ok(!JSON.stringify(r).includes(key), '!JSON.stringify(r).includes(key)');
    assert.ok(!inspect(r).includes(key), '!inspect(r).includes(key)');
  });
});
