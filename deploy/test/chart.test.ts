// The Helm chart, rendered as `helm template` would (see helm.ts), checked against the Kubernetes
// schemas (kube.ts) and started as a pod would be (pod.ts: the server's own settings parser).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ChartError, one, renderChart, type Rendered, type Values } from './helm.js';
import { kubeProblems } from './kube.js';
import { container, startPod, type EnvVar, type Secrets } from './pod.js';

const KEK = randomBytes(32).toString('base64');
const DB_URL = 'postgres://coffer:db-password-canary@postgres:5432/coffer';
const METRICS_TOKEN = `metrics-${randomBytes(24).toString('hex')}`;
const ADMIN_PASSWORD = 'admin-password-canary-0815';
const ADMIN_API_KEY = `admin-api-key-${randomBytes(16).toString('hex')}`;
/** What the operator created with kubectl before installing. */
const SECRETS: Secrets = {
  'coffer-master-key': { 'master-key': `k1:${KEK}` },
  'coffer-db': { 'database-url': DB_URL },
  'coffer-metrics': { token: METRICS_TOKEN },
  'coffer-admin': { password: ADMIN_PASSWORD, 'api-key': ADMIN_API_KEY },
};
const SECRET_CONTENTS = [KEK, DB_URL, 'db-password-canary', METRICS_TOKEN, ADMIN_PASSWORD, ADMIN_API_KEY];

/** The seed's Option B, as an operator would paste it into a values file. */
const SEED_VALUES = parse(`
objectStorage:
  secretManager:
    enabled: true
    manager: "securestore"
`) as Values;

const BASE: Values = { masterKey: { existingSecret: 'coffer-master-key' } };
const SECURESTORE: Values = { ...BASE, ...SEED_VALUES, database: { existingSecret: 'coffer-db' }, replicaCount: 3 };
const EVERYTHING: Values = {
  ...SECURESTORE,
  admin: { email: 'ops@example.com', existingSecret: 'coffer-admin', passwordKey: 'password', apiKeyKey: 'api-key' },
  metrics: { enabled: true, tokenSecret: { name: 'coffer-metrics', key: 'token' }, serviceMonitor: { enabled: true, labels: { release: 'prometheus' } } },
  ingress: { enabled: true, className: 'nginx', hosts: [{ host: 'coffer.example.com', paths: [{ path: '/', pathType: 'Prefix' }] }], tls: [{ secretName: 'coffer-tls', hosts: ['coffer.example.com'] }] },
  image: { repository: 'registry.example.com/coffer', digest: `sha256:${'a'.repeat(64)}` },
};

const SCENARIOS: [string, Values, string[]][] = [
  ['filebased (defaults)', BASE, ['Deployment', 'PersistentVolumeClaim', 'PodDisruptionBudget', 'Service', 'ServiceAccount']],
  ['securestore (the seed)', SECURESTORE, ['Deployment', 'PodDisruptionBudget', 'Service', 'ServiceAccount']],
  ['everything on', EVERYTHING, ['Deployment', 'Ingress', 'PodDisruptionBudget', 'Service', 'ServiceAccount', 'ServiceMonitor']],
  ['filebased, existing claim, no PDB', { ...BASE, persistence: { existingClaim: 'restored-data' }, podDisruptionBudget: { enabled: false } }, ['Deployment', 'Service', 'ServiceAccount']],
];

const kinds = (r: Rendered) => r.objects.map((o) => o.kind).sort();
const envOf = (r: Rendered) => Object.fromEntries((container(r).env as EnvVar[]).map((e) => [e.name, e.value]));
const podSpec = (r: Rendered) => one(r, 'Deployment').spec.template.spec;

function refusal(overrides: Values, opts: { skipSchema?: boolean } = {}): ChartError {
  try {
    renderChart(overrides, opts);
  } catch (e) {
    if (e instanceof ChartError) return e;
    throw e;
  }
  assert.fail(`the chart accepted ${JSON.stringify(overrides)}`);
}

describe('Helm chart: every rendered object is valid Kubernetes', () => {
  for (const [name, values, expected] of SCENARIOS) {
    it(name, () => {
      const r = renderChart(values);
      assert.deepEqual(kinds(r), expected);
      assert.deepEqual(r.objects.flatMap(kubeProblems), []);
      assert.match(r.notes, /port-forward svc\/coffer/);
    });
  }

  it('the strict check itself finds a misspelt field and a wrong type', () => {
    const d = one(renderChart(BASE), 'Deployment') as any;
    const c = d.spec.template.spec.containers[0];
    c.securityContext.readOnlyRootFileSystem = true; // capital S: not a Kubernetes field
    assert.deepEqual(kubeProblems(d), ['Deployment coffer: unknown field spec.template.spec.containers.0.securityContext.readOnlyRootFileSystem']);
    c.ports[0].containerPort = '8080';
    assert.match(kubeProblems(d).join(), /containerPort must be integer/);
  });
});

describe("Helm chart: the seed's values switch the server's settings", () => {
  it('objectStorage.secretManager.manager: securestore → SECRET_MANAGER=securestore with the database URL from its Secret', () => {
    const r = renderChart(SECURESTORE);
    assert.equal(envOf(r).SECRET_MANAGER, 'securestore');
    assert.equal(envOf(r).SECRET_MANAGER_ENABLED, 'true');
    const { config } = startPod(r, SECRETS);
    assert.equal(config.manager, 'securestore');
    assert.equal(config.enabled, true);
    assert.equal(config.databaseUrl, DB_URL);
    assert.equal(config.host, '0.0.0.0');
    assert.deepEqual(config.masterKeys?.map((k) => k.id), ['k1']);
    assert.equal(one(r, 'Deployment').spec.replicas, 3);
    assert.equal(one(r, 'Deployment').spec.strategy.type, 'RollingUpdate');
    assert.ok(!podSpec(r).volumes.some((v: { name: string }) => v.name === 'data'), 'no data volume for securestore');
  });

  it('objectStorage.secretManager.enabled: false → SECRET_MANAGER_ENABLED=false', () => {
    const r = renderChart({ ...BASE, objectStorage: { secretManager: { enabled: false } } });
    assert.equal(envOf(r).SECRET_MANAGER_ENABLED, 'false');
    const { config } = startPod(r, SECRETS);
    assert.equal(config.enabled, false);
    assert.equal(config.manager, 'filebased');
  });

  it('filebased (the default) → SQLite on the persistent volume, one pod, replaced not rolled', () => {
    const r = renderChart(BASE);
    const { config } = startPod(r, SECRETS);
    assert.equal(config.manager, 'filebased');
    assert.equal(config.dataDir, '/var/lib/coffer');
    assert.equal(config.sqliteSynchronous, 'full');
    assert.equal(config.metricsToken, undefined);
    const dataMount = container(r).volumeMounts.find((m: { name: string }) => m.name === 'data');
    assert.equal(dataMount.mountPath, config.dataDir);
    assert.equal(podSpec(r).volumes.find((v: { name: string }) => v.name === 'data').persistentVolumeClaim.claimName, one(r, 'PersistentVolumeClaim').metadata.name);
    assert.equal(one(r, 'Deployment').spec.strategy.type, 'Recreate');
  });

  it('the other values reach the server too (admin, metrics token, settings)', () => {
    const r = renderChart({ ...EVERYTHING, settings: { trashDays: 7, logLevel: 'warn', sessionIdleMinutes: 15, sessionAbsoluteHours: 8, trustedProxies: ['10.0.0.0/8', 'uniquelocal'] } });
    const { config } = startPod(r, SECRETS);
    assert.equal(config.adminEmail, 'ops@example.com');
    assert.equal(config.adminPassword, ADMIN_PASSWORD);
    assert.equal(config.adminApiKey, ADMIN_API_KEY);
    assert.equal(config.metricsToken, METRICS_TOKEN);
    assert.deepEqual([config.trashDays, config.logLevel, config.sessionIdleMinutes, config.sessionAbsoluteHours], [7, 'warn', 15, 8]);
    assert.deepEqual(config.trustedProxies, ['10.0.0.0/8', 'uniquelocal']);
  });

  it('a pod whose Secret lacks the named key would not start', () => {
    assert.throws(() => startPod(renderChart({ masterKey: { existingSecret: 'coffer-master-key', key: 'kek' } }), SECRETS), /Secret coffer-master-key has no key kek/);
  });
});

describe('Helm chart: more than one replica only with securestore', () => {
  it('replicaCount: 2 with filebased is refused by the schema', () => {
    const e = refusal({ ...BASE, replicaCount: 2 });
    assert.equal(e.stage, 'schema');
    assert.match(e.message, /\/replicaCount must be <= 1/);
  });

  it('…and by the templates when the schema is skipped', () => {
    const e = refusal({ ...BASE, replicaCount: 2 }, { skipSchema: true });
    assert.equal(e.stage, 'template');
    assert.match(e.message, /replicaCount=2 needs objectStorage\.secretManager\.manager=securestore/);
  });

  it('the templates also refuse what the schema refuses about credentials', () => {
    assert.match(refusal({}, { skipSchema: true }).message, /execution error at \(coffer\/templates\/deployment\.yaml:\d+:\d+\): masterKey\.existingSecret: name an existing Secret/);
    assert.match(refusal({ ...BASE, ...SEED_VALUES }, { skipSchema: true }).message, /database\.existingSecret: securestore needs/);
    assert.match(refusal({ ...BASE, metrics: { enabled: true } }, { skipSchema: true }).message, /metrics\.tokenSecret\.name/);
    assert.match(refusal({ ...BASE, metrics: { serviceMonitor: { enabled: true } } }, { skipSchema: true }).message, /metrics\.serviceMonitor\.enabled needs metrics\.enabled/);
    assert.match(refusal({ ...BASE, image: { tag: 'latest' } }, { skipSchema: true }).message, /'latest' is refused/);
  });
});

describe('Helm chart: values.schema.json refuses wrong values', () => {
  const cases: [string, Values, RegExp][] = [
    ['replicaCount as a string', { ...BASE, replicaCount: '2' }, /\/replicaCount must be integer/],
    ['enabled as a string', { ...BASE, objectStorage: { secretManager: { enabled: 'yes' } } }, /\/objectStorage\/secretManager\/enabled must be boolean/],
    ['an unknown manager', { ...BASE, objectStorage: { secretManager: { manager: 'postgres' } } }, /\/objectStorage\/secretManager\/manager must be equal to one of the allowed values/],
    ['a misspelt seed key', { ...BASE, objectStorage: { secretManager: { enable: false } } }, /\/objectStorage\/secretManager must NOT have additional properties \(enable\)/],
    ['a master key inline in values', { masterKey: { existingSecret: 'x', value: KEK } }, /\/masterKey must NOT have additional properties \(value\)/],
    ['no master key Secret', {}, /\/masterKey\/existingSecret must match pattern/],
    ['securestore without a database Secret', { ...BASE, ...SEED_VALUES }, /\/database\/existingSecret must match pattern/],
    ['the image tag latest', { ...BASE, image: { tag: 'latest' } }, /\/image\/tag must NOT be valid/],
    ['running as root', { ...BASE, securityContext: { runAsUser: 0 } }, /\/securityContext\/runAsUser must be >= 1/],
    ['an unknown log level', { ...BASE, settings: { logLevel: 'verbose' } }, /\/settings\/logLevel must be equal to one of the allowed values/],
    ['negative trash days', { ...BASE, settings: { trashDays: -1 } }, /\/settings\/trashDays must be >= 0/],
    ['a malformed memory limit', { ...BASE, resources: { limits: { memory: '512 MB' } } }, /\/resources\/limits\/memory/],
    ['metrics without a token Secret', { ...BASE, metrics: { enabled: true } }, /\/metrics\/tokenSecret\/name must match pattern/],
    ['a ServiceMonitor without metrics', { ...BASE, metrics: { serviceMonitor: { enabled: true } } }, /\/metrics\/enabled must be equal to constant/],
    ['both PDB limits', { ...BASE, podDisruptionBudget: { minAvailable: 1 } }, /\/podDisruptionBudget must NOT be valid/],
    ['an unknown top-level key', { ...BASE, replicas: 2 }, /must NOT have additional properties \(replicas\)/],
  ];
  for (const [name, values, message] of cases) {
    it(name, () => {
      const e = refusal(values);
      assert.equal(e.stage, 'schema');
      assert.match(e.message, message);
    });
  }
});

describe('Helm chart: the pod is locked down', () => {
  for (const [name, values] of SCENARIOS) {
    it(name, () => {
      const r = renderChart(values);
      const pod = podSpec(r);
      assert.equal(pod.automountServiceAccountToken, false);
      assert.equal(pod.securityContext.runAsNonRoot, true);
      assert.ok(pod.securityContext.runAsUser >= 1, 'pod.securityContext.runAsUser >= 1');
      assert.deepEqual(pod.securityContext.seccompProfile, { type: 'RuntimeDefault' });
      assert.equal(pod.hostNetwork ?? false, false);
      for (const c of pod.containers) {
        const sc = c.securityContext;
        assert.equal(sc.allowPrivilegeEscalation, false);
        assert.equal(sc.readOnlyRootFilesystem, true);
        assert.equal(sc.runAsNonRoot, true);
        assert.equal(sc.privileged, false);
        assert.deepEqual(sc.capabilities, { drop: ['ALL'] });
        assert.deepEqual(sc.seccompProfile, { type: 'RuntimeDefault' });
        assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, 'requests and a memory limit');
        // A read-only root needs somewhere to write temporary files.
        const tmp = c.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/tmp');
        assert.ok(pod.volumes.find((v: { name: string }) => v.name === tmp?.name)?.emptyDir, '/tmp is an emptyDir');
      }
      const sa = r.objects.find((o) => o.kind === 'ServiceAccount');
      if (sa) assert.equal(sa.automountServiceAccountToken, false);
    });
  }
});

describe('Helm chart: credentials come only from existing Secrets, as files', () => {
  const CREDENTIALS = /^SECRET_MANAGER_(MASTER_KEY|DATABASE_URL|ADMIN_PASSWORD|ADMIN_API_KEY|METRICS_TOKEN)$/;
  for (const [name, values] of SCENARIOS) {
    it(name, () => {
      const r = renderChart(values);
      const c = container(r);
      const secretsMount = c.volumeMounts.find((m: { name: string }) => m.name === 'secrets');
      assert.equal(secretsMount.readOnly, true);
      for (const e of c.env as EnvVar[]) {
        assert.ok(!CREDENTIALS.test(e.name), `${e.name} set as a literal`);
        assert.equal(e.valueFrom, undefined, `${e.name}: no env var from a Secret either (it would show in /proc/<pid>/environ)`);
        if (CREDENTIALS.test(e.name.replace(/_FILE$/, ''))) assert.ok(e.value!.startsWith(`${secretsMount.mountPath}/`), `${e.name} points into the Secret volume`);
      }
      const vol = podSpec(r).volumes.find((v: { name: string }) => v.name === 'secrets');
      assert.equal(vol.projected.defaultMode, 0o440);
      for (const s of vol.projected.sources) {
        assert.deepEqual(Object.keys(s), ['secret'], 'Secrets only, no ConfigMaps');
        assert.ok(Object.keys(SECRETS).includes(s.secret.name), `${s.secret.name} is one the operator named`);
      }
      assert.ok(!r.objects.some((o) => o.kind === 'Secret' || o.kind === 'ConfigMap'), 'the chart makes no Secret or ConfigMap of its own');
      const text = JSON.stringify(r.objects) + r.notes;
      for (const s of SECRET_CONTENTS) assert.ok(!text.includes(s), 'no credential in the rendered chart');
      startPod(r, SECRETS); // and the server starts from those files
    });
  }
});

describe('Helm chart: probes, ports and selectors fit together', () => {
  it('probes hit /healthz and /readyz on the port the server listens on', () => {
    const r = renderChart(EVERYTHING);
    const c = container(r);
    const { config } = startPod(r, SECRETS);
    const http = c.ports.find((p: { name: string }) => p.name === 'http');
    assert.equal(http.containerPort, config.port);
    assert.deepEqual([c.livenessProbe.httpGet, c.readinessProbe.httpGet, c.startupProbe.httpGet], [
      { path: '/healthz', port: 'http' },
      { path: '/readyz', port: 'http' },
      { path: '/healthz', port: 'http' },
    ]);
    // Shutdown: the server gives in-flight requests 15 s; Kubernetes must wait longer before SIGKILL.
    assert.ok(podSpec(r).terminationGracePeriodSeconds > 15, 'podSpec(r).terminationGracePeriodSeconds > 15');
  });

  it('Service, PDB, Ingress and ServiceMonitor select the pods and the port', () => {
    const r = renderChart(EVERYTHING);
    const podLabels = one(r, 'Deployment').spec.template.metadata.labels;
    const matches = (sel: Record<string, string>) => Object.entries(sel).every(([k, v]) => podLabels[k] === v);
    const svc = one(r, 'Service');
    assert.ok(matches(svc.spec.selector), 'matches(svc.spec.selector)');
    assert.deepEqual(svc.spec.ports, [{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }]);
    assert.ok(matches(one(r, 'PodDisruptionBudget').spec.selector.matchLabels), "matches(one(r, 'PodDisruptionBudget').spec.selector.matchLabels)");
    assert.ok(matches(one(r, 'Deployment').spec.selector.matchLabels), "matches(one(r, 'Deployment').spec.selector.matchLabels)");
    const backend = one(r, 'Ingress').spec.rules[0].http.paths[0].backend.service;
    assert.deepEqual(backend, { name: svc.metadata.name, port: { number: 8080 } });
    const sm = one(r, 'ServiceMonitor');
    assert.equal(sm.metadata.labels!.release, 'prometheus');
    assert.deepEqual(sm.spec.selector.matchLabels, Object.fromEntries(Object.entries(svc.metadata.labels!).filter(([k]) => k in svc.spec.selector)));
    assert.deepEqual(sm.spec.endpoints, [{ port: 'http', path: '/metrics', interval: '30s', scrapeTimeout: '10s', authorization: { type: 'Bearer', credentials: { name: 'coffer-metrics', key: 'token' } } }]);
    assert.equal(container(r).image, `registry.example.com/coffer@sha256:${'a'.repeat(64)}`);
  });
});

describe('Helm chart: the filebased volume', () => {
  it('is a claim kept on uninstall', () => {
    const pvc = one(renderChart({ ...BASE, persistence: { size: '5Gi', storageClass: 'fast' } }), 'PersistentVolumeClaim');
    assert.equal(pvc.metadata.annotations!['helm.sh/resource-policy'], 'keep');
    assert.deepEqual(pvc.spec, { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '5Gi' } } });
  });

  it('can be an existing claim, or (for trying out only) an emptyDir; securestore has none', () => {
    const existing = renderChart({ ...BASE, persistence: { existingClaim: 'restored-data' } });
    assert.equal(podSpec(existing).volumes.find((v: { name: string }) => v.name === 'data').persistentVolumeClaim.claimName, 'restored-data');
    const none = renderChart({ ...BASE, persistence: { enabled: false } });
    assert.deepEqual(podSpec(none).volumes.find((v: { name: string }) => v.name === 'data').emptyDir, {});
    assert.ok(!none.objects.some((o) => o.kind === 'PersistentVolumeClaim'), "!none.objects.some((o) => o.kind === 'PersistentVolumeClaim')");
    assert.ok(!renderChart(SECURESTORE).objects.some((o) => o.kind === 'PersistentVolumeClaim'), "!renderChart(SECURESTORE).objects.some((o) => o.kind === 'PersistentVolumeClaim')");
  });
});
