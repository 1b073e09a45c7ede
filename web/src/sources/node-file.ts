import { IoStats } from '../io/stats.js';
import type { ByteSource } from './source.js';

type FileHandle = import('node:fs/promises').FileHandle;

// A source dropped without close() (an Instance never closed) closes its file when collected,
// instead of leaving it to Node's FileHandle finalizer (deprecation warning DEP0137).
const unclosed = new FinalizationRegistry<FileHandle>((handle) => void handle.close().catch(() => undefined));

/** A local file in Node, read with positioned reads. */
export class NodeFileSource implements ByteSource {
  readonly stats = new IoStats();
  private handle?: FileHandle;
  private size = 0;
  constructor(readonly name: string) {}

  async open(length: number) {
    const fs = await import('node:fs/promises');
    this.handle = await fs.open(this.name, 'r');
    unclosed.register(this, this.handle, this);
    this.size = (await this.handle.stat()).size;
    return { size: this.size, head: await this.read(0, length) };
  }

  async read(offset: number, length: number) {
    if (!this.handle) throw new Error('NodeFileSource: open() first');
    const n = Math.max(0, Math.min(length, this.size - offset));
    const bytes = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const { bytesRead } = await this.handle.read(bytes, done, n - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    this.stats.requests++;
    this.stats.bytes += done;
    return done === n ? bytes : bytes.subarray(0, done);
  }

  async close() {
    unclosed.unregister(this);
    await this.handle?.close();
    this.handle = undefined;
  }
}
