import { IoStats } from '../io/stats.js';
import type { ByteSource } from './source.js';

/** Bytes already in memory (a downloaded file, a server that ignored Range). */
export class MemorySource implements ByteSource {
  readonly stats: IoStats;
  constructor(
    private readonly bytes: Uint8Array,
    readonly name = 'memory',
    stats?: IoStats,
  ) {
    this.stats = stats ?? new IoStats();
  }
  async open(length: number) {
    return { size: this.bytes.length, head: this.bytes.subarray(0, Math.min(length, this.bytes.length)) };
  }
  async read(offset: number, length: number) {
    this.stats.cacheHits++;
    return this.bytes.subarray(offset, Math.min(offset + length, this.bytes.length));
  }
}
