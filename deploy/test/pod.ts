// What the kubelet would hand the server: the Deployment's env, with its Secret volume projected
// into a temp dir from fake Secrets, read by the server's own settings parser (loadConfig). So a
// chart that sets a misspelt or invalid setting, or points a *_FILE at a file the pod lacks, fails
// here as the pod would fail at start.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '@coffer/server';
import { one, type Rendered } from './helm.js';

/** Secret name → key → content, as `kubectl create secret generic` would store them. */
export type Secrets = Record<string, Record<string, string>>;

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}

export function container(r: Rendered): any {
  const pod = one(r, 'Deployment').spec.template.spec;
  return pod.containers[0];
}

export function startPod(r: Rendered, secrets: Secrets): { env: Record<string, string>; config: Readonly<Config>; root: string } {
  const pod = one(r, 'Deployment').spec.template.spec;
  const c = container(r);
  const root = mkdtempSync(path.join(tmpdir(), 'coffer-pod-'));
  const mounts = new Map<string, string>();
  for (const m of c.volumeMounts as { name: string; mountPath: string }[]) {
    const vol = (pod.volumes as any[]).find((v) => v.name === m.name);
    if (!vol) throw new Error(`volumeMount ${m.name} has no volume`);
    mounts.set(m.mountPath, m.name);
    const sources = vol.projected?.sources ?? (vol.secret ? [{ secret: vol.secret }] : []);
    for (const s of sources as { secret: { name?: string; secretName?: string; items: { key: string; path: string }[] } }[]) {
      const name = s.secret.name ?? s.secret.secretName!;
      for (const item of s.secret.items) {
        const content = secrets[name]?.[item.key];
        if (content === undefined) throw new Error(`pod cannot start: Secret ${name} has no key ${item.key}`);
        mkdirSync(path.join(root, m.mountPath), { recursive: true });
        writeFileSync(path.join(root, m.mountPath, item.path), content, { mode: 0o440 });
      }
    }
  }
  const env: Record<string, string> = {};
  for (const e of c.env as EnvVar[]) {
    if (e.value === undefined) throw new Error(`${e.name}: only literal values and files are expected`);
    const mounted = [...mounts.keys()].some((m) => e.value!.startsWith(`${m}/`));
    env[e.name] = e.name.endsWith('_FILE') && mounted ? path.join(root, e.value) : e.value;
  }
  return { env, config: loadConfig(env), root };
}
