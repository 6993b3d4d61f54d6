// What every answer to a fuzzed request must satisfy: no 5xx, a documented status, the error
// shape of SPEC section 3 on every 4xx, and no secret value except the caller's own read of it.
import { CATALOGUE } from '../../src/errors.js';
import type { Caller, Req } from './families.js';

export interface Canary {
  id: string;
  value: string;
  /** Callers allowed to read it through GET /secrets/{id}/value. */
  readers: Caller[];
}

export interface Answer {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

const SUCCESS = new Set([200, 201]);
const CODES = new Map(Object.entries(CATALOGUE));

/** The path a client means: dot segments resolved, escapes decoded (undefined if undecodable). */
function meantPath(path: string): string | undefined {
  try {
    return decodeURIComponent(new URL(`http://x/api/v1${path}`).pathname);
  } catch {
    return undefined;
  }
}

/** Returns what is wrong with an answer, or undefined. */
export function judge(req: Req, res: Answer, canaries: Canary[], neverShown: string[]): string | undefined {
  if (res.statusCode >= 500) return `${res.statusCode}: ${res.body.slice(0, 300)}`;
  if (!SUCCESS.has(res.statusCode) && (res.statusCode < 400 || res.statusCode > 499)) return `undocumented status ${res.statusCode}`;
  if (res.statusCode >= 400 && req.method !== 'HEAD') {
    let e: { error?: { code?: unknown; message?: unknown } };
    try {
      e = JSON.parse(res.body) as typeof e;
    } catch {
      return `a ${res.statusCode} without a JSON body: ${res.body.slice(0, 200)}`;
    }
    const code = e.error?.code;
    if (typeof code !== 'string' || typeof e.error?.message !== 'string') return `not the error shape: ${res.body.slice(0, 200)}`;
    if (CODES.get(code) !== res.statusCode) return `code ${code} with status ${res.statusCode}`;
  }
  const everything = `${res.body}\n${JSON.stringify(res.headers)}`;
  for (const s of neverShown) if (everything.includes(s)) return `a credential or key appeared in the answer`;
  for (const c of canaries) {
    if (!everything.includes(c.value)) continue;
    const legitimate = res.statusCode === 200 && req.method === 'GET' && meantPath(req.path.split('?')[0]!) === `/api/v1/secrets/${c.id}/value` && c.readers.includes(req.caller);
    if (!legitimate) return `the value of ${c.id} reached ${req.caller} in ${req.method} ${req.path.slice(0, 100)} → ${res.statusCode}`;
  }
  return undefined;
}
