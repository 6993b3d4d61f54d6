import { createHash } from 'node:crypto';

export const GENESIS = '0'.repeat(64);

export interface ChainFields {
  seq: number;
  workspace_id: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  outcome: string;
  client_ip: string;
  user_agent: string;
  request_id: string;
  details: string;
}

/** The hash covers every field and the previous hash, so edits, removals and reorders break the chain. */
export function entryHash(prevHash: string, e: ChainFields): string {
  const canonical = JSON.stringify([e.seq, e.workspace_id, e.at, e.actor, e.action, e.target, e.outcome, e.client_ip, e.user_agent, e.request_id, e.details]);
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}
