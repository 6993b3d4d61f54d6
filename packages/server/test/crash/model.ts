// What the crash test's clients were told: every acknowledged write, and the one write per client
// whose answer never came because the server died. After a restart the store must hold exactly
// the acknowledged state, or that state plus the unanswered write, never anything else.

export type Value = Record<string, string>;

export const sameValue = (a: Value, b: Value) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

export interface Pending {
  op: 'create' | 'update' | 'delete';
  /** The version the write would make (create: 1, update: last acknowledged + 1). */
  version?: number;
  value?: Value;
}

export interface SecretModel {
  id: string;
  /** Acknowledged versions and their values. */
  versions: Map<number, Value>;
  /** Latest acknowledged version; 0 while the create is unanswered. */
  version: number;
  deleted: boolean;
  pending?: Pending;
}

/** What a write does to the model once it is known to have happened. */
function apply(s: SecretModel, p: Pending): void {
  if (p.op === 'delete') s.deleted = true;
  else {
    s.version = p.version!;
    s.versions.set(p.version!, p.value!);
  }
}

export class Model {
  readonly secrets = new Map<string, SecretModel>();
  acknowledged = 0;
  /** Unanswered writes that the store shows were committed (the answer was lost, not the write). */
  committedUnanswered = 0;

  begin(id: string, p: Pending): SecretModel {
    let s = this.secrets.get(id);
    if (!s) {
      s = { id, versions: new Map(), version: 0, deleted: false };
      this.secrets.set(id, s);
    }
    s.pending = p;
    return s;
  }

  acknowledge(s: SecretModel): void {
    apply(s, s.pending!);
    s.pending = undefined;
    this.acknowledged++;
  }

  /** The allowed states of a secret after the restart: [version, deleted] pairs. */
  allowed(s: SecretModel): { version: number; deleted: boolean }[] {
    const now = { version: s.version, deleted: s.deleted };
    if (!s.pending) return [now];
    const p = s.pending;
    if (p.op === 'delete') return [now, { version: s.version, deleted: true }];
    return [now, { version: p.version!, deleted: false }];
  }

  /** After checking, the store's answer settles what the unanswered write did. */
  settle(s: SecretModel, found: { version: number; deleted: boolean } | undefined): void {
    const p = s.pending;
    if (!p) return;
    if (found && (found.version !== s.version || found.deleted !== s.deleted)) {
      this.committedUnanswered++;
      apply(s, p);
    }
    s.pending = undefined;
  }
}
