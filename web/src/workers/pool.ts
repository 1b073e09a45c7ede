import { LazydcmError } from '../core/errors.js';
import type { DecodedFrame } from '../io/cache.js';
import type { DecodeRequest, DecodeResponse } from './protocol.js';

interface WorkerLike {
  post(message: DecodeRequest, transfer: ArrayBuffer[]): void;
  terminate(): void;
  /** Node: a worker with work keeps the process alive, an idle one does not. */
  busy?(yes: boolean): void;
}

interface Pending {
  resolve: (d: DecodedFrame) => void;
  reject: (e: Error) => void;
  worker: number;
}

/**
 * Decodes frames in workers, each with its own WASM instance (no SharedArrayBuffer, so no
 * COOP/COEP headers). Encoded bytes and decoded values are transferred, not copied. Frames go to
 * the worker with the fewest in flight. Pass one to `open(src, { decodePool })`.
 */
export class DecodePool {
  private pending = new Map<number, Pending>();
  private busy: number[];
  private nextId = 1;

  private constructor(private readonly workers: WorkerLike[]) {
    this.busy = workers.map(() => 0);
  }

  get size(): number {
    return this.workers.length;
  }

  /** `size` workers (default: the machine's cores minus one, at least 1, at most 8). */
  static async create(size?: number): Promise<DecodePool> {
    const n = Math.max(1, size ?? (await defaultSize()));
    const url = new URL('./decode-worker.js', import.meta.url);
    const workers: WorkerLike[] = [];
    let pool: DecodePool | undefined;  // the handlers run after it exists
    const onMessage = (m: DecodeResponse) => pool!.settle(m);
    const onError = (w: number) => (e: unknown) => pool!.failWorker(w, e);
    const node = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
    if (typeof Worker !== 'undefined' && !node) {
      for (let i = 0; i < n; i++) {
        const w = new Worker(url, { type: 'module' });
        w.onmessage = (e) => onMessage(e.data as DecodeResponse);
        w.onerror = onError(i);
        workers.push({ post: (m, t) => w.postMessage(m, t), terminate: () => w.terminate() });
      }
    } else {
      const { Worker: NodeWorker } = await import('node:worker_threads');
      for (let i = 0; i < n; i++) {
        const w = new NodeWorker(url);
        w.on('message', onMessage);
        w.on('error', onError(i));
        w.unref();  // an idle pool does not keep Node alive
        workers.push({ post: (m, t) => w.postMessage(m, t), terminate: () => void w.terminate(), busy: (yes) => (yes ? w.ref() : w.unref()) });
      }
    }
    pool = new DecodePool(workers);
    return pool;
  }

  /** Decodes one frame; `bytes` is transferred (unusable afterwards). */
  decode(transferSyntaxUid: string, frame: Record<string, unknown>, bytes: Uint8Array): Promise<DecodedFrame> {
    if (!this.workers.length) return Promise.reject(new Error('DecodePool is closed'));
    let w = 0;
    for (let i = 1; i < this.busy.length; i++) if (this.busy[i] < this.busy[w]) w = i;
    const id = this.nextId++;
    if (this.busy[w]++ === 0) this.workers[w].busy?.(true);
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    return new Promise<DecodedFrame>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: w });
      this.workers[w].post({ id, transferSyntaxUid, frame, bytes: own }, [own.buffer as ArrayBuffer]);
    });
  }

  private settle(m: DecodeResponse): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (--this.busy[p.worker] === 0) this.workers[p.worker]?.busy?.(false);
    if ('error' in m) p.reject(LazydcmError.fromJson(m.error));
    else p.resolve({ bytes: m.bytes, report: m.report });
  }

  private failWorker(worker: number, e: unknown): void {
    this.busy[worker] = 0;
    this.workers[worker]?.busy?.(false);
    for (const [id, p] of this.pending) {
      if (p.worker !== worker) continue;
      this.pending.delete(id);
      p.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  async close(): Promise<void> {
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
    for (const p of this.pending.values()) p.reject(new Error('DecodePool closed'));
    this.pending.clear();
  }
}

async function defaultSize(): Promise<number> {
  if (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) return Math.min(8, Math.max(1, navigator.hardwareConcurrency - 1));
  const os = await import('node:os');
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.min(8, Math.max(1, cores - 1));
}
