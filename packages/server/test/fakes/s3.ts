// A loopback S3 that checks SigV4 signatures for real: it recomputes each request's signature
// with @smithy/signature-v4 (the signer the AWS SDK itself uses) from the key it knows, and
// answers InvalidAccessKeyId, SignatureDoesNotMatch, ExpiredToken, AccessDenied and NoSuchBucket
// as S3 does. It serves ListBuckets, ListObjectsV2 and GetObject, path-style.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';

export interface FakeS3Key {
  accessKeyId: string;
  secretAccessKey: string;
  /** When set, requests must carry it as x-amz-security-token. */
  sessionToken?: string;
  /** Temporary credentials past their expiry: ExpiredToken after a valid signature. */
  expired?: boolean;
  /** Buckets this key may list and read; others answer AccessDenied. */
  buckets: string[];
  listBuckets?: boolean;
}

export interface FakeS3 {
  url: string;
  /** Requests whose signature was recomputed and matched. */
  verified: () => number;
  close: () => Promise<void>;
}

type Data = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: Data) => (typeof d === 'string' ? Buffer.from(d, 'utf8') : Buffer.from(d as Uint8Array));

/** The hash constructor the signer expects, over node:crypto. */
class Sha256 {
  private h;
  constructor(secret?: Data) {
    this.h = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(d: Data) {
    this.h.update(bytes(d));
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}

const esc = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${esc(message)}</Message><RequestId>fake</RequestId></Error>`);
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

async function signatureMatches(req: IncomingMessage, key: FakeS3Key, region: string, signed: string[], signature: string): Promise<boolean> {
  const url = new URL(req.url!, 'http://fake');
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : [prev, v].flat();
  }
  const headers: Record<string, string> = {};
  for (const h of signed) headers[h] = String(req.headers[h] ?? '');
  const amzDate = headers['x-amz-date'] ?? '';
  const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  const signer = new SignatureV4({ credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey }, region, service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: false });
  const [host, port] = String(req.headers.host).split(':');
  const again = await signer.sign(
    { method: req.method!, protocol: 'http:', hostname: host!, port: port ? Number(port) : undefined, path: url.pathname, query, headers },
    { signingDate, signableHeaders: new Set(signed) },
  );
  const mine = /Signature=([0-9a-f]{64})/.exec(String(again.headers.authorization))?.[1] ?? '';
  return mine.length === signature.length && timingSafeEqual(Buffer.from(mine), Buffer.from(signature));
}

export async function startFakeS3(opts: { keys: FakeS3Key[]; buckets: Record<string, Record<string, string>> }): Promise<FakeS3> {
  let verified = 0;
  const modified = new Date('2026-01-02T03:04:05.000Z');
  const server = createServer((req, res) => {
    void (async () => {
      const m = AUTH.exec(String(req.headers.authorization ?? ''));
      if (!m) return fail(res, 403, 'AccessDenied', 'Anonymous access is not allowed.');
      const [, akid, , region, signedList, signature] = m;
      const key = opts.keys.find((k) => k.accessKeyId === akid);
      if (!key) return fail(res, 403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
      if (!(await signatureMatches(req, key, region!, signedList!.split(';'), signature!))) {
        return fail(res, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
      }
      verified++;
      if (key.sessionToken !== undefined && req.headers['x-amz-security-token'] !== key.sessionToken) return fail(res, 400, 'InvalidToken', 'The provided token is malformed or otherwise invalid.');
      if (key.expired) return fail(res, 400, 'ExpiredToken', 'The provided token has expired.');

      const url = new URL(req.url!, 'http://fake');
      const [bucket, ...rest] = url.pathname.slice(1).split('/');
      if (!bucket) {
        if (key.listBuckets === false) return fail(res, 403, 'AccessDenied', 'Access Denied');
        const names = Object.keys(opts.buckets).filter((b) => key.buckets.includes(b));
        res.writeHead(200, { 'content-type': 'application/xml' });
        return res.end(`<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Owner><ID>fake</ID></Owner><Buckets>${names.map((b) => `<Bucket><Name>${esc(b)}</Name><CreationDate>${modified.toISOString()}</CreationDate></Bucket>`).join('')}</Buckets></ListAllMyBucketsResult>`);
      }
      const objects = opts.buckets[bucket];
      if (!objects) return fail(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
      if (!key.buckets.includes(bucket)) return fail(res, 403, 'AccessDenied', 'Access Denied');
      if (rest.join('/') === '') {
        const prefix = url.searchParams.get('prefix') ?? '';
        const max = Number(url.searchParams.get('max-keys') ?? 1000);
        const start = Number(url.searchParams.get('continuation-token') ?? 0);
        const keys = Object.keys(objects).filter((k) => k.startsWith(prefix)).sort();
        const page = keys.slice(start, start + max);
        const truncated = start + max < keys.length;
        res.writeHead(200, { 'content-type': 'application/xml' });
        return res.end(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${esc(bucket)}</Name><Prefix>${esc(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextContinuationToken>${start + max}</NextContinuationToken>` : ''}${page.map((k) => `<Contents><Key>${esc(k)}</Key><LastModified>${modified.toISOString()}</LastModified><ETag>"fake"</ETag><Size>${Buffer.byteLength(objects[k]!)}</Size><StorageClass>STANDARD</StorageClass></Contents>`).join('')}</ListBucketResult>`);
      }
      const objectKey = decodeURIComponent(rest.join('/'));
      const body = objects[objectKey];
      if (body === undefined) return fail(res, 404, 'NoSuchKey', 'The specified key does not exist.');
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), etag: '"fake"', 'last-modified': modified.toUTCString() });
      res.end(body);
    })().catch(() => fail(res, 500, 'InternalError', 'fake S3 failed'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    verified: () => verified,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
