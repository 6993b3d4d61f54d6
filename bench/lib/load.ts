// autocannon runs: every error and every non-2xx answer is counted; a run with any is not a result.
import autocannon from 'autocannon';

export interface Figure {
  name: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

export interface LoadSpec {
  url: string;
  name: string;
  connections: number;
  seconds: number;
  method?: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  /** Called per request: path and body, so ids can be random or unique. */
  next: () => { path: string; body?: string };
}

export async function load(spec: LoadSpec): Promise<Figure> {
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.seconds,
    headers: { ...(spec.method && spec.method !== 'GET' ? { 'content-type': 'application/json' } : {}), ...spec.headers },
    requests: [{
      method: spec.method ?? 'GET',
      setupRequest: (req: Record<string, unknown>) => {
        const n = spec.next();
        return { ...req, path: n.path, ...(n.body !== undefined ? { body: n.body } : {}) };
      },
    }],
  });
  return {
    name: spec.name,
    connections: spec.connections,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

export async function warm(spec: LoadSpec, seconds = 3): Promise<void> {
  await load({ ...spec, seconds });
}
