// fetch for the REST providers (Graph, SharePoint On-Premises, Confluence): a deadline, and
// network failures and HTTP statuses turned into reasons. No vendor message is passed on: an
// error page may echo the request, headers included.
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ProviderFailure, type FailureReason } from './types.js';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']);

/** The error code of a network failure, looking through fetch's "fetch failed" wrapper. */
export function networkCode(e: unknown): string | undefined {
  for (let x: unknown = e, i = 0; x && i < 4; x = (x as { cause?: unknown }).cause, i++) {
    const code = (x as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    const name = (x as { name?: unknown }).name;
    if (name === 'TimeoutError' || name === 'AbortError') return 'TIMEOUT';
  }
  return undefined;
}

export function unreachable(what: string, code: string, timeoutMs: number): ProviderFailure {
  const why = code === 'TIMEOUT' ? `did not answer within ${timeoutMs / 1000} s` : `could not be reached (${code})`;
  return new ProviderFailure('unreachable', `${what} ${why}.`, code);
}

export async function request(what: string, url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw unreachable(what, networkCode(e) ?? 'network error', timeoutMs);
  }
}

/** The usual meaning of an HTTP refusal; callers pass the sentence for each case they know better. */
export function statusFailure(what: string, status: number, says: Partial<Record<FailureReason, string>> = {}): ProviderFailure {
  const reason: FailureReason = status === 401 ? 'invalid_credentials' : status === 403 ? 'no_access' : status === 404 ? 'target_not_found' : 'provider_error';
  const fallback: Record<FailureReason, string> = {
    invalid_credentials: `${what} refused the credentials (HTTP 401).`,
    expired: `${what} says the credential has expired.`,
    no_access: `${what} accepted the credentials but refused access (HTTP 403).`,
    target_not_found: `${what} found nothing at the target (HTTP 404).`,
    target_required: `${what} needs a target to check this credential.`,
    unreachable: `${what} could not be reached.`,
    provider_error: `${what} answered HTTP ${status}.`,
  };
  return new ProviderFailure(reason, says[reason] ?? fallback[reason], `HTTP ${status}`);
}

export async function json<T>(what: string, r: Response): Promise<T> {
  try {
    return (await r.json()) as T;
  } catch {
    throw new ProviderFailure('provider_error', `${what} did not answer with JSON; is the URL right?`);
  }
}

export function nodeStream(r: Response): Readable {
  if (!r.body) return Readable.from([]);
  return Readable.fromWeb(r.body as unknown as WebReadableStream<Uint8Array>);
}

export const basicAuth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

/** Cursors carry an offset or a token; anything else is refused before it reaches a vendor. */
export const encodeCursor = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
export function decodeCursor(c: string | undefined): string | undefined {
  return c === undefined ? undefined : Buffer.from(c, 'base64url').toString('utf8');
}

export const trimSlashes = (s: string) => s.replace(/^\/+|\/+$/g, '');
export const joinPath = (...parts: (string | undefined)[]) => parts.map((p) => trimSlashes(p ?? '')).filter(Boolean).join('/');
