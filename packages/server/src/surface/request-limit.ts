// A token bucket per key: up to `perMinute` requests at once, refilled at perMinute/60 per second.
// Kept in memory and bounded, like the sign-in limiter: each replica limits on its own.
import { isIPv4, isIPv6 } from 'node:net';

interface Bucket {
  tokens: number;
  at: number;
  /** When a refusal of this bucket was last written to the audit log. */
  auditedAt: number;
}

export class RequestLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly perMinute: number, private readonly maxKeys = 100_000) {}

  /** Takes one request; 0 when allowed, else the seconds until the next one would be. */
  take(key: string, now = Date.now()): number {
    const ratePerMs = this.perMinute / 60_000;
    let b = this.buckets.get(key);
    if (b) {
      b.tokens = Math.min(this.perMinute, b.tokens + (now - b.at) * ratePerMs);
      b.at = now;
      // Re-inserted so the Map's order is least recently used first: eviction drops idle keys.
      this.buckets.delete(key);
    } else {
      b = { tokens: this.perMinute, at: now, auditedAt: 0 };
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / ratePerMs / 1000));
  }

  /** True at most once a minute per key: a flood leaves one audit entry a minute, not one per request. */
  shouldAudit(key: string, now = Date.now()): boolean {
    const b = this.buckets.get(key);
    if (!b || now - b.auditedAt < 60_000) return false;
    b.auditedAt = now;
    return true;
  }
}

/**
 * The bucket of a client address. An IPv6 host usually owns a whole /64, so it counts as one
 * address; otherwise one machine could rotate through 2^64 buckets.
 */
export function addressKey(ip: string): string {
  if (ip.startsWith('::ffff:') && isIPv4(ip.slice(7))) return ip.slice(7);
  if (!isIPv6(ip)) return ip;
  const bare = ip.split('%')[0]!;
  const [head = '', tail = ''] = bare.split('::');
  const hextets = (s: string) => (s ? s.split(':').flatMap((p) => (p.includes('.') ? ['0', '0'] : [p])) : []);
  const h = hextets(head);
  const t = hextets(tail);
  const full = bare.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return `${full.slice(0, 4).map((x) => parseInt(x, 16).toString(16)).join(':')}::/64`;
}
