/**
 * A least-recently-used cache bounded by bytes, not entries (EZ-WSI's frame cache, with a limit by
 * default: an unbounded cache is how viewers run out of memory). Values larger than the whole
 * budget are not kept.
 */
export class ByteLruCache<V> {
  private map = new Map<string, { value: V; bytes: number }>();
  private used = 0;
  hits = 0;
  misses = 0;
  evictions = 0;

  constructor(
    public maxBytes: number,
    private readonly sizeOf: (value: V) => number,
  ) {}

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.map.size;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (!e) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(key);  // most recently used last
    this.map.set(key, e);
    return e.value;
  }

  set(key: string, value: V): void {
    const bytes = this.sizeOf(value);
    this.delete(key);
    if (bytes > this.maxBytes) return;
    this.map.set(key, { value, bytes });
    this.used += bytes;
    this.trim();
  }

  /**
   * Evicts least recently used entries until the cache fits `maxBytes`. One iterator lives across
   * calls: every entry it has passed was evicted, and entries used again move behind it, so it always
   * stands at the oldest. (A new iterator per eviction is quadratic: V8 walks the deleted slots at the
   * front of the Map each time — 400,000 evicting sets took 19 s.)
   */
  trim(): void {
    while (this.used > this.maxBytes && this.map.size > 0) {
      let next = this.oldest?.next();
      if (!next || next.done) {
        this.oldest = this.map.entries();
        next = this.oldest.next();
        if (next.done) break;
      }
      const [k, e] = next.value;
      this.map.delete(k);
      this.used -= e.bytes;
      this.evictions++;
    }
  }
  private oldest?: Iterator<[string, { value: V; bytes: number }]>;

  delete(key: string): void {
    const e = this.map.get(key);
    if (!e) return;
    this.map.delete(key);
    this.used -= e.bytes;
  }

  /** Drops every key that starts with `prefix` (an instance's frames when it closes). */
  deletePrefix(prefix: string): void {
    for (const k of [...this.map.keys()]) if (k.startsWith(prefix)) this.delete(k);
  }

  clear(): void {
    this.map.clear();
    this.used = 0;
  }

  toJSON() {
    return { entries: this.map.size, bytes: this.used, maxBytes: this.maxBytes, hits: this.hits, misses: this.misses, evictions: this.evictions };
  }
}

export type { DecodedFrame } from '../wasm/values.js';
import type { DecodedFrame } from '../wasm/values.js';

/** The caches frames go through: encoded bytes (what a fetch costs) and decoded frames (what a decode costs). */
export interface FrameCaches {
  encoded: ByteLruCache<Uint8Array>;
  decoded: ByteLruCache<DecodedFrame>;
}

/**
 * What one cache entry costs beyond its bytes (its Map entry, key string, typed array and
 * ArrayBuffer objects; measured in V8: ~340 bytes). Counted, so a file of a million 1-byte frames
 * cannot fill a 128 MiB budget with 300 MiB of entries.
 */
export const CACHE_ENTRY_BYTES = 320;

export function createFrameCaches(limits: { encodedBytes?: number; decodedBytes?: number } = {}): FrameCaches {
  return {
    encoded: new ByteLruCache<Uint8Array>(limits.encodedBytes ?? 128 * 2 ** 20, (b) => b.byteLength + CACHE_ENTRY_BYTES),
    decoded: new ByteLruCache<DecodedFrame>(limits.decodedBytes ?? 256 * 2 ** 20, (d) => d.bytes.byteLength + CACHE_ENTRY_BYTES),
  };
}

let shared: FrameCaches | undefined;

/** The caches instances share unless given their own (128 MiB encoded, 256 MiB decoded by default). */
export function sharedFrameCaches(): FrameCaches {
  shared ??= createFrameCaches();
  return shared;
}

/** Resizes the shared caches (e.g. `{ decodedBytes: 1 << 30 }` for a viewer with memory to spare). */
export function setCacheLimits(limits: { encodedBytes?: number; decodedBytes?: number }): void {
  const c = sharedFrameCaches();
  if (limits.encodedBytes !== undefined) c.encoded.maxBytes = limits.encodedBytes;
  if (limits.decodedBytes !== undefined) c.decoded.maxBytes = limits.decodedBytes;
  c.encoded.trim();
  c.decoded.trim();
}
