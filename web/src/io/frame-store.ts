/**
 * Encoded frames by index, for one instance: the encoded cache first, then reads already in flight
 * (joined, never sent twice), then the source — byte ranges coalesced into as few requests as
 * adjacency allows (files, HTTP, zips), or frames by number in batches (DICOMweb) — through the
 * request scheduler, plus what the prefetch policy adds. The model asks for frames; how they are
 * fetched is decided here (no I/O policy in model/).
 */
import { ErrorCode, LazydcmError } from '../core/errors.js';
import { isFrameSource, type ByteSource, type FrameSource, type InstanceSource } from '../sources/source.js';
import { CACHE_ENTRY_BYTES, type FrameCaches } from './cache.js';
import { coalesce } from './coalesce.js';
import type { RequestScheduler } from './scheduler.js';
import type { IoStats } from './stats.js';

/** Progress of a long read: bytes fetched and frames decoded so far. */
export interface Progress {
  bytesDone: number;
  bytesTotal: number;
  framesDone: number;
  framesTotal: number;
}

/** What every pixel read accepts. */
export interface ReadOptions {
  /**
   * Frame ranges closer than this are fetched in one request. Default: what one round trip of the
   * link carries (measured RTT x bandwidth, 64 KiB to 4 MiB; 64 KiB before anything is measured).
   */
  maxGap?: number;
  signal?: AbortSignal;
  /** Higher first when reads wait for the scheduler (e.g. visible tiles over prefetch). */
  priority?: number;
  onProgress?: (p: Progress) => void;
  /**
   * false: the frames read are not added to the frame caches (a read larger than them would only
   * evict what is there; volume reads decide this themselves). Cached frames are still used.
   */
  cache?: boolean;
}

/** Where frames are in a file (the frame index; model/frame-table.ts). */
export interface FrameSpans {
  readonly length: number;
  offset(index: number): number;
  byteLength(index: number): number;
  totalBytes(): number;
}

/** Where an instance's frames come from. */
export type FrameOrigin =
  | { kind: 'ranges'; source: ByteSource; spans: () => FrameSpans }
  | {
    kind: 'numbers'; source: FrameSource; count: number;
    /** The decoded size of every frame (frames by number have no lengths; this bounds them). */
    decodedBytes: number;
    /** A batch arrived in this transfer syntax. */
    onTransferSyntax(uid: string): void;
  };

/**
 * The origin of an instance's frames: byte ranges located by its index (files, HTTP, zips), or
 * frames by number (DICOMweb), whose decoded size `frameBytes` bounds what a frame may cost.
 */
export function frameOrigin(source: InstanceSource, spans: () => FrameSpans & { length: number }, frameBytes: number,
  onTransferSyntax: (uid: string) => void): FrameOrigin {
  if (!isFrameSource(source)) return { kind: 'ranges', source, spans };
  const count = spans().length;
  return { kind: 'numbers', source, count, decodedBytes: count * frameBytes, onTransferSyntax };
}

/**
 * The cost model of coalescing: a gap between two wanted ranges is worth reading when it costs less
 * than the round trip a second request would — the bytes one round trip of the link carries
 * (RTT x bandwidth), kept within 64 KiB .. 4 MiB.
 */
export function gapFor(link: { rttMs: number; bytesPerMs: number } | undefined): number {
  if (!link) return 64 * 1024;
  return Math.round(Math.min(4 * 2 ** 20, Math.max(64 * 1024, link.rttMs * link.bytesPerMs)));
}

export interface PrefetchPolicy {
  /** See OpenOptions.prefetch. */
  prefetch?: 'none' | 'block' | 'instance' | 'latency';
  prefetchBlock?: number;
  prefetchInstanceBytes?: number;
}

type Settle = ReturnType<FrameStore['track']>;

export class FrameStore {
  /** Frames being read, by index: a read of one of them waits for that read instead of sending another. */
  private readonly pending = new Map<number, Promise<Uint8Array>>();

  constructor(
    private readonly origin: FrameOrigin,
    private readonly caches: FrameCaches | null,
    /** Cache keys: `${keyPrefix}${index}`. */
    private readonly keyPrefix: string,
    private readonly scheduler: RequestScheduler,
    private readonly stats: IoStats,
    private readonly policy: PrefetchPolicy,
  ) {}

  private key(i: number): string {
    return `${this.keyPrefix}${i}`;
  }

  private get count(): number {
    return this.origin.kind === 'ranges' ? this.origin.spans().length : this.origin.count;
  }

  /** The frame index changed (a re-index): cached and in-flight frames of the old one are forgotten. */
  reset(): void {
    this.caches?.encoded.deletePrefix(this.keyPrefix);
    this.pending.clear();
  }

  /**
   * Frame ranges that lie in bytes already read (the first read, a fragment scan) go to the
   * encoded cache, so reading those frames costs no request. Bounded by the cache's byte budget.
   */
  seed(held: HeldBytes): void {
    if (!this.caches || !held.chunks.length || this.origin.kind !== 'ranges') return;
    const [lo, hi] = held.span();
    const t = this.origin.spans(), cache = this.caches.encoded;
    for (let i = 0; i < t.length; i++) {
      const offset = t.offset(i), length = t.byteLength(i);
      if (offset < lo || offset + length > hi) continue;  // a slide's other 10^5 tiles: no work
      // Speculative: fills free room only, never evicts what reads put there.
      if (cache.bytes + length + CACHE_ENTRY_BYTES > cache.maxBytes) break;
      if (cache.has(this.key(i))) continue;
      const bytes = held.copy(offset, length);
      if (bytes) cache.set(this.key(i), bytes);
    }
  }

  /**
   * The encoded bytes of frames (0-based): cached ones, joined reads in flight, and the others in
   * as few requests as adjacency (and the prefetch policy) allows, run in parallel through the
   * scheduler.
   */
  async fetch(indices: number[], options: ReadOptions = {}, prefetch = true): Promise<Map<number, Uint8Array>> {
    const out = new Map<number, Uint8Array>();
    const wanted = new Set<number>();
    const joining: [number, Promise<Uint8Array>][] = [];
    for (const i of new Set(indices)) {
      const cached = this.caches?.encoded.get(this.key(i));
      const pending = cached ? undefined : this.pending.get(i);
      if (cached) {
        out.set(i, cached);
        this.stats.cacheHits++;
      } else if (pending) {
        joining.push([i, pending]);  // already being read (a view's batch, another caller): no second request
        this.stats.inflightJoins++;
      } else {
        wanted.add(i);
        this.stats.cacheMisses++;
      }
    }
    const joined = Promise.all(joining.map(async ([i, p]) => {
      try {
        out.set(i, await p);
      } catch (e) {
        // The read this joined was aborted by its own caller: read it for this one.
        if (!(e instanceof LazydcmError && e.code === ErrorCode.aborted) || options.signal?.aborted) throw e;
        out.set(i, (await this.fetch([i], options, false)).get(i)!);
      }
    }));
    if (!wanted.size) {
      await joined;
      return out;
    }
    const policy = prefetch ? this.policy.prefetch ?? 'none' : 'none';
    const extra = policy === 'none' ? [] : this.prefetchFor([...wanted]).filter((i) => !this.pending.has(i));
    if (policy === 'latency' && extra.length) {
      // The requested frames now; the rest of their blocks afterwards, at a lower priority, into
      // the cache (errors there are not the caller's).
      const behind = extra.filter((i) => !wanted.has(i));
      const fetched = this.fetch([...wanted], options, false);
      fetched.then(() => this.fetch(behind, { maxGap: options.maxGap, priority: (options.priority ?? 0) - 1 }, false)).catch(() => undefined);
      const [got] = await Promise.all([fetched, joined]);
      for (const [i, b] of got) out.set(i, b);
      return out;
    }
    const all = [...new Set([...wanted, ...extra])];
    const settle = this.track(all);
    try {
      if (this.origin.kind === 'numbers') await this.fetchByNumber(this.origin, all, wanted, out, options, settle);
      else await this.fetchRanges(this.origin, all, wanted, out, options, settle);
    } finally {
      settle.rest(new LazydcmError(ErrorCode.aborted, 'aborted', 'read not finished'));
    }
    await joined;
    return out;
  }

  /** Registers frames as being read; `done`/`fail` settle them as their bytes arrive, `rest` the others. */
  private track(indices: number[]) {
    const settlers = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: unknown) => void; p: Promise<Uint8Array> }>();
    for (const i of indices) {
      let resolve!: (b: Uint8Array) => void, reject!: (e: unknown) => void;
      const p = new Promise<Uint8Array>((res, rej) => { resolve = res; reject = rej; });
      p.catch(() => undefined);  // nobody may have joined it
      settlers.set(i, { resolve, reject, p });
      this.pending.set(i, p);
    }
    const finish = (i: number) => {
      const s = settlers.get(i);
      settlers.delete(i);
      if (s && this.pending.get(i) === s.p) this.pending.delete(i);
      return s;
    };
    return {
      done: (i: number, b: Uint8Array) => finish(i)?.resolve(b),
      fail: (indices: number[], e: unknown) => { for (const i of indices) finish(i)?.reject(e); },
      rest: (e: unknown) => { for (const i of [...settlers.keys()]) finish(i)?.reject(e); },
    };
  }

  /** Byte ranges: adjacent frames coalesced into one request each, in parallel through the scheduler. */
  private async fetchRanges(origin: Extract<FrameOrigin, { kind: 'ranges' }>, all: number[], wanted: Set<number>,
    out: Map<number, Uint8Array>, options: ReadOptions, settle: Settle): Promise<void> {
    const t = origin.spans();
    const groups = coalesce(all.map((index) => ({ index, offset: t.offset(index), length: t.byteLength(index) })),
      options.maxGap ?? gapFor(origin.source.link?.()));
    const bytesTotal = groups.reduce((n, g) => n + g.length, 0);
    let bytesDone = 0;
    await Promise.all(groups.map((group) => this.scheduler.run(async () => {
      const bytes = await origin.source.read(group.offset, group.length, options.signal);
      if (bytes.length < group.length) {
        throw new LazydcmError(ErrorCode.truncated, 'truncated', `frames end at byte ${group.offset + bytes.length}, before ${group.offset + group.length}`,
          group.offset + bytes.length, origin.source.name);
      }
      for (const f of group.items) {
        const b = bytes.subarray(f.offset - group.offset, f.offset - group.offset + f.length);
        // Cached frames are copies: a view would pin the whole coalesced read.
        const own = group.items.length > 1 ? b.slice() : b;
        if (options.cache !== false) this.caches?.encoded.set(this.key(f.index), own);
        if (wanted.has(f.index)) out.set(f.index, b);
        settle.done(f.index, own);
      }
      bytesDone += group.length;
      options.onProgress?.({ bytesDone, bytesTotal, framesDone: 0, framesTotal: wanted.size });
    }, { priority: options.priority, signal: options.signal }).catch((e: unknown) => {
      settle.fail(group.items.map((f) => f.index), e);
      throw e;
    })));
  }

  /** Frames by number: sorted, up to framesPerRequest per request, through the scheduler. */
  private async fetchByNumber(origin: Extract<FrameOrigin, { kind: 'numbers' }>, all: number[], wanted: Set<number>,
    out: Map<number, Uint8Array>, options: ReadOptions, settle: Settle): Promise<void> {
    all.sort((a, b) => a - b);
    const groups: number[][] = [];
    for (let k = 0; k < all.length; k += origin.source.framesPerRequest) groups.push(all.slice(k, k + origin.source.framesPerRequest));
    let bytesDone = 0;
    await Promise.all(groups.map((group) => this.scheduler.run(async () => {
      const got = await origin.source.readFrames(group.map((i) => i + 1), options.signal);
      origin.onTransferSyntax(got.transferSyntaxUid);
      group.forEach((index, k) => {
        const b = got.frames[k];
        if (options.cache !== false) this.caches?.encoded.set(this.key(index), b);
        if (wanted.has(index)) out.set(index, b);
        settle.done(index, b);
        bytesDone += b.length;
      });
      options.onProgress?.({ bytesDone, bytesTotal: 0, framesDone: 0, framesTotal: wanted.size });
    }, { priority: options.priority, signal: options.signal }).catch((e: unknown) => {
      settle.fail(group, e);
      throw e;
    })));
  }

  /** Frames the prefetch policy adds to a read of `missing` (uncached ones only). */
  private prefetchFor(missing: number[]): number[] {
    const policy = this.policy.prefetch ?? 'none';
    if (policy === 'none' || !this.caches) return [];
    const n = this.count;
    const cached = (i: number) => this.caches!.encoded.has(this.key(i));
    if (policy === 'instance') {
      const total = this.origin.kind === 'numbers' ? this.origin.decodedBytes : this.origin.spans().totalBytes();
      if (total <= (this.policy.prefetchInstanceBytes ?? 8 * 2 ** 20)) return Array.from({ length: n }, (_, i) => i).filter((i) => !cached(i));
    }
    const block = Math.max(1, this.policy.prefetchBlock ?? 16);
    const extra = new Set<number>();
    for (const i of missing) {
      const start = Math.floor(i / block) * block;
      for (let j = start; j < Math.min(n, start + block); j++) if (!cached(j)) extra.add(j);
    }
    return [...extra];
  }
}

/**
 * Bytes an open read (header, offset tables, fragment scans), kept up to a budget so the frames
 * they hold can seed the encoded cache (FrameStore.seed).
 */
export class HeldBytes {
  readonly chunks: { offset: number; bytes: Uint8Array }[] = [];
  private total = 0;

  constructor(private readonly maxBytes: number) {}

  add(offset: number, bytes: Uint8Array): void {
    if (!this.maxBytes || !bytes.length) return;
    this.chunks.push({ offset, bytes });
    this.total += bytes.length;
    while (this.total > this.maxBytes && this.chunks.length > 1) this.total -= this.chunks.shift()!.bytes.length;
  }

  /** A copy of [offset, offset + length) when the chunks hold all of it, else null (nothing allocated). */
  copy(offset: number, length: number): Uint8Array | null {
    const end = offset + length;
    const parts: { c: { offset: number; bytes: Uint8Array }; n: number }[] = [];
    for (let at = offset; at < end;) {
      const c = this.chunks.find((k) => k.offset <= at && at < k.offset + k.bytes.length);
      if (!c) return null;
      const n = Math.min(end, c.offset + c.bytes.length) - at;
      parts.push({ c, n });
      at += n;
    }
    const out = new Uint8Array(length);
    let at = offset;
    for (const { c, n } of parts) {
      out.set(c.bytes.subarray(at - c.offset, at - c.offset + n), at - offset);
      at += n;
    }
    return out;
  }

  /** [first byte held, end of the last byte held): frames outside it need no lookup. */
  span(): [number, number] {
    let lo = Infinity, hi = -Infinity;
    for (const c of this.chunks) {
      lo = Math.min(lo, c.offset);
      hi = Math.max(hi, c.offset + c.bytes.length);
    }
    return [lo, hi];
  }
}
