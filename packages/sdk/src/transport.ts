// The fetch that every SDK call goes through: the API key, a deadline per attempt, and retries
// with exponential backoff and jitter on 429 and 503 (the server did not carry the request out),
// honouring Retry-After. A request that got no answer is retried only when it reads (GET/HEAD):
// a create or update may have landed before the connection broke.
import { ConnectionError, RateLimitedError, retryAfterSeconds, TimeoutError } from './errors.js';

export interface RetryOptions {
  /** Further attempts after the first; 0 turns retrying off. Default 3. */
  retries?: number;
  /** First backoff; doubles each time, with full jitter. Default 200 ms. */
  baseDelayMs?: number;
  /** Longest backoff between attempts. Default 5 s. */
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the error is thrown instead. Default 60 s. */
  maxRetryAfterMs?: number;
}

export interface TransportOptions extends RetryOptions {
  apiKey: string;
  /** Per attempt, including reading the body of JSON answers. Default 30 s. */
  timeoutMs?: number;
  userAgent?: string;
  fetch?: typeof globalThis.fetch;
  /** For tests: how to wait. */
  sleep?: (ms: number) => Promise<void>;
}

const RETRY_STATUS = new Set([429, 503]);
const SAFE = new Set(['GET', 'HEAD']);

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createTransport(o: TransportOptions): (req: Request) => Promise<Response> {
  const retries = o.retries ?? 3;
  const base = o.baseDelayMs ?? 200;
  const maxDelay = o.maxDelayMs ?? 5_000;
  const maxRetryAfter = o.maxRetryAfterMs ?? 60_000;
  const timeoutMs = o.timeoutMs ?? 30_000;
  const doFetch = o.fetch ?? globalThis.fetch;
  const sleep = o.sleep ?? defaultSleep;

  return async (original: Request) => {
    // The body can be read once: every attempt sends a copy.
    const template = new Request(original, { headers: new Headers(original.headers) });
    template.headers.set('authorization', `Bearer ${o.apiKey}`);
    template.headers.set('user-agent', o.userAgent ?? 'coffer-sdk/0.1.0');
    for (let attempt = 0; ; attempt++) {
      const deadline = AbortSignal.timeout(timeoutMs);
      const signal = original.signal ? AbortSignal.any([original.signal, deadline]) : deadline;
      let r: Response;
      try {
        r = await doFetch(template.clone(), { signal });
      } catch (e) {
        if (original.signal?.aborted) throw e;
        const err = deadline.aborted
          ? new TimeoutError(`Coffer did not answer ${original.method} ${new URL(original.url).pathname} within ${timeoutMs} ms.`, 'sdk_timeout', 0)
          : new ConnectionError(`Could not reach Coffer at ${new URL(original.url).origin}: ${causeOf(e)}.`, 'sdk_connection', 0);
        if (attempt >= retries || !SAFE.has(original.method)) throw err;
        await sleep(backoff(attempt, base, maxDelay));
        continue;
      }
      if (!RETRY_STATUS.has(r.status) || attempt >= retries) return r;
      const after = retryAfterSeconds(r.headers.get('retry-after'));
      if (after !== undefined && after * 1000 > maxRetryAfter) {
        // Waiting that long would surprise the caller more than an error would.
        if (r.status === 429) throw new RateLimitedError(`Coffer asked to wait ${after} s before retrying.`, 'rate_limited', 429, undefined, r.headers.get('x-request-id') ?? undefined, after);
        return r;
      }
      await r.body?.cancel().catch(() => undefined);
      await sleep(after !== undefined ? after * 1000 : backoff(attempt, base, maxDelay));
    }
  };
}

/** Full jitter: a random wait up to base·2^attempt, capped. */
function backoff(attempt: number, base: number, max: number): number {
  return Math.round(Math.random() * Math.min(max, base * 2 ** attempt));
}

function causeOf(e: unknown): string {
  const c = (e as { cause?: { code?: string; message?: string } }).cause;
  return c?.code ?? c?.message ?? (e as Error)?.message ?? 'network error';
}
