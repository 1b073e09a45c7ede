/**
 * Frames from encoded bytes to decoded values, for one instance: the decoded-frame cache, the
 * frame store (fetches), and where frames are decoded — on this thread inside the core, in a
 * DecodePool, straight into a region or segment buffer in the core (no decoded copy crosses), or
 * on this thread by the codec module of their transfer syntax (JPEG 2000/HTJ2K, JPEG-LS: loaded the
 * first time, their frames cross back into the core decoded).
 */
import { ioError, LazydcmError } from '../core/errors.js';
import type { FrameCaches } from '../io/cache.js';
import type { FrameStore, Progress, ReadOptions } from '../io/frame-store.js';
import type { IoStats } from '../io/stats.js';
import { core, type CorePixels, type DecodedFrame } from '../wasm/core.js';
import type { DecodePool } from '../workers/pool.js';

/** Frame reads that decode: JPEG 2000 reduction, JPEG to RGB. */
export type DecodeReadOptions = ReadOptions & { reduce?: number; rgb?: boolean };

/** Uncached frames handed over encoded, decoded where they are used; returns the decoded frame when `keep`. */
export type UseEncoded = (i: number, bytes: Uint8Array, keep: boolean) => DecodedFrame | undefined;

export class FrameDecoding {
  constructor(
    private readonly pixels: () => CorePixels,
    private readonly store: FrameStore,
    private readonly caches: FrameCaches | null,
    private readonly keyPrefix: string,
    private readonly stats: IoStats,
    private readonly pool: DecodePool | undefined,
    private readonly source: string,
    /** Deflated files: the frames are in the inflated stream the core already holds. */
    private readonly inflated: () => boolean,
  ) {}

  /**
   * Hands each frame to `use` once: decoded from the decoded cache, else fetched and decoded (here
   * or in the pool) and cached. With `useEncoded` and no pool, uncached frames go to it encoded
   * instead, decoded inside the core where they are used (a region, a segment volume): the decoded
   * tile never crosses back into WASM, and crosses out only to be cached (`keep`: when the decoded
   * cache has a budget).
   */
  async each(indices: number[], options: DecodeReadOptions, use: (i: number, d: DecodedFrame) => void, useEncoded?: UseEncoded): Promise<void> {
    const reduce = options.reduce ?? 0;
    const rgb = options.rgb ?? false;
    const key = (i: number) => `${this.keyPrefix}${i}${reduce ? `@${reduce}` : ''}${rgb ? '@rgb' : ''}`;
    const missing: number[] = [];
    let cached = 0;
    for (const i of new Set(indices)) {
      const d = this.caches?.decoded.get(key(i));
      if (d) {
        use(i, d);
        cached++;
        this.stats.cacheHits++;
      } else {
        missing.push(i);
      }
    }
    if (!missing.length) return;
    const progress: Progress = { bytesDone: 0, bytesTotal: 0, framesDone: cached, framesTotal: cached + missing.length };
    const bytes = await this.fetch(missing, {
      ...options,
      onProgress: options.onProgress && ((p) => {
        progress.bytesDone = p.bytesDone;
        progress.bytesTotal = p.bytesTotal;
        options.onProgress!({ ...progress });
      }),
    });
    const pixels = this.pixels();
    const done = () => {
      progress.framesDone++;
      options.onProgress?.({ ...progress });
    };
    const caches = options.cache === false ? null : this.caches;
    const decoded = (i: number, d: DecodedFrame) => {
      caches?.decoded.set(key(i), d);
      use(i, d);
      done();
    };
    // Decoded elsewhere — in the pool's workers, or by the codec module of the transfer syntax on
    // this thread — from the encoded frame (fragments joined); the values come back as bytes.
    const pool = this.pool;
    const c = await core();
    const uid0 = pixels.frameInfo(missing[0]).transferSyntaxUid;
    const module = pool ? undefined : c.codecModule(uid0);
    if (pool || (module !== 'core' && module !== '')) {
      const decoder = pool ? undefined : await c.decoderFor(uid0);
      await Promise.all(missing.map(async (i) => {
        if (!pool && options.signal?.aborted) throw ioError('aborted', 'aborted', this.source);
        const { transferSyntaxUid, ...info } = pixels.frameInfo(i);
        const raw = pixels.encoded(i, bytes.get(i)!);
        let d: DecodedFrame;
        try {
          d = pool ? await pool.decode(transferSyntaxUid, { ...info, reduce, rgb }, raw) : decoder!.decode(transferSyntaxUid, info, raw, { reduce, rgb });
        } catch (e) {
          throw e instanceof LazydcmError ? new LazydcmError(e.code, e.codeName, `frame ${i + 1}: ${e.message}`, e.offset, this.source) : e;
        }
        decoded(i, d);
      }));
      return;
    }
    for (const i of missing) {
      if (options.signal?.aborted) throw ioError('aborted', 'aborted', this.source);
      if (useEncoded) {
        const d = useEncoded(i, bytes.get(i)!, (caches?.decoded.maxBytes ?? 0) > 0);
        if (d) caches?.decoded.set(key(i), d);
        done();
      } else {
        decoded(i, pixels.decode(i, bytes.get(i)!, { reduce, rgb }));
      }
    }
  }

  /**
   * The bytes of frames' indexed ranges: cached ones from the encoded cache, the others in as few
   * requests as adjacency (and the prefetch policy) allows, run in parallel through the scheduler.
   */
  async fetch(indices: number[], options: ReadOptions = {}, prefetch = true): Promise<Map<number, Uint8Array>> {
    if (this.inflated()) return new Map(indices.map((i) => [i, new Uint8Array(0)]));
    return this.store.fetch(indices, options, prefetch);
  }
}
