/** What reading cost: requests made, bytes received, cache hits, and notes such as a server ignoring Range. */
export class IoStats {
  requests = 0;
  bytes = 0;
  /** Frames served from the encoded or decoded frame cache, and frames that had to be fetched. */
  cacheHits = 0;
  cacheMisses = 0;
  /** Frames that were already being read for another caller (a view's batch): joined, not fetched again. */
  inflightJoins = 0;
  /** Opens served from the persistent cache (header and index not read again), and opens that filled it. */
  persistentHits = 0;
  persistentMisses = 0;
  /** Milliseconds spent waiting for bytes. */
  waitMs = 0;
  notes: string[] = [];

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  toJSON() {
    return { requests: this.requests, bytes: this.bytes, cacheHits: this.cacheHits, cacheMisses: this.cacheMisses, inflightJoins: this.inflightJoins,
      persistentHits: this.persistentHits, persistentMisses: this.persistentMisses, waitMs: Math.round(this.waitMs), notes: this.notes };
  }
}

/**
 * The sum of several sources' statistics (a series of instances). Each IoStats counts once: the
 * entries of one zip share the archive's.
 */
export function sumStats(all: IoStats[]): IoStats {
  const out = new IoStats();
  for (const s of new Set(all)) {
    out.requests += s.requests;
    out.bytes += s.bytes;
    out.cacheHits += s.cacheHits;
    out.cacheMisses += s.cacheMisses;
    out.inflightJoins += s.inflightJoins;
    out.persistentHits += s.persistentHits;
    out.persistentMisses += s.persistentMisses;
    out.waitMs += s.waitMs;
    for (const n of s.notes) out.note(n);
  }
  return out;
}
