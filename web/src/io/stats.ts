/** What reading cost: requests made, bytes received, cache hits, and notes such as a server ignoring Range. */
export class IoStats {
  requests = 0;
  bytes = 0;
  cacheHits = 0;
  /** Milliseconds spent waiting for bytes. */
  waitMs = 0;
  notes: string[] = [];

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  toJSON() {
    return { requests: this.requests, bytes: this.bytes, cacheHits: this.cacheHits, waitMs: Math.round(this.waitMs), notes: this.notes };
  }
}
