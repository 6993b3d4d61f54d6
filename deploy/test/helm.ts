// `helm template` for tests, on a machine without helm: the chart's values are merged and checked
// against values.schema.json here (as Helm does before rendering), the templates are rendered by
// deploy/tools/helm-render (Go text/template + Sprig, Helm's own engine), and the output is read
// as YAML 1.1, the YAML Kubernetes and Helm read.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const CHART_DIR = path.resolve(HERE, '../helm/coffer');
const RENDERER_SOURCE = path.resolve(HERE, '../tools/helm-render/main.go');

export type Values = Record<string, unknown>;
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  [k: string]: unknown;
}
export interface Rendered {
  values: Values;
  objects: (K8sObject & { source: string })[];
  notes: string;
}

/** Why a chart was refused: by values.schema.json (Helm's check before rendering) or by a template. */
export class ChartError extends Error {
  constructor(readonly stage: 'schema' | 'template', message: string) {
    super(`${stage}: ${message}`);
  }
}

const readYaml = (file: string) => parse(readFileSync(file, 'utf8'), { version: '1.1' }) as Values;

const isMap = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Helm's coalescing: maps merge key by key, anything else replaces, and null deletes the key. */
export function coalesce(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else if (isMap(v) && isMap(out[k])) out[k] = coalesce(out[k] as Values, v);
    else out[k] = v;
  }
  return out;
}

const schemaValidators = new Map<string, ReturnType<Ajv['compile']>>();
function checkSchema(chartDir: string, values: Values): void {
  const file = path.join(chartDir, 'values.schema.json');
  if (!existsSync(file)) return;
  let validate = schemaValidators.get(file);
  if (!validate) {
    // strict: unknown keywords and formats are errors (a typo in the schema must not switch a check off).
    // strictRequired and strictTypes flag valid if/then/not patterns, so they are off.
    validate = new Ajv({ allErrors: true, strict: true, strictRequired: false, strictTypes: false }).compile(JSON.parse(readFileSync(file, 'utf8')) as object);
    schemaValidators.set(file, validate);
  }
  if (!validate(values)) {
    const lines = (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
    throw new ChartError('schema', `values don't meet the specifications of the schema:\n${lines.join('\n')}`);
  }
}

/** Builds the Go renderer once per source version, in a temp dir shared by the test files of a run. */
export function rendererBinary(): string {
  const source = readFileSync(RENDERER_SOURCE);
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) {
    throw new Error('Go is missing: apt-get install -y golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v2-dev (see .ci/run)');
  }
  const hash = createHash('sha256').update(source).update(go.stdout).digest('hex').slice(0, 16);
  const dir = path.join(tmpdir(), `coffer-helm-render-${hash}`);
  const bin = path.join(dir, 'helm-render');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const partial = `${bin}.${process.pid}`;
  // GOPATH mode against Debian's Go sources: offline, nothing fetched (GOPROXY=off).
  const build = spawnSync('go', ['build', '-o', partial, RENDERER_SOURCE], {
    encoding: 'utf8',
    env: { ...process.env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOFLAGS: '', GOPROXY: 'off', GOCACHE: path.join(tmpdir(), 'coffer-go-cache') },
  });
  if (build.status !== 0) throw new Error(`go build of the renderer failed:\n${build.stderr}`);
  renameSync(partial, bin); // atomic: test files building at the same time each get a whole binary
  return bin;
}

export interface RenderOptions {
  /** Another chart (the renderer's own tests); default: deploy/helm/coffer. */
  chartDir?: string;
  release?: string;
  namespace?: string;
  /** helm --skip-schema-validation: shows that the templates refuse on their own too. */
  skipSchema?: boolean;
}

/** `helm template <release> deploy/helm/coffer -f <values>`; throws ChartError when Helm would refuse. */
export function renderChart(overrides: Values = {}, opts: RenderOptions = {}): Rendered {
  const chartDir = opts.chartDir ?? CHART_DIR;
  const values = coalesce(readYaml(path.join(chartDir, 'values.yaml')), overrides);
  if (!opts.skipSchema) checkSchema(chartDir, values);
  const input = {
    chartDir,
    chart: readYaml(path.join(chartDir, 'Chart.yaml')),
    values,
    release: { Name: opts.release ?? 'coffer', Namespace: opts.namespace ?? 'default', Service: 'Helm', IsInstall: true, IsUpgrade: false, Revision: 1 },
    capabilities: { KubeVersion: { Version: 'v1.32.0', Major: '1', Minor: '32' } },
  };
  const run = spawnSync(rendererBinary(), { input: JSON.stringify(input), encoding: 'utf8' });
  let out: { manifests?: Record<string, string>; error?: string };
  try {
    out = JSON.parse(run.stdout) as typeof out;
  } catch {
    throw new Error(`renderer crashed (${run.status}): ${run.stderr}`);
  }
  if (out.error !== undefined || !out.manifests) throw new ChartError('template', out.error ?? 'no output');

  const objects: Rendered['objects'] = [];
  let notes = '';
  for (const [source, text] of Object.entries(out.manifests).sort()) {
    if (source.endsWith('NOTES.txt')) {
      notes = text;
      continue;
    }
    for (const doc of parseAllDocuments(text, { version: '1.1' })) {
      if (doc.errors.length) throw new Error(`${source}: not YAML: ${doc.errors[0]!.message}\n${text}`);
      const obj = doc.toJS() as K8sObject | null;
      if (obj !== null) objects.push({ ...obj, source });
    }
  }
  return { values, objects, notes };
}

/** The one object of a kind (fails loudly when there is none or several). */
export function one(r: Rendered, kind: string): K8sObject {
  const found = r.objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, rendered ${found.length}: ${r.objects.map((o) => o.kind).join(', ')}`);
  return found[0]!;
}
