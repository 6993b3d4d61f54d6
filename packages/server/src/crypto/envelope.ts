// Envelope encryption (SPEC section 6): a fresh data key per secret version encrypts the value with
// AES-256-GCM; the data key is wrapped by a key-encryption key whose id is stored beside it.
// Both layers bind the row they belong to as associated data, so a value or wrapped key copied onto
// another secret or version fails to open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring } from './keyring.js';

const IV = 12;
const TAG = 16;

export interface Sealed {
  kekId: string;
  wrappedKey: Buffer;
  ciphertext: Buffer;
}

export interface RowRef {
  workspace: string;
  secretId: string;
  version: number;
}

export class DecryptError extends Error {
  constructor(reason: string) {
    super(`cannot decrypt secret value: ${reason}`);
    this.name = 'DecryptError';
  }
}

const valueAad = (r: RowRef) => Buffer.from(`coffer/value/v1\0${r.workspace}\0${r.secretId}\0${r.version}`);
const keyAad = (r: RowRef, kekId: string) => Buffer.from(`coffer/dek/v1\0${kekId}\0${r.workspace}\0${r.secretId}\0${r.version}`);

/** AES-256-GCM: iv || ciphertext || tag, with aad bound in. Also frames backups (backup/format.ts). */
export function gcmSeal(key: Buffer, plain: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad);
  const body = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([iv, body, c.getAuthTag()]);
}

export function gcmOpen(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < IV + TAG) throw new DecryptError('truncated');
  const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV));
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    return Buffer.concat([d.update(sealed.subarray(IV, sealed.length - TAG)), d.final()]);
  } catch {
    throw new DecryptError('authentication failed');
  }
}

/** Opens a value with its plain data key (a backup checks every value it holds this way). */
export const openWithDataKey = (ref: RowRef, dek: Buffer, ciphertext: Buffer): Buffer => gcmOpen(dek, ciphertext, valueAad(ref));

export function createEnvelope(keyring: Keyring) {
  function unwrap(ref: RowRef, kekId: string, wrapped: Buffer): Buffer {
    const kek = keyring.get(kekId);
    if (!kek) throw new DecryptError(`key-encryption key '${kekId}' is not in the keyring`);
    return gcmOpen(kek, wrapped, keyAad(ref, kekId));
  }

  return {
    currentKekId: () => keyring.currentId,

    seal(ref: RowRef, plaintext: Buffer): Sealed {
      const dek = randomBytes(32);
      try {
        const { id, key } = keyring.current();
        return { kekId: id, wrappedKey: gcmSeal(key, dek, keyAad(ref, id)), ciphertext: gcmSeal(dek, plaintext, valueAad(ref)) };
      } finally {
        dek.fill(0);
      }
    },

    /** The caller owns the returned buffer and should zero it when done. */
    open(ref: RowRef, sealed: Sealed): Buffer {
      const dek = unwrap(ref, sealed.kekId, sealed.wrappedKey);
      try {
        return gcmOpen(dek, sealed.ciphertext, valueAad(ref));
      } finally {
        dek.fill(0);
      }
    },

    /** The plain data key of a version, for a backup to wrap under its own key. The caller zeroes it. */
    unwrapDataKey: (ref: RowRef, kekId: string, wrapped: Buffer): Buffer => unwrap(ref, kekId, wrapped),

    /** Wraps a data key (from a backup) under the current key-encryption key. */
    wrapDataKey(ref: RowRef, dek: Buffer): { kekId: string; wrappedKey: Buffer } {
      const { id, key } = keyring.current();
      return { kekId: id, wrappedKey: gcmSeal(key, dek, keyAad(ref, id)) };
    },

    /** Re-wraps a data key under the current key-encryption key; the value ciphertext is untouched. */
    rewrap(ref: RowRef, kekId: string, wrapped: Buffer): { kekId: string; wrappedKey: Buffer } {
      const dek = unwrap(ref, kekId, wrapped);
      try {
        const { id, key } = keyring.current();
        return { kekId: id, wrappedKey: gcmSeal(key, dek, keyAad(ref, id)) };
      } finally {
        dek.fill(0);
      }
    },
  };
}

export type Envelope = ReturnType<typeof createEnvelope>;
