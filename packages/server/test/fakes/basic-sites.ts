// Loopback Confluence and SharePoint Server REST APIs that check HTTP Basic credentials (or a
// Bearer personal access token) on every request, as the real servers do: a wrong password is 401.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SiteUser {
  username: string;
  password: string;
  /** Confluence spaces or SharePoint libraries this user may see. */
  may: string[];
}

export interface LoopbackSite {
  url: string;
  /** Requests with credentials that matched a user. */
  authenticated: () => number;
  close: () => Promise<void>;
}

function caller(req: IncomingMessage, users: SiteUser[]): SiteUser | undefined | null {
  const h = String(req.headers.authorization ?? '');
  if (h.startsWith('Basic ')) {
    const [u, ...p] = Buffer.from(h.slice(6), 'base64').toString('utf8').split(':');
    return users.find((x) => x.username === u && x.password === p.join(':'));
  }
  if (h.startsWith('Bearer ')) return users.find((x) => x.password === h.slice(7));
  return null;
}

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

async function serve(users: SiteUser[], route: (u: SiteUser, url: URL, res: ServerResponse) => void, opts: { anonymous?: boolean } = {}): Promise<LoopbackSite> {
  let ok = 0;
  const server = createServer((req, res) => {
    const u = caller(req, users);
    const url = new URL(req.url!, 'http://loopback');
    if (!u) {
      // Confluence sites that allow anonymous access answer /user/current for nobody as "anonymous".
      if (u === null && opts.anonymous && url.pathname.endsWith('/rest/api/user/current')) return send(res, 200, { type: 'anonymous' });
      return send(res, 401, { message: 'Unauthorized' }, { 'www-authenticate': 'Basic realm="loopback"' });
    }
    ok++;
    route(u, url, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, authenticated: () => ok, close: () => new Promise((r) => server.close(() => r())) };
}

export interface ConfluencePage {
  id: string;
  title: string;
  space: string;
  html: string;
}

/** Confluence Cloud's layout: the REST API under /wiki/rest/api. */
export function startConfluence(users: SiteUser[], pages: ConfluencePage[], opts: { anonymous?: boolean } = {}): Promise<LoopbackSite> {
  return serve(users, (u, url, res) => {
    const p = url.pathname.replace(/^\/wiki\/rest\/api\//, '');
    if (p === 'user/current') return send(res, 200, { type: 'known', accountId: u.username, displayName: u.username });
    let m = /^space\/([^/]+)$/.exec(p);
    if (m) return u.may.includes(decodeURIComponent(m[1]!)) && pages.some((x) => x.space === decodeURIComponent(m![1]!)) ? send(res, 200, { key: m[1], name: m[1] }) : send(res, 404, { message: 'No space' });
    if (p === 'content') {
      const space = url.searchParams.get('spaceKey')!;
      const start = Number(url.searchParams.get('start') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 25);
      const all = u.may.includes(space) ? pages.filter((x) => x.space === space) : [];
      const results = all.slice(start, start + limit).map((x) => ({ id: x.id, title: x.title, version: { when: '2026-01-02T03:04:05.000Z' } }));
      return send(res, 200, { results, start, limit, size: results.length, _links: start + limit < all.length ? { next: `/rest/api/content?start=${start + limit}` } : {} });
    }
    m = /^content\/(\d+)$/.exec(p);
    const page = m ? pages.find((x) => x.id === m![1] && u.may.includes(x.space)) : undefined;
    if (page) return send(res, 200, { id: page.id, title: page.title, space: { key: page.space }, body: { storage: { value: page.html, representation: 'storage' } } });
    return send(res, 404, { message: 'Not found' });
  }, opts);
}

/** SharePoint Server: /sites/NAME/_api with libraries of files. */
export function startSharePointServer(site: string, users: SiteUser[], libraries: Record<string, Record<string, string>>): Promise<LoopbackSite> {
  const root = (lib: string) => `/${site}/${lib === 'Documents' ? 'Shared Documents' : lib}`;
  const unquote = (s: string) => decodeURIComponent(s).replace(/^'|'$/g, '').replace(/''/g, "'");
  return serve(users, (u, url, res) => {
    const prefix = `/${site}/_api/`;
    if (!url.pathname.startsWith(prefix)) return send(res, 404, {});
    const p = url.pathname.slice(prefix.length);
    if (p === 'web') return send(res, 200, { Title: site });
    let m = /^web\/lists\/GetByTitle\(([^)]*)\)\/RootFolder$/.exec(p);
    if (m) {
      const lib = unquote(m[1]!);
      if (!libraries[lib]) return send(res, 404, { 'odata.error': { code: '-2130575322, System.ArgumentException', message: { value: 'List does not exist.' } } });
      if (!u.may.includes(lib)) return send(res, 403, { 'odata.error': { code: '-2147024891, System.UnauthorizedAccessException', message: { value: 'Access denied.' } } });
      return send(res, 200, { ServerRelativeUrl: root(lib) });
    }
    m = /^web\/Get(Folder|File)ByServerRelativeUrl\(([^)]*)\)(\/\$value)?$/.exec(p);
    if (!m) return send(res, 400, {});
    const path = unquote(m[2]!);
    const lib = Object.keys(libraries).find((l) => path === root(l) || path.startsWith(`${root(l)}/`));
    if (!lib) return send(res, 404, {});
    if (!u.may.includes(lib)) return send(res, 403, {});
    const rel = path.slice(root(lib).length + 1);
    const files = libraries[lib]!;
    if (m[1] === 'File') return files[rel] === undefined ? send(res, 404, {}) : send(res, 200, files[rel], { 'content-type': 'application/octet-stream' });
    const under = rel ? `${rel}/` : '';
    const inside = Object.keys(files).filter((f) => f.startsWith(under));
    if (rel && inside.length === 0) return send(res, 404, { 'odata.error': { message: { value: 'File Not Found.' } } });
    if (url.searchParams.get('$select') === 'Exists') return send(res, 200, { Exists: true });
    const folders = new Set<string>();
    const direct: { Name: string; Length: string; TimeLastModified: string }[] = [];
    for (const f of inside) {
      const [first, ...more] = f.slice(under.length).split('/');
      if (more.length) folders.add(first!);
      else direct.push({ Name: first!, Length: String(Buffer.byteLength(files[f]!)), TimeLastModified: '2026-01-02T03:04:05Z' });
    }
    return send(res, 200, { Folders: [...folders, 'Forms'].map((Name) => ({ Name, TimeLastModified: '2026-01-02T03:04:05Z' })), Files: direct });
  });
}
