// After a crash and restart: the database file is sound, every row decrypts, every acknowledged
// write is there with its value and version (and its audit entry), and the restarted server
// serves the same and verifies its audit chain.
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { createEnvelope } from '../../src/crypto/envelope.js';
import { Keyring, readKeyFile } from '../../src/crypto/keyring.js';
import { sameValue, type Model, type Value } from './model.js';

export interface Findings {
  problems: string[];
  versionsDecrypted: number;
  auditEntries: number;
}

interface Store {
  state: Map<string, { version: number; deleted: boolean }>;
  values: Map<string, Value>;
  audited: Set<string>;
}

const key = (id: string, v: number | string) => `${id}#${v}`;

/** Reads the store beside the running server (a WAL reader does not disturb it). */
function readStore(dir: string, problems: string[]): Store & { decrypted: number } {
  const db = new SQLite(path.join(dir, 'coffer.db'), { readonly: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`);
    const fk = db.pragma('foreign_key_check') as unknown[];
    if (fk.length > 0) problems.push(`foreign_key_check: ${JSON.stringify(fk).slice(0, 500)}`);

    const envelope = createEnvelope(new Keyring(readKeyFile(path.join(dir, 'master.key'))));
    const values = new Map<string, Value>();
    let decrypted = 0;
    const rows = db.prepare('select secret_id, version, kek_id, wrapped_key, ciphertext from secret_versions').iterate() as Iterable<{ secret_id: string; version: number; kek_id: string; wrapped_key: Buffer; ciphertext: Buffer }>;
    for (const r of rows) {
      try {
        const plain = envelope.open({ workspace: 'default', secretId: r.secret_id, version: r.version }, { kekId: r.kek_id, wrappedKey: r.wrapped_key, ciphertext: r.ciphertext });
        values.set(key(r.secret_id, r.version), JSON.parse(plain.toString('utf8')) as Value);
        decrypted++;
      } catch (e) {
        problems.push(`${r.secret_id} v${r.version} does not decrypt: ${(e as Error).name}`);
      }
    }
    const state = new Map<string, { version: number; deleted: boolean }>();
    for (const r of db.prepare('select id, version, deleted_at from secrets').iterate() as Iterable<{ id: string; version: number; deleted_at: string | null }>) {
      state.set(r.id, { version: r.version, deleted: r.deleted_at !== null });
    }
    const audited = new Set<string>();
    const entries = db.prepare("select action, target, details from audit_log where action in ('secret.create', 'secret.update', 'secret.delete')").iterate() as Iterable<{ action: string; target: string; details: string }>;
    for (const e of entries) {
      const id = e.target.replace(/^secret:/, '');
      audited.add(e.action === 'secret.delete' ? key(id, 'deleted') : key(id, (JSON.parse(e.details) as { version: number }).version));
    }
    return { state, values, audited, decrypted };
  } finally {
    db.close();
  }
}

/** Compares the store with the model, then settles the unanswered writes from what the store says. */
function compare(model: Model, store: Store, problems: string[]): void {
  for (const s of model.secrets.values()) {
    const found = store.state.get(s.id) ?? { version: 0, deleted: false };
    if (!model.allowed(s).some((a) => a.version === found.version && a.deleted === found.deleted)) {
      problems.push(`${s.id}: store has v${found.version}${found.deleted ? ' (deleted)' : ''}, acknowledged v${s.version}${s.deleted ? ' (deleted)' : ''}${s.pending ? `, unanswered ${s.pending.op}` : ''}`);
      continue;
    }
    for (const [v, value] of s.versions) {
      const stored = store.values.get(key(s.id, v));
      if (!stored || !sameValue(stored, value)) problems.push(`${s.id} v${v}: acknowledged value ${stored ? 'differs' : 'is missing'}`);
      if (!store.audited.has(key(s.id, v))) problems.push(`${s.id} v${v}: no audit entry`);
    }
    if (s.deleted && !store.audited.has(key(s.id, 'deleted'))) problems.push(`${s.id}: deletion has no audit entry`);
    // An unanswered write that did commit must have committed whole.
    const p = s.pending;
    if (p?.value && found.version === p.version) {
      const stored = store.values.get(key(s.id, p.version!));
      if (!stored || !sameValue(stored, p.value)) problems.push(`${s.id} v${p.version}: unanswered write committed a different value`);
    }
    if (store.values.has(key(s.id, found.version + 1))) problems.push(`${s.id}: a version beyond the current one exists`);
    model.settle(s, store.state.get(s.id));
  }
}

/** The restarted server: its own audit check, and the secrets of this round through the API. */
async function checkServer(url: string, apiKey: string, model: Model, round: string, problems: string[]): Promise<number> {
  const get = (p: string) => fetch(`${url}/api/v1${p}`, { headers: { authorization: `Bearer ${apiKey}` } });
  const verify = (await (await get('/audit/verify')).json()) as { ok: boolean; entries: number; reason?: string };
  if (!verify.ok) problems.push(`audit chain: ${verify.reason}`);
  for (const s of model.secrets.values()) {
    if (!s.id.startsWith(`${round}-`) || s.version === 0) continue;
    const meta = await get(`/secrets/${s.id}`);
    if (s.deleted) {
      if (meta.status !== 404) problems.push(`${s.id}: deleted, but metadata answers ${meta.status}`);
      continue;
    }
    const m = (await meta.json()) as { version?: number };
    if (meta.status !== 200 || m.version !== s.version) problems.push(`${s.id}: API says ${meta.status} v${m.version}, expected v${s.version}`);
    const value = await get(`/secrets/${s.id}/value`);
    if (value.status !== 200 || !sameValue((await value.json()) as Value, s.versions.get(s.version)!)) problems.push(`${s.id}: API value differs from v${s.version}`);
  }
  return verify.entries;
}

export async function verifyAfterRestart(o: { dir: string; url: string; apiKey: string; model: Model; round: string }): Promise<Findings> {
  const problems: string[] = [];
  const store = readStore(o.dir, problems);
  compare(o.model, store, problems);
  const auditEntries = await checkServer(o.url, o.apiKey, o.model, o.round, problems);
  return { problems, versionsDecrypted: store.decrypted, auditEntries };
}
