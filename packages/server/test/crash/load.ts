// Concurrent clients writing through the real API until the server dies under them. Each client
// owns its secrets, so the writes to one secret are sequential and the model knows which version
// each acknowledged write made; a client stops at its first request without an answer.
import { sameValue, type Model, type SecretModel, type Value } from './model.js';

export interface LoadOptions {
  url: string;
  key: string;
  model: Model;
  clients: number;
  /** Prefix of the ids this round creates. */
  round: string;
  random: () => number;
}

export interface LoadResult {
  /** Answers that were neither 2xx nor a network failure: each one is a finding. */
  unexpected: string[];
  /** Value reads whose answer differed from the last acknowledged version. */
  staleReads: string[];
}

const B = '/api/v1';

export function startLoad(o: LoadOptions): { stop: () => void; done: Promise<LoadResult> } {
  let stopped = false;
  const result: LoadResult = { unexpected: [], staleReads: [] };
  const auth = { authorization: `Bearer ${o.key}` };
  const value = (s: string): Value => ({ token: `${s}-${o.random().toString(36).slice(2)}`, note: 'x'.repeat(1 + Math.floor(o.random() * 2000)) });

  /** undefined: no answer (the server is gone). */
  async function call(method: string, path: string, body?: unknown): Promise<Response | undefined> {
    try {
      const init = body ? { headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) } : { headers: auth };
      return await fetch(`${o.url}${B}${path}`, { method, ...init });
    } catch {
      return undefined;
    }
  }

  async function client(c: number): Promise<void> {
    const mine: SecretModel[] = [];
    for (let n = 0; !stopped; n++) {
      const live = mine.filter((s) => !s.deleted);
      const dice = o.random();
      if (live.length < 3 || dice < 0.3) {
        const id = `${o.round}-c${c}-${n}`;
        const v = value(id);
        const s = o.model.begin(id, { op: 'create', version: 1, value: v });
        const r = await call('POST', '/secrets', { secret_id: id, secret_value: v });
        if (!r) return;
        if (r.status !== 201) return void result.unexpected.push(`create ${id}: ${r.status} ${await r.text()}`);
        o.model.acknowledge(s);
        mine.push(s);
        continue;
      }
      const s = live[Math.floor(o.random() * live.length)]!;
      if (dice < 0.75) {
        const v = value(s.id);
        o.model.begin(s.id, { op: 'update', version: s.version + 1, value: v });
        const r = await call('PUT', `/secrets/${s.id}`, { secret_value: v });
        if (!r) return;
        const body = (await r.json()) as { version?: number };
        if (r.status !== 200 || body.version !== s.version + 1) return void result.unexpected.push(`update ${s.id}: ${r.status} ${JSON.stringify(body)}`);
        o.model.acknowledge(s);
      } else if (dice < 0.9) {
        // A read between writes: sequential per secret, so it must show the last acknowledged version.
        const r = await call('GET', `/secrets/${s.id}/value`);
        if (!r) return;
        const got = await r.text();
        if (r.status !== 200) return void result.unexpected.push(`read ${s.id}: ${r.status} ${got}`);
        if (!sameValue(JSON.parse(got) as Value, s.versions.get(s.version)!)) result.staleReads.push(`${s.id} v${s.version}`);
      } else {
        o.model.begin(s.id, { op: 'delete' });
        const r = await call('DELETE', `/secrets/${s.id}`);
        if (!r) return;
        if (r.status !== 200) return void result.unexpected.push(`delete ${s.id}: ${r.status} ${await r.text()}`);
        o.model.acknowledge(s);
      }
    }
  }

  const done = Promise.all(Array.from({ length: o.clients }, (_, c) => client(c))).then(() => result);
  return { stop: () => (stopped = true), done };
}
