// Sign-in throttling: a sliding window of failures per account and per client address.
// Kept in memory: each replica limits on its own, which still bounds guessing to N× per replica.
export class FailureLimiter {
  private readonly hits = new Map<string, number[]>();
  constructor(private readonly max: number, private readonly windowMs: number) {}

  /** Seconds until another attempt is allowed, or 0. */
  retryAfter(key: string, now = Date.now()): number {
    const list = this.prune(key, now);
    if (list.length < this.max) return 0;
    return Math.ceil((list[0]! + this.windowMs - now) / 1000);
  }

  fail(key: string, now = Date.now()): void {
    const list = this.prune(key, now);
    list.push(now);
    this.hits.set(key, list);
    if (this.hits.size > 100_000) this.hits.delete(this.hits.keys().next().value!);
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  private prune(key: string, now: number): number[] {
    const list = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length === 0) this.hits.delete(key);
    return list;
  }
}
