// Entra ID and Microsoft Graph without Microsoft: nock answers the tenant's discovery document,
// the client-credentials token endpoint (checking the client id and secret, answering Entra's own
// AADSTS errors) and the Graph calls for sites, drives and files, checking the bearer token.
import { randomBytes } from 'node:crypto';
import nock from 'nock';

export interface FakeApp {
  clientId: string;
  secret: string;
  /** The secret is past its end date: AADSTS7000222. */
  expired?: boolean;
}

export interface FakeSite {
  /** host + path, e.g. contoso.sharepoint.com/sites/finance */
  address: string;
  /** Apps granted Sites.Read.All (or Sites.Selected on this site). */
  readers: string[];
  /** Library name → path inside the library → contents. */
  libraries: Record<string, Record<string, string>>;
}

export interface FakeGraph {
  tokensIssued: () => number;
  /** Requests that reached the download host carrying an Authorization header (must stay 0). */
  leakedTokens: () => number;
}

const entraError = (status: number, error: string, code: number, text: string) =>
  [status, { error, error_description: `AADSTS${code}: ${text}\r\nTrace ID: 0\r\nCorrelation ID: 0\r\nTimestamp: 2026-01-01 00:00:00Z`, error_codes: [code], timestamp: '2026-01-01 00:00:00Z', trace_id: '0', correlation_id: '0' }] as const;

export function fakeGraph(tenant: string, apps: FakeApp[], sites: FakeSite[]): FakeGraph {
  const tokens = new Map<string, FakeApp>();
  let leaked = 0;
  // Nothing leaves the machine; loopback fakes and azurite stay reachable.
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  const login = 'https://login.microsoftonline.com';
  nock(login).persist()
    .get(`/${tenant}/v2.0/.well-known/openid-configuration`).reply(200, {
      token_endpoint: `${login}/${tenant}/oauth2/v2.0/token`, issuer: `${login}/${tenant}/v2.0`, authorization_endpoint: `${login}/${tenant}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${login}/${tenant}/oauth2/v2.0/logout`, jwks_uri: `${login}/${tenant}/discovery/v2.0/keys`,
    })
    .post(/^\/[^/]+\/oauth2\/v2\.0\/token/).query(true).reply((uri, body) => {
      if (!uri.startsWith(`/${tenant}/`)) return entraError(400, 'invalid_request', 90002, `Tenant '${uri.split('/')[1]}' not found.`);
      const form = new URLSearchParams(String(body));
      const app = apps.find((a) => a.clientId === form.get('client_id'));
      if (!app) return entraError(400, 'unauthorized_client', 700016, `Application with identifier '${form.get('client_id')}' was not found in the directory.`);
      if (form.get('client_secret') !== app.secret) return entraError(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
      if (app.expired) return entraError(401, 'invalid_client', 7000222, `The provided client secret keys for app '${app.clientId}' are expired.`);
      const token = `graph.${randomBytes(12).toString('hex')}`;
      tokens.set(token, app);
      return [200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token }];
    });

  const graphError = (status: number, code: string) => [status, { error: { code, message: code } }] as const;
  const siteId = (s: FakeSite) => `${s.address.split('/')[0]},${Buffer.from(s.address).toString('hex').slice(0, 16)}`;
  const driveId = (s: FakeSite, lib: string) => `b!${Buffer.from(`${s.address}|${lib}`).toString('base64url')}`;
  const byDrive = (id: string) => {
    for (const s of sites) for (const lib of Object.keys(s.libraries)) if (driveId(s, lib) === id) return { s, lib };
    return undefined;
  };

  nock('https://graph.microsoft.com').persist().get(/^\/v1\.0\//).reply(function (uri) {
    const app = tokens.get(String(this.req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!app) return graphError(401, 'InvalidAuthenticationToken');
    const url = new URL(uri, 'https://graph.microsoft.com');
    const path = decodeURIComponent(url.pathname.slice('/v1.0/'.length));
    let m = /^sites\/([^/:]+):(\/.*)$/.exec(path) ?? /^sites\/([^/:,]+)$/.exec(path);
    if (m) {
      const s = sites.find((x) => x.address === `${m![1]}${m![2] ?? ''}`);
      if (!s) return graphError(404, 'itemNotFound');
      if (!s.readers.includes(app.clientId)) return graphError(403, 'accessDenied');
      return [200, { id: siteId(s), displayName: s.address }];
    }
    m = /^sites\/([^/]+)\/drives$/.exec(path);
    if (m) {
      const s = sites.find((x) => siteId(x) === m![1]);
      if (!s || !s.readers.includes(app.clientId)) return graphError(403, 'accessDenied');
      return [200, { value: Object.keys(s.libraries).map((lib) => ({ id: driveId(s, lib), name: lib, webUrl: `https://${s.address}/${encodeURIComponent(lib === 'Documents' ? 'Shared Documents' : lib)}` })) }];
    }
    m = /^drives\/([^/]+)\/root(?::\/(.*?):?)?(\/children|\/content)?$/.exec(path);
    if (!m) return graphError(400, 'invalidRequest');
    const d = byDrive(m[1]!);
    if (!d || !d.s.readers.includes(app.clientId)) return graphError(403, 'accessDenied');
    const files = d.s.libraries[d.lib]!;
    const at = (m[2] ?? '').replace(/\/+$/, '');
    if (m[3] === '/content') {
      if (files[at] === undefined) return graphError(404, 'itemNotFound');
      // As Graph does: a redirect to a pre-authenticated download URL on another host.
      return [302, '', { location: `https://download.fake-sharepoint.example/${encodeURIComponent(d.lib)}/${at.split('/').map(encodeURIComponent).join('/')}` }];
    }
    const under = at ? `${at}/` : '';
    const isFolder = at === '' || Object.keys(files).some((f) => f.startsWith(under));
    if (!isFolder && files[at] === undefined) return graphError(404, 'itemNotFound');
    if (m[3] !== '/children') return [200, { id: at || 'root', name: at.split('/').pop() || 'root', ...(isFolder ? { folder: {} } : {}) }];
    const names = new Map<string, { name: string; size?: number; folder?: object; lastModifiedDateTime: string }>();
    for (const [f, body] of Object.entries(files)) {
      if (!f.startsWith(under)) continue;
      const [first, ...more] = f.slice(under.length).split('/');
      names.set(first!, more.length ? { name: first!, folder: { childCount: 1 }, lastModifiedDateTime: '2026-01-02T03:04:05Z' } : { name: first!, size: Buffer.byteLength(body), lastModifiedDateTime: '2026-01-02T03:04:05Z' });
    }
    return [200, { value: [...names.values()] }];
  });

  nock('https://download.fake-sharepoint.example').persist().get(/.*/).reply(function (uri) {
    if (this.req.headers.authorization) leaked++;
    const [lib, ...rest] = uri.slice(1).split('/').map(decodeURIComponent);
    for (const s of sites) {
      const body = s.libraries[lib!]?.[rest.join('/')];
      if (body !== undefined) return [200, body, { 'content-type': 'application/pdf' }];
    }
    return [404, ''];
  });

  return { tokensIssued: () => tokens.size, leakedTokens: () => leaked };
}
