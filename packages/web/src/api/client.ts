// The one way the UI talks to the server: JSON over fetch with the session cookie, the CSRF
// header on every state change, and every failure turned into an ApiError with words a user can read.

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Validation problems by field, as the server lists them (`body.secret_value.region` …). */
  get fieldProblems(): FieldProblem[] {
    const d = this.details as { fields?: FieldProblem[] } | undefined;
    return Array.isArray(d?.fields) ? d.fields : [];
  }
}

// In memory only: a script injected elsewhere cannot read it from storage, and after a reload
// GET /auth/session hands it out again for the (HttpOnly) cookie.
let csrfToken: string | null = null;
export const setCsrfToken = (t: string | null) => {
  csrfToken = t;
};

let onSessionLost: (() => void) | null = null;
/** Called when a request answers 401: the session ended (idle timeout, sign-out elsewhere). */
export const setSessionLostHandler = (fn: (() => void) | null) => {
  onSessionLost = fn;
};

const SAFE = new Set(['GET', 'HEAD']);

export interface RequestOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Sign-in and the session probe answer 401 as a normal outcome, not as a lost session. */
  expect401?: boolean;
}

export async function api<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (!SAFE.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method, headers, credentials: 'same-origin', signal: opts.signal,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network_error', 'Cannot reach the Coffer server. Check that it is running and your connection works, then try again.');
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (res.ok) return json as T;
  const err = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
  const e = err?.code
    ? new ApiError(res.status, err.code, err.message ?? err.code, err.details)
    : new ApiError(res.status, 'http_error', `The server answered ${res.status} ${res.statusText || ''}`.trim() + '. Try again in a moment.');
  if (res.status === 401 && !opts.expect401) onSessionLost?.();
  throw e;
}

/** Builds `?a=1&b=2`, leaving out empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
