// Google Cloud Storage with a service-account key, through @google-cloud/storage. The key signs
// a JWT that Google's token endpoint exchanges for an access token; its refusals ("invalid_grant")
// mean the key itself is wrong, and the storage API's 401/403/404 say the rest.
import { Storage, type File } from '@google-cloud/storage';
import type { Readable } from 'node:stream';
import { decodeCursor, encodeCursor, networkCode, unreachable } from './http.js';
import { ObjectMissing, ProviderFailure, type Provider, type Target, type Value } from './types.js';

const WHAT = 'Google Cloud Storage';

/** The token endpoint's error, however gaxios or gtoken wrapped it. */
function tokenError(e: unknown): { error: string; description: string } | undefined {
  const data = (e as { response?: { data?: { error?: unknown; error_description?: unknown } } }).response?.data;
  if (data && typeof data.error === 'string') return { error: data.error, description: String(data.error_description ?? '') };
  const m = /^(invalid_grant|invalid_client|unauthorized_client|invalid_request)\b:?\s*(.*)$/s.exec((e as Error)?.message ?? '');
  return m ? { error: m[1]!, description: m[2]! } : undefined;
}

function failure(e: unknown, timeoutMs: number): ProviderFailure {
  if (e instanceof ProviderFailure) return e;
  const net = networkCode(e);
  if (net) return unreachable(WHAT, net, timeoutMs);
  const t = tokenError(e);
  if (t) {
    const d = t.description;
    if (/expired/i.test(d)) return new ProviderFailure('expired', 'Google says the service-account key has expired; create a new key.', t.error);
    if (/disabled|deleted/i.test(d)) return new ProviderFailure('invalid_credentials', 'Google refused the key: the service account is disabled or deleted.', t.error);
    if (/account not found/i.test(d)) return new ProviderFailure('invalid_credentials', 'Google does not know this service account (client_email).', t.error);
    if (/reasonable timeframe|iat|exp values/i.test(d)) return new ProviderFailure('provider_error', "Google refused the token request: this server's clock is off.", t.error);
    if (/signature/i.test(d)) return new ProviderFailure('invalid_credentials', 'Google refused the key: the JWT signature is invalid (the private key does not belong to this service account).', t.error);
    return new ProviderFailure('invalid_credentials', `Google refused the service-account key (${t.error}).`, t.error);
  }
  const status = Number((e as { code?: unknown }).code);
  const reason = (e as { errors?: { reason?: string }[] }).errors?.[0]?.reason;
  if (status === 401) return new ProviderFailure('invalid_credentials', 'Google Cloud Storage refused the access token.', reason ?? 'HTTP 401');
  if (status === 403) {
    if (reason === 'accountDisabled' || reason === 'userProjectAccountProblem') return new ProviderFailure('no_access', 'The project or billing account has a problem.', reason);
    return new ProviderFailure('no_access', 'The service account is valid, but it may not list this bucket and prefix.', reason ?? 'HTTP 403');
  }
  if (status === 404) return new ProviderFailure('target_not_found', 'The bucket does not exist.', reason ?? 'HTTP 404');
  if (Number.isInteger(status) && status >= 400) return new ProviderFailure('provider_error', `Google Cloud Storage answered ${status}.`, reason ?? `HTTP ${status}`);
  return new ProviderFailure('provider_error', `${WHAT} failed (${(e as Error)?.name ?? 'error'}).`);
}

function storage(v: Value, timeoutMs: number): Storage {
  const key = JSON.parse(v.service_account_json!) as { client_email: string; private_key: string };
  return new Storage({
    projectId: v.project_id,
    credentials: { client_email: key.client_email, private_key: key.private_key },
    retryOptions: { autoRetry: false, maxRetries: 0 },
    timeout: timeoutMs,
  });
}

/** Node streams cannot be given a deadline by the library alone; the timer covers the token exchange too. */
async function call<T>(timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unreachable(WHAT, 'TIMEOUT', timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([fn(), deadline]);
  } catch (e) {
    throw failure(e, timeoutMs);
  } finally {
    clearTimeout(timer);
  }
}

const prefixOf = (t: Target) => t.prefix ?? '';

export const gcsProvider: Provider = {
  async check(v, target, o) {
    const s = storage(v, o.timeoutMs);
    if (!target) {
      try {
        await call(o.timeoutMs, () => s.getBuckets({ maxResults: 1, autoPaginate: false }));
        return 'Google accepted the service-account key and listed buckets.';
      } catch (e) {
        // The token was issued (the key is good); the account just may not list the project.
        if (e instanceof ProviderFailure && e.reason === 'no_access') return 'Google accepted the service-account key (it may not list buckets; give a bucket to check access to it).';
        throw e;
      }
    }
    await call(o.timeoutMs, () => s.bucket(target.bucket!).getFiles({ prefix: prefixOf(target), maxResults: 1, autoPaginate: false }));
    return `Google accepted the service-account key and it may list gs://${target.bucket}/${prefixOf(target)}.`;
  },

  async list(v, target, q, o) {
    const base = prefixOf(target);
    const s = storage(v, o.timeoutMs);
    const [files, next] = await call(o.timeoutMs, () => s.bucket(target.bucket!).getFiles({ prefix: base + q.prefix, maxResults: q.limit, autoPaginate: false, pageToken: decodeCursor(q.cursor) }));
    const token = (next as { pageToken?: string } | null)?.pageToken;
    return {
      items: files.map((f: File) => ({
        key: f.name.slice(base.length), name: f.name.split('/').pop() ?? f.name,
        size: f.metadata.size !== undefined ? Number(f.metadata.size) : null, modified_at: f.metadata.updated ?? null, folder: false,
      })),
      next_cursor: token ? encodeCursor(token) : null,
    };
  },

  async read(v, target, key, o) {
    const file = storage(v, o.timeoutMs).bucket(target.bucket!).file(prefixOf(target) + key);
    let meta;
    try {
      // Metadata first: a missing object is then a 404 before any byte of the answer is sent.
      [meta] = await call(o.timeoutMs, () => file.getMetadata());
    } catch (e) {
      if (e instanceof ProviderFailure && e.reason === 'target_not_found') throw new ObjectMissing(key);
      throw e;
    }
    const body: Readable = file.createReadStream({ validation: false });
    return { body, name: key.split('/').pop() || key, contentType: meta.contentType ?? 'application/octet-stream', size: meta.size !== undefined ? Number(meta.size) : null };
  },
};
