// Prometheus instruments of one Coffer instance, in a registry of its own (no global state, so
// tests and several instances in one process do not share counters).
//
// What may be a label is deliberately narrow: route *templates* (`/api/v1/secrets/:id`, never the
// URL with its id), status codes, audit action codes and outcomes, key-encryption key *ids* (stored
// in the clear beside every data key anyway). Never a secret id, user, value or key.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditEvent } from '../audit/audit.service.js';

/** Read at scrape time, so a reloaded key file or a rotation shows without a restart. */
export interface MetricSources {
  currentKekId: () => string;
  dataKeysByKek: () => Promise<{ kek_id: string; count: number }[]>;
  secretCounts: () => Promise<{ live: number; trash: number }>;
}

/** Seconds. Sign-in (argon2id) sits near 50–100 ms; value reads well below. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics() {
  const registry = new Registry();
  let sources: MetricSources | undefined;

  const httpRequests = new Counter({
    name: 'coffer_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'coffer_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const valueReads = new Counter({
    name: 'coffer_secret_value_reads_total',
    help: 'Reads of a secret value, by outcome (allowed: the value was returned; denied: refused and audited).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const auditWrites = new Counter({
    name: 'coffer_audit_entries_total',
    help: 'Audit entries written, by action and outcome (allowed, denied, failed).',
    labelNames: ['action', 'outcome'] as const,
    registers: [registry],
  });
  const auditFailures = new Counter({
    name: 'coffer_audit_write_failures_total',
    help: 'Audit entries that could not be written; each refused its request (fail closed). Alert on any increase.',
    labelNames: ['action'] as const,
    registers: [registry],
  });

  // Gauges filled at scrape time. A failed query drops the series rather than failing the scrape,
  // so process and HTTP metrics still arrive while the database is down.
  new Gauge({
    name: 'coffer_key_encryption_key_info',
    help: 'The key-encryption key that wraps new data keys (value 1; the id is a label, never the key).',
    labelNames: ['kek_id'] as const,
    registers: [registry],
    collect() {
      this.reset();
      if (sources) this.set({ kek_id: sources.currentKekId() }, 1);
    },
  });
  new Gauge({
    name: 'coffer_data_keys',
    help: 'Data keys (one per secret version) wrapped by each key-encryption key; after a rotation only the current one should remain.',
    labelNames: ['kek_id'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await sources?.dataKeysByKek().catch(() => []);
      for (const r of rows ?? []) this.set({ kek_id: r.kek_id }, r.count);
    },
  });
  new Gauge({
    name: 'coffer_secrets',
    help: 'Secrets stored, by state (live, trash). Every replica reports the same store: aggregate with max(), not sum().',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const c = await sources?.secretCounts().catch(() => undefined);
      if (c) for (const state of ['live', 'trash'] as const) this.set({ state }, c[state]);
    },
  });

  return {
    registry,
    /** Connects the gauges to the services, once they exist. */
    watch(s: MetricSources): void {
      sources = s;
    },
    /** Process metrics (CPU, memory, event loop, GC). Once per process: they install observers that are never removed. */
    collectProcessMetrics(): void {
      collectDefaultMetrics({ register: registry });
    },
    observeRequest(method: string, route: string, status: number, seconds: number): void {
      const labels = { method, route, status: String(status) };
      httpRequests.inc(labels);
      httpDuration.observe(labels, seconds);
    },
    auditAppended(e: AuditEvent): void {
      auditWrites.inc({ action: e.action, outcome: e.outcome });
      if (e.action === 'secret.read_value') valueReads.inc({ outcome: e.outcome });
    },
    auditFailed(e: AuditEvent): void {
      auditFailures.inc({ action: e.action });
    },
    text: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
