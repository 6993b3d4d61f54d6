// AWS S3 and S3-compatible stores, through the AWS SDK v3. A check lists at most one key
// (ListObjectsV2, MaxKeys 1): unlike HEAD, its refusals carry S3's error code, which tells a
// wrong key id from a wrong secret, an expired session and a missing permission.
import { GetObjectCommand, ListBucketsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { decodeCursor, encodeCursor, networkCode, unreachable } from './http.js';
import { ObjectMissing, ProviderFailure, type FailureReason, type Provider, type Target, type Value } from './types.js';

const WHAT = 'S3';

const CODES: Record<string, [FailureReason, string]> = {
  InvalidAccessKeyId: ['invalid_credentials', 'S3 does not know this access key id.'],
  SignatureDoesNotMatch: ['invalid_credentials', 'S3 knows the access key id, but the secret access key is wrong.'],
  InvalidToken: ['invalid_credentials', 'S3 refused the session token as malformed or invalid.'],
  InvalidClientTokenId: ['invalid_credentials', 'S3 refused the session token.'],
  ExpiredToken: ['expired', 'The session token has expired; put fresh temporary credentials in the secret.'],
  TokenRefreshRequired: ['expired', 'The session token must be refreshed.'],
  RequestTimeTooSkewed: ['provider_error', "S3 refused the request: this server's clock differs too much from S3's."],
  AccessDenied: ['no_access', 'The key is valid, but it is not allowed to list this bucket and prefix.'],
  AllAccessDisabled: ['no_access', 'All access to this bucket has been disabled.'],
  AccountProblem: ['no_access', 'S3 reports a problem with the AWS account (for example, a suspended account).'],
  NoSuchBucket: ['target_not_found', 'The bucket does not exist.'],
  NoSuchKey: ['target_not_found', 'The object does not exist.'],
  PermanentRedirect: ['provider_error', "The bucket is in another region than the secret's region."],
  AuthorizationHeaderMalformed: ['provider_error', "The secret's region does not match the bucket's region."],
};

function failure(e: unknown, timeoutMs: number): ProviderFailure {
  const code = networkCode(e);
  if (code) return unreachable(WHAT, code, timeoutMs);
  const name = (e as { name?: string }).name ?? 'Error';
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const known = CODES[name];
  if (known) return new ProviderFailure(known[0], known[1], name);
  if (status === 403) return new ProviderFailure('no_access', 'S3 refused access (403).', name);
  if (status === 404) return new ProviderFailure('target_not_found', 'S3 found nothing at the target (404).', name);
  if (status === undefined) return new ProviderFailure('unreachable', 'S3 could not be reached.', name);
  return new ProviderFailure('provider_error', `S3 answered ${status} ${name}.`, name);
}

function client(v: Value, timeoutMs: number): S3Client {
  return new S3Client({
    region: v.region,
    credentials: { accessKeyId: v.access_key_id!, secretAccessKey: v.secret_access_key!, ...(v.session_token ? { sessionToken: v.session_token } : {}) },
    // S3-compatible stores (MinIO, Ceph…) are addressed by path; AWS by virtual host.
    ...(v.endpoint_url ? { endpoint: v.endpoint_url, forcePathStyle: true } : {}),
    // One attempt: a check must answer quickly and say why, not retry a wrong key.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
  });
}

async function call<T>(v: Value, timeoutMs: number, fn: (c: S3Client) => Promise<T>): Promise<T> {
  const c = client(v, timeoutMs);
  try {
    return await fn(c);
  } catch (e) {
    throw failure(e, timeoutMs);
  } finally {
    c.destroy();
  }
}

const prefixOf = (t: Target) => t.prefix ?? '';

export const s3Provider: Provider = {
  async check(v, target, o) {
    if (!target) {
      try {
        await call(v, o.timeoutMs, (c) => c.send(new ListBucketsCommand({ MaxBuckets: 1 })));
        return 'S3 accepted the key and listed buckets.';
      } catch (e) {
        // S3 checks the signature before the permission: AccessDenied means the key itself is good.
        if (e instanceof ProviderFailure && e.providerCode === 'AccessDenied') return 'S3 accepted the key (it may not list buckets; give a bucket to check access to it).';
        throw e;
      }
    }
    await call(v, o.timeoutMs, (c) => c.send(new ListObjectsV2Command({ Bucket: target.bucket, Prefix: prefixOf(target), MaxKeys: 1 })));
    return `S3 accepted the key and it may list s3://${target.bucket}/${prefixOf(target)}.`;
  },

  async list(v, target, q, o) {
    const base = prefixOf(target);
    const r = await call(v, o.timeoutMs, (c) => c.send(new ListObjectsV2Command({
      Bucket: target.bucket, Prefix: base + q.prefix, MaxKeys: q.limit, ContinuationToken: decodeCursor(q.cursor),
    })));
    return {
      items: (r.Contents ?? []).filter((x) => x.Key !== undefined).map((x) => ({
        key: x.Key!.slice(base.length), name: x.Key!.split('/').pop() ?? x.Key!, size: x.Size ?? null, modified_at: x.LastModified?.toISOString() ?? null, folder: false,
      })),
      next_cursor: r.IsTruncated && r.NextContinuationToken ? encodeCursor(r.NextContinuationToken) : null,
    };
  },

  async read(v, target, key, o) {
    const c = client(v, o.timeoutMs);
    try {
      const r = await c.send(new GetObjectCommand({ Bucket: target.bucket, Key: prefixOf(target) + key }));
      const body = r.Body as Readable;
      // The client lives as long as the download.
      body.once('close', () => c.destroy());
      return { body, name: key.split('/').pop() || key, contentType: r.ContentType ?? 'application/octet-stream', size: r.ContentLength ?? null };
    } catch (e) {
      c.destroy();
      const f = failure(e, o.timeoutMs);
      if (f.providerCode === 'NoSuchKey') throw new ObjectMissing(key);
      throw f;
    }
  },
};
