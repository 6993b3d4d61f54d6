// Google Cloud Storage without Google: nock answers the token endpoint and the JSON API in this
// process. The token endpoint verifies the RS256 JWT assertion with the public half of each test
// service account's key, as Google does, so a key that does not belong to the account is refused.
import { createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import nock from 'nock';

export interface FakeServiceAccount {
  email: string;
  /** The key file, as the secret's service_account_json holds it. */
  json: string;
  publicKey: string;
  /** Buckets the account may list and read. */
  buckets: string[];
  disabled?: boolean;
}

export function serviceAccount(email: string, buckets: string[], opts: { disabled?: boolean } = {}): FakeServiceAccount {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const json = JSON.stringify({ type: 'service_account', project_id: 'coffer-test', private_key_id: randomBytes(8).toString('hex'), private_key: privateKey, client_email: email, client_id: '1', token_uri: 'https://oauth2.googleapis.com/token' });
  return { email, json, publicKey, buckets, disabled: opts.disabled };
}

const b64json = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Record<string, unknown>;

export interface FakeGcs {
  /** Token requests whose assertion signature was checked and matched. */
  verified: () => number;
  done: () => void;
}

/** Installs the interceptors; call nock.cleanAll() after the test. Buckets map object names to contents. */
export function fakeGcs(accounts: FakeServiceAccount[], buckets: Record<string, Record<string, string>>): FakeGcs {
  const tokens = new Map<string, FakeServiceAccount>();
  let verified = 0;
  // Nothing leaves the machine; loopback fakes and azurite stay reachable.
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  nock('https://www.googleapis.com').persist().post('/oauth2/v4/token').reply((_uri, body) => {
    const form = new URLSearchParams(typeof body === 'string' ? body : new URLSearchParams(body as Record<string, string>).toString());
    const [h, p, sig] = String(form.get('assertion') ?? '').split('.');
    if (!h || !p || !sig) return [400, { error: 'invalid_request', error_description: 'Missing assertion.' }];
    const claims = b64json(p);
    const account = accounts.find((a) => a.email === claims.iss);
    if (!account) return [400, { error: 'invalid_grant', error_description: 'Invalid grant: account not found' }];
    const ok = b64json(h).alg === 'RS256' && createVerify('RSA-SHA256').update(`${h}.${p}`).verify(account.publicKey, Buffer.from(sig, 'base64url'));
    if (!ok) return [400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }];
    verified++;
    if (account.disabled) return [400, { error: 'invalid_grant', error_description: 'Invalid grant: account disabled' }];
    const token = `ya29.${randomBytes(16).toString('hex')}`;
    tokens.set(token, account);
    return [200, { access_token: token, expires_in: 3599, token_type: 'Bearer' }];
  });

  const who = (auth: string | string[] | undefined) => tokens.get(String(auth ?? '').replace(/^Bearer /, ''));
  const error = (code: number, reason: string, message: string) => [code, { error: { code, message, errors: [{ reason, message }] } }] as const;
  const file = (bucket: string, name: string) => ({ kind: 'storage#object', bucket, name, size: String(Buffer.byteLength(buckets[bucket]![name]!)), updated: '2026-01-02T03:04:05.000Z', contentType: 'text/plain' });

  nock('https://storage.googleapis.com').persist()
    .get(/^\/storage\/v1\/b\/[^/]+\/o(\?.*)?$/).reply(function (uri) {
      const a = who(this.req.headers.authorization);
      if (!a) return error(401, 'authError', 'Invalid Credentials');
      const url = new URL(uri, 'https://storage.googleapis.com');
      const bucket = decodeURIComponent(url.pathname.split('/')[4]!);
      if (!buckets[bucket]) return error(404, 'notFound', 'The specified bucket does not exist.');
      if (!a.buckets.includes(bucket)) return error(403, 'forbidden', `${a.email} does not have storage.objects.list access to the Google Cloud Storage bucket.`);
      const prefix = url.searchParams.get('prefix') ?? '';
      const max = Number(url.searchParams.get('maxResults') ?? 1000);
      const start = Number(url.searchParams.get('pageToken') ?? 0);
      const names = Object.keys(buckets[bucket]!).filter((n) => n.startsWith(prefix)).sort();
      const page = names.slice(start, start + max);
      return [200, { kind: 'storage#objects', items: page.map((n) => file(bucket, n)), ...(start + max < names.length ? { nextPageToken: String(start + max) } : {}) }];
    })
    .get(/^\/storage\/v1\/b\/[^/]+\/o\/[^/?]+(\?.*)?$/).reply(function (uri) {
      const a = who(this.req.headers.authorization);
      if (!a) return error(401, 'authError', 'Invalid Credentials');
      const url = new URL(uri, 'https://storage.googleapis.com');
      const [, , , , b, , o] = url.pathname.split('/');
      const bucket = decodeURIComponent(b!);
      const name = decodeURIComponent(o!);
      if (!a.buckets.includes(bucket)) return error(403, 'forbidden', 'Access denied.');
      if (buckets[bucket]?.[name] === undefined) return error(404, 'notFound', 'No such object.');
      if (url.searchParams.get('alt') === 'media') return [200, buckets[bucket]![name]!, { 'content-type': 'text/plain' }];
      return [200, file(bucket, name)];
    })
    .get(/^\/storage\/v1\/b(\?.*)?$/).reply(function () {
      const a = who(this.req.headers.authorization);
      if (!a) return error(401, 'authError', 'Invalid Credentials');
      return error(403, 'forbidden', `${a.email} does not have storage.buckets.list access to the Google Cloud project.`);
    })
    // Downloads go to the media endpoint.
    .get(/^\/download\/storage\/v1\/b\/[^/]+\/o\/[^/?]+(\?.*)?$/).reply(function (uri) {
      const a = who(this.req.headers.authorization);
      if (!a) return error(401, 'authError', 'Invalid Credentials');
      const url = new URL(uri, 'https://storage.googleapis.com');
      const parts = url.pathname.split('/');
      const bucket = decodeURIComponent(parts[5]!);
      const name = decodeURIComponent(parts[7]!);
      if (!a.buckets.includes(bucket)) return error(403, 'forbidden', 'Access denied.');
      const body = buckets[bucket]?.[name];
      if (body === undefined) return error(404, 'notFound', 'No such object.');
      return [200, body, { 'content-type': 'text/plain' }];
    });

  return { verified: () => verified, done: () => nock.cleanAll() };
}
