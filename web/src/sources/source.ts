import type { IoStats } from '../io/stats.js';

/**
 * Random access to the bytes of one file. The core says which ranges it needs; a source fetches
 * them. `size` is known after `open()`.
 */
export interface ByteSource {
  /** A name for messages: the URL or path. */
  readonly name: string;
  /** Reads the first bytes (up to `length`) and learns the total size. */
  open(length: number, signal?: AbortSignal): Promise<{ size: number; head: Uint8Array }>;
  /** Bytes [offset, offset + length), clipped to the size. */
  read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array>;
  readonly stats: IoStats;
  close?(): Promise<void>;
  /**
   * A key under which this object's frames may be cached across opens (an HTTP URL with its ETag);
   * undefined when only this open may use them.
   */
  cacheKey?(): string | undefined;
}
