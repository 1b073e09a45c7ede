import { IoStats } from '../io/stats.js';
import type { ByteSource } from './source.js';

/** A `File` or `Blob` (drag and drop, a picked folder), read by `slice`, never whole. */
export class BlobSource implements ByteSource {
  readonly stats = new IoStats();
  readonly name: string;
  constructor(private readonly blob: Blob) {
    this.name = (blob as File).name ?? 'blob';
  }
  async open(length: number) {
    return { size: this.blob.size, head: await this.read(0, length) };
  }
  async read(offset: number, length: number) {
    const end = Math.min(offset + length, this.blob.size);
    const bytes = new Uint8Array(await this.blob.slice(offset, end).arrayBuffer());
    this.stats.requests++;
    this.stats.bytes += bytes.length;
    return bytes;
  }
}
