// The typed HTTP client over the generated OpenAPI paths: a misspelt path, parameter or body
// field is a compile error, and so is a server change that breaks a call.
import createClient from 'openapi-fetch';
import { errorFrom } from './errors.js';
import type { paths } from './generated/openapi.js';

export type Api = ReturnType<typeof createClient<paths>>;

export function createApi(baseUrl: string, fetch: (req: Request) => Promise<Response>): Api {
  return createClient<paths>({ baseUrl, fetch });
}

/** The answer's data, or its typed error. */
export async function call<D>(p: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  const r = await p;
  if (!r.response.ok) throw errorFrom(r.response, r.error);
  return r.data as D;
}

/** Every item of a cursor-paged list, page by page. */
export async function* pages<T>(fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor: string | null }>): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.items;
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
