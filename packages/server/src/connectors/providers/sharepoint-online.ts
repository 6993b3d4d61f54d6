// SharePoint Online through Microsoft Graph, signed in as the application (client credentials
// with @azure/identity). Entra's AADSTS codes say precisely what is wrong with the app's secret.
import { ClientSecretCredential } from '@azure/identity';
import { decodeCursor, encodeCursor, json, networkCode, nodeStream, request, statusFailure, unreachable, joinPath } from './http.js';
import { ObjectMissing, ProviderFailure, type FailureReason, type ObjectItem, type Provider, type Value } from './types.js';

const GRAPH = 'https://graph.microsoft.com/v1.0';
const WHAT = 'Microsoft Graph';

const AADSTS: Record<string, [FailureReason, string]> = {
  '7000215': ['invalid_credentials', 'Entra ID refused the client secret: it is not a secret of this application.'],
  '7000222': ['expired', 'The client secret has expired; create a new one for the application and update the secret.'],
  '700016': ['invalid_credentials', 'Entra ID does not know this application (client id) in this tenant.'],
  '90002': ['invalid_credentials', 'Entra ID does not know this tenant.'],
  '900023': ['invalid_credentials', 'The tenant id is not a valid tenant GUID or domain.'],
  '7000112': ['no_access', 'The application is disabled.'],
  '700024': ['invalid_credentials', 'The client assertion is not valid.'],
  '53003': ['no_access', 'A conditional-access policy blocked the sign-in.'],
};

function tokenFailure(e: unknown, timeoutMs: number): ProviderFailure {
  const net = networkCode(e);
  if (net) return unreachable('Entra ID (login.microsoftonline.com)', net, timeoutMs);
  const text = `${(e as { errorResponse?: { errorDescription?: string } }).errorResponse?.errorDescription ?? ''} ${(e as Error)?.message ?? ''}`;
  const code = /AADSTS(\d+)/.exec(text)?.[1];
  const known = code ? AADSTS[code] : undefined;
  if (known) return new ProviderFailure(known[0], known[1], `AADSTS${code}`);
  if (/network|ENOTFOUND|ECONNREFUSED|timed? ?out/i.test(text)) return new ProviderFailure('unreachable', 'Entra ID (login.microsoftonline.com) could not be reached.');
  return new ProviderFailure('invalid_credentials', `Entra ID refused to issue a token${code ? ` (AADSTS${code})` : ''}.`, code ? `AADSTS${code}` : (e as Error)?.name);
}

interface Session {
  get: (url: string) => Promise<Response>;
}

async function signIn(v: Value, timeoutMs: number): Promise<Session> {
  const cred = new ClientSecretCredential(v.tenant_id!, v.client_id!, v.client_secret!, { retryOptions: { maxRetries: 0 } });
  let token: string;
  try {
    token = (await cred.getToken('https://graph.microsoft.com/.default', { abortSignal: AbortSignal.timeout(timeoutMs) })).token;
  } catch (e) {
    throw tokenFailure(e, timeoutMs);
  }
  return { get: (url) => request(WHAT, url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }, timeoutMs) };
}

async function graphJson<T>(s: Session, url: string, says: Partial<Record<FailureReason, string>>): Promise<T> {
  const r = await s.get(url);
  if (!r.ok) throw statusFailure(WHAT, r.status, says);
  return json<T>(WHAT, r);
}

function siteAddress(siteUrl: string): string {
  const u = new URL(siteUrl);
  const path = u.pathname.replace(/\/+$/, '');
  return path ? `${GRAPH}/sites/${u.hostname}:${path.split('/').map(encodeURIComponent).join('/')}` : `${GRAPH}/sites/${u.hostname}`;
}

const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

async function site(s: Session, v: Value): Promise<string> {
  const r = await graphJson<{ id: string }>(s, `${siteAddress(v.site_url!)}?$select=id`, {
    invalid_credentials: 'Graph refused the token.',
    no_access: 'The application signed in, but it has no permission on this site (grant Sites.Read.All or Sites.Selected).',
    target_not_found: 'The site does not exist.',
  });
  return r.id;
}

/** A document library by its name ("Documents") or the last part of its URL ("Shared Documents"). */
async function drive(s: Session, siteId: string, library: string): Promise<string> {
  const r = await graphJson<{ value: { id: string; name: string; webUrl?: string }[] }>(s, `${GRAPH}/sites/${encodeURIComponent(siteId)}/drives?$select=id,name,webUrl`, {
    no_access: 'The application may read the site but not its document libraries.',
  });
  const want = library.toLowerCase();
  const d = r.value.find((x) => x.name.toLowerCase() === want || decodeURIComponent(x.webUrl?.split('/').pop() ?? '').toLowerCase() === want);
  if (!d) throw new ProviderFailure('target_not_found', `The site has no document library named '${library}'.`);
  return d.id;
}

const item = (driveId: string, path: string) => (path ? `${GRAPH}/drives/${encodeURIComponent(driveId)}/root:/${encodePath(path)}:` : `${GRAPH}/drives/${encodeURIComponent(driveId)}/root`);

export const sharepointOnlineProvider: Provider = {
  async check(v, target, o) {
    const s = await signIn(v, o.timeoutMs);
    const siteId = await site(s, v);
    if (!target) return 'Entra ID issued a token and the application may read the site.';
    const driveId = await drive(s, siteId, target.library!);
    if (target.folder) await graphJson(s, `${item(driveId, target.folder)}?$select=id`, { target_not_found: `The folder '${target.folder}' does not exist in the library.` });
    return `Entra ID issued a token and the application may read ${target.library}${target.folder ? `/${target.folder}` : ''}.`;
  },

  async list(v, target, q, o) {
    const s = await signIn(v, o.timeoutMs);
    const driveId = await drive(s, await site(s, v), target.library!);
    const next = decodeCursor(q.cursor);
    // A cursor is Graph's own next link; it must stay on this drive so the token cannot be sent elsewhere.
    if (next !== undefined && !next.startsWith(`${GRAPH}/drives/${encodeURIComponent(driveId)}/`)) throw new ProviderFailure('provider_error', 'The cursor does not belong to this connector.');
    const url = next ?? `${item(driveId, joinPath(target.folder, q.prefix))}/children?$top=${q.limit}&$select=name,size,lastModifiedDateTime,folder,file`;
    const r = await graphJson<{ value: { name: string; size?: number; lastModifiedDateTime?: string; folder?: object }[]; '@odata.nextLink'?: string }>(s, url, {
      target_not_found: 'The folder does not exist in the library.',
    });
    const items: ObjectItem[] = r.value.map((x) => ({ key: joinPath(q.prefix, x.name), name: x.name, size: x.folder ? null : x.size ?? null, modified_at: x.lastModifiedDateTime ?? null, folder: !!x.folder }));
    return { items, next_cursor: r['@odata.nextLink'] ? encodeCursor(r['@odata.nextLink']) : null };
  },

  async read(v, target, key, o) {
    const s = await signIn(v, o.timeoutMs);
    const driveId = await drive(s, await site(s, v), target.library!);
    // Graph answers with a redirect to a pre-signed download URL; fetch follows it without the token.
    const r = await s.get(`${item(driveId, joinPath(target.folder, key))}/content`);
    if (r.status === 404) throw new ObjectMissing(key);
    if (!r.ok) throw statusFailure(WHAT, r.status);
    const size = Number(r.headers.get('content-length'));
    return { body: nodeStream(r), name: key.split('/').pop() || key, contentType: r.headers.get('content-type') ?? 'application/octet-stream', size: Number.isFinite(size) && r.headers.has('content-length') ? size : null };
  },
};
