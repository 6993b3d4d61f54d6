// What every provider (S3, Azure, GCS, SharePoint, Confluence) offers the connectors service.
// Providers get the decrypted value and the target, talk to the vendor with the vendor's own SDK
// or REST API, and report failures as one of a few reasons. They never put a credential, or a
// vendor message that could quote one, into what they return or throw.
import type { Readable } from 'node:stream';

export const FAILURE_REASONS = ['invalid_credentials', 'expired', 'no_access', 'target_not_found', 'target_required', 'unreachable', 'provider_error'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export class ProviderFailure extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
    /** The vendor's own error code (SignatureDoesNotMatch, AADSTS7000215…): names, never values. */
    readonly providerCode?: string,
  ) {
    super(message);
    this.name = 'ProviderFailure';
  }
}

/** Thrown by read() when the key names nothing inside the target. */
export class ObjectMissing extends Error {
  constructor(readonly key: string) {
    super(`No document '${key}' in this connector's target.`);
    this.name = 'ObjectMissing';
  }
}

export type Value = Readonly<Record<string, string>>;
export type Target = Readonly<Record<string, string>>;

export interface ObjectItem {
  /** Relative to the connector's target: pass it back to read(). */
  key: string;
  name: string;
  size: number | null;
  modified_at: string | null;
  folder: boolean;
}

export interface ObjectPage {
  items: ObjectItem[];
  next_cursor: string | null;
}

export interface ObjectBody {
  body: Readable;
  name: string;
  contentType: string;
  size: number | null;
}

export interface ListQuery {
  prefix: string;
  limit: number;
  cursor?: string;
}

export interface CallOptions {
  /** Per vendor call; a provider that does not answer in time is 'unreachable'. */
  timeoutMs: number;
}

export interface Provider {
  /** Resolves with a sentence saying what was proved; rejects with ProviderFailure. */
  check(value: Value, target: Target | undefined, o: CallOptions): Promise<string>;
  list(value: Value, target: Target, q: ListQuery, o: CallOptions): Promise<ObjectPage>;
  read(value: Value, target: Target, key: string, o: CallOptions): Promise<ObjectBody>;
}
