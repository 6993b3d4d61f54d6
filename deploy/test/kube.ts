// Checks rendered objects against the Kubernetes OpenAPI schemas (kubernetes-models), strictly:
// besides types and required fields, a field the schema does not know is an error, as it is for
// `kubectl apply` (strict field validation). kubernetes-models' validators accept unknown fields,
// so they are found by watching which properties the validator reads: it reads every property its
// schema declares and enumerates only free-form maps (labels, resources), so a property it never
// looked at is one the schema does not have.
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { K8sObject } from './helm.js';

type Validate = (this: unknown) => void;
/** Every kind the chart may render; another kind fails the check until it is added here. */
const KINDS: Record<string, Validate> = {
  'apps/v1/Deployment': Deployment.prototype.validate,
  'v1/Service': Service.prototype.validate,
  'v1/ServiceAccount': ServiceAccount.prototype.validate,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim.prototype.validate,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget.prototype.validate,
  'networking.k8s.io/v1/Ingress': Ingress.prototype.validate,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor.prototype.validate,
};

interface Reads {
  path: string;
  keys: Set<string>;
  enumerated: boolean;
}

/** Runs validate on a proxy of obj and returns the paths of properties it never read. */
function unreadProperties(obj: object, validate: (o: object) => void): string[] {
  const reads = new Map<object, Reads>();
  const proxies = new Map<object, object>();
  const wrap = (o: unknown, at: string): unknown => {
    if (o === null || typeof o !== 'object') return o;
    const known = proxies.get(o);
    if (known) return known;
    const r: Reads = { path: at, keys: new Set(), enumerated: false };
    reads.set(o, r);
    const mark = (k: string | symbol) => typeof k === 'string' && r.keys.add(k);
    const p = new Proxy(o, {
      get(t, k, recv) {
        mark(k);
        const v = Reflect.get(t, k, recv) as unknown;
        return typeof k === 'string' && Object.hasOwn(t, k) ? wrap(v, `${at}.${k}`) : v;
      },
      has: (t, k) => (mark(k), Reflect.has(t, k)),
      getOwnPropertyDescriptor: (t, k) => (mark(k), Reflect.getOwnPropertyDescriptor(t, k)),
      ownKeys: (t) => ((r.enumerated = true), Reflect.ownKeys(t)),
    });
    proxies.set(o, p);
    return p;
  };
  validate(wrap(obj, '') as object);
  const unread: string[] = [];
  for (const [o, r] of reads) {
    if (r.enumerated || Array.isArray(o)) continue;
    for (const k of Object.keys(o)) if (!r.keys.has(k)) unread.push(`${r.path}.${k}`.slice(1));
  }
  return unread;
}

/** Problems of one object: schema violations and unknown fields; empty when Kubernetes would take it. */
export function kubeProblems(obj: K8sObject): string[] {
  const { source: _source, ...manifest } = obj as K8sObject & { source?: string };
  const validate = KINDS[`${manifest.apiVersion}/${manifest.kind}`];
  if (!validate) return [`${manifest.apiVersion} ${manifest.kind}: no schema known; add it to KINDS in deploy/test/kube.ts`];
  const problems: string[] = [];
  try {
    const unknown = unreadProperties(manifest, (o) => validate.call(o));
    problems.push(...unknown.map((p) => `unknown field ${p}`));
  } catch (e) {
    problems.push((e as Error).message);
  }
  return problems.map((p) => `${manifest.kind} ${manifest.metadata?.name}: ${p}`);
}
