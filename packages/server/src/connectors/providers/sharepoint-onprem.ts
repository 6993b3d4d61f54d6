// SharePoint Server (on-premises) through its REST API (/_api) with Basic authentication.
// NTLM and Kerberos are not supported: the site must accept Basic over HTTPS (say so in the README).
import { basicAuth, decodeCursor, encodeCursor, joinPath, json, nodeStream, request, statusFailure, trimSlashes } from './http.js';
import { ObjectMissing, ProviderFailure, type FailureReason, type ObjectItem, type Provider, type Value } from './types.js';

const WHAT = 'SharePoint';

/** An OData string literal: quotes doubled, then the whole thing made safe for the URL path. */
const odata = (s: string) => encodeURIComponent(`'${s.replace(/'/g, "''")}'`);

interface Conn {
  site: string;
  get: (path: string, says?: Partial<Record<FailureReason, string>>) => Promise<Response>;
}

function connect(v: Value, timeoutMs: number): Conn {
  const site = v.site_url!.replace(/\/+$/, '');
  const headers = { authorization: basicAuth(v.username!, v.password!), accept: 'application/json;odata=nometadata' };
  return {
    site,
    async get(path, says = {}) {
      const r = await request(WHAT, `${site}/_api/${path}`, { headers, redirect: 'manual' }, timeoutMs);
      if (r.status >= 300 && r.status < 400) throw new ProviderFailure('invalid_credentials', 'SharePoint redirected to a sign-in page: the site does not accept Basic authentication or the credentials.', `HTTP ${r.status}`);
      if (!r.ok && r.status !== 404) throw statusFailure(WHAT, r.status, { invalid_credentials: 'SharePoint refused the user name or password.', no_access: 'The user signed in but may not read this.', ...says });
      return r;
    },
  };
}

/** The server-relative URL of the library's root folder (the library title and its URL can differ). */
async function libraryRoot(c: Conn, library: string): Promise<string> {
  const r = await c.get(`web/lists/GetByTitle(${odata(library)})/RootFolder?$select=ServerRelativeUrl`);
  if (r.status === 404) throw new ProviderFailure('target_not_found', `The site has no library titled '${library}'.`, 'HTTP 404');
  return (await json<{ ServerRelativeUrl: string }>(WHAT, r)).ServerRelativeUrl;
}

interface SpFile { Name: string; Length?: string; TimeLastModified?: string }

export const sharepointOnPremProvider: Provider = {
  async check(v, target, o) {
    const c = connect(v, o.timeoutMs);
    const web = await c.get('web?$select=Title');
    if (web.status === 404) throw new ProviderFailure('target_not_found', 'There is no SharePoint site at this URL.', 'HTTP 404');
    if (!target) return 'SharePoint accepted the user name and password.';
    const root = await libraryRoot(c, target.library!);
    if (target.folder) {
      const f = await c.get(`web/GetFolderByServerRelativeUrl(${odata(`${root}/${trimSlashes(target.folder)}`)})?$select=Exists`);
      if (f.status === 404 || (await json<{ Exists?: boolean }>(WHAT, f)).Exists === false) throw new ProviderFailure('target_not_found', `The folder '${target.folder}' does not exist in the library.`, 'HTTP 404');
    }
    return `SharePoint accepted the user name and password and the user may read ${target.library}${target.folder ? `/${target.folder}` : ''}.`;
  },

  async list(v, target, q, o) {
    const c = connect(v, o.timeoutMs);
    const folder = `${await libraryRoot(c, target.library!)}/${joinPath(target.folder, q.prefix)}`.replace(/\/+$/, '');
    const r = await c.get(`web/GetFolderByServerRelativeUrl(${odata(folder)})?$expand=Folders,Files&$select=Folders/Name,Folders/TimeLastModified,Files/Name,Files/Length,Files/TimeLastModified`);
    if (r.status === 404) throw new ProviderFailure('target_not_found', 'The folder does not exist in the library.', 'HTTP 404');
    const body = await json<{ Folders?: SpFile[]; Files?: SpFile[] }>(WHAT, r);
    // SharePoint's REST API has no paging for folder contents: page here, by offset.
    const all: ObjectItem[] = [
      ...(body.Folders ?? []).filter((f) => f.Name !== 'Forms').map((f) => ({ key: joinPath(q.prefix, f.Name), name: f.Name, size: null, modified_at: f.TimeLastModified ?? null, folder: true })),
      ...(body.Files ?? []).map((f) => ({ key: joinPath(q.prefix, f.Name), name: f.Name, size: f.Length !== undefined ? Number(f.Length) : null, modified_at: f.TimeLastModified ?? null, folder: false })),
    ];
    const start = Number(decodeCursor(q.cursor) ?? 0) || 0;
    const end = start + q.limit;
    return { items: all.slice(start, end), next_cursor: end < all.length ? encodeCursor(String(end)) : null };
  },

  async read(v, target, key, o) {
    const c = connect(v, o.timeoutMs);
    const path = `${await libraryRoot(c, target.library!)}/${joinPath(target.folder, key)}`;
    const r = await c.get(`web/GetFileByServerRelativeUrl(${odata(path)})/$value`);
    if (r.status === 404) throw new ObjectMissing(key);
    const size = Number(r.headers.get('content-length'));
    return { body: nodeStream(r), name: key.split('/').pop() || key, contentType: r.headers.get('content-type') ?? 'application/octet-stream', size: r.headers.has('content-length') && Number.isFinite(size) ? size : null };
  },
};
