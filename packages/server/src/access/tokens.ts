// API keys and session tokens: random, shown once, stored as SHA-256 (they are high-entropy, so a
// slow hash adds nothing), compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_PREFIX = 'coffer_';
const KEY_RE = /^coffer_([a-f0-9]{16})_([A-Za-z0-9_-]{32,200})$/;

export const sha256 = (s: string | Buffer): Buffer => createHash('sha256').update(s).digest();

export function newApiKey(): { id: string; key: string; prefix: string; hash: Buffer } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, key: `${API_KEY_PREFIX}${id}_${secret}`, prefix: `${API_KEY_PREFIX}${id}`, hash: sha256(secret) };
}

/** SECRET_MANAGER_ADMIN_API_KEY: an operator-chosen key; its id is derived so it is stable across restarts. */
export function operatorApiKey(key: string): { id: string; hash: Buffer; prefix: string } {
  const parsed = parseApiKey(key);
  if (parsed) return { id: parsed.id, hash: sha256(parsed.secret), prefix: `${API_KEY_PREFIX}${parsed.id}` };
  const id = sha256(`coffer-operator-key:${key}`).subarray(0, 8).toString('hex');
  return { id, hash: sha256(key), prefix: `${API_KEY_PREFIX}${id}` };
}

export function parseApiKey(key: string): { id: string; secret: string } | undefined {
  const m = KEY_RE.exec(key);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

export const sameHash = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

export const newToken = (): string => randomBytes(32).toString('base64url');
