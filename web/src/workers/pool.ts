import { ErrorCode, LazydcmError } from '../core/errors.js';
import type { DecodedFrame } from '../io/cache.js';
import { platform, type WorkerLike } from '../platform/platform.js';
import { wasmSettings } from '../wasm/load.js';
import type { ConfigMessage, DecodeRequest, DecodeResponse } from './protocol.js';

interface Pending {
  resolve: (d: DecodedFrame) => void;
  reject: (e: Error) => void;
  worker: number;
  /** The request; its bytes are null once transferred to the worker. */
  request: Omit<DecodeRequest, 'bytes'> & { bytes: Uint8Array | null };
}

/**
 * Decodes frames in workers, each with its own WASM instance (no SharedArrayBuffer, so no
 * COOP/COEP headers). Encoded bytes and decoded values are transferred, not copied. Frames go to
 * the live worker with the fewest in flight. Each worker loads the same WASM build as the page
 * (setWasmBaseUrl / setWasmSimd at the time the pool is created). A worker that cannot start or
 * load its WASM is dropped and its frames fail with the cause (`workerError` / `wasmLoadError`);
 * when none is left, every decode fails so — create a new pool to try again.
 * Pass one to `open(src, { decodePool })`.
 */
export class DecodePool {
  private pending = new Map<number, Pending>();
  private busy: number[];
  private dead: (Error | null)[];
  private nextId = 1;
  private closed = false;

  private constructor(private readonly workers: WorkerLike[]) {
    this.busy = workers.map(() => 0);
    this.dead = workers.map(() => null);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Workers able to decode (not failed). */
  get live(): number {
    return this.closed ? 0 : this.dead.filter((d) => !d).length;
  }

  /** `size` workers (default: the machine's cores minus one, at least 1, at most 8). */
  static async create(size?: number): Promise<DecodePool> {
    const n = Math.max(1, size ?? Math.min(8, Math.max(1, (await platform().hardwareConcurrency()) - 1)));
    const workers: WorkerLike[] = [];
    let pool: DecodePool | undefined;  // the handlers run after it exists
    for (let i = 0; i < n; i++) {
      const events = { message: (m: unknown) => pool!.settle(i, m as DecodeResponse), error: (e: Error) => pool!.failWorker(i, e) };
      workers.push(platform().startWorker(events) ?? browserWorker(events));
    }
    pool = new DecodePool(workers);
    const config: ConfigMessage = { settings: wasmSettings() };
    for (const w of workers) w.post(config, []);
    return pool;
  }

  /** Decodes one frame; `bytes` is transferred (unusable afterwards). */
  decode(transferSyntaxUid: string, frame: Record<string, unknown>, bytes: Uint8Array): Promise<DecodedFrame> {
    if (this.closed) return Promise.reject(new LazydcmError(ErrorCode.workerError, 'workerError', 'DecodePool is closed'));
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    const id = this.nextId++;
    return new Promise<DecodedFrame>((resolve, reject) => {
      const p: Pending = { resolve, reject, worker: -1, request: { id, transferSyntaxUid, frame, bytes: own } };
      this.pending.set(id, p);
      this.dispatch(p);
    });
  }

  /** Sends a request to the least busy live worker (or fails it when none is left). */
  private dispatch(p: Pending): void {
    let w = -1;
    for (let i = 0; i < this.workers.length; i++) if (!this.dead[i] && (w < 0 || this.busy[i] < this.busy[w])) w = i;
    if (w < 0 || !p.request.bytes) {
      this.pending.delete(p.request.id);
      p.reject(this.dead.find((d) => d) ?? new LazydcmError(ErrorCode.workerError, 'workerError', 'no decode worker left'));
      return;
    }
    p.worker = w;
    if (this.busy[w]++ === 0) this.workers[w].busy?.(true);
    const bytes = p.request.bytes;
    // The bytes go to the worker; if it dies before answering they are gone, and the frame fails.
    p.request.bytes = null;
    this.workers[w].post({ ...p.request, bytes } satisfies DecodeRequest, [bytes.buffer as ArrayBuffer]);
  }

  private settle(worker: number, m: DecodeResponse): void {
    if ('fatal' in m) {
      this.failWorker(worker, LazydcmError.fromJson(m.fatal));
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (--this.busy[p.worker] === 0) this.workers[p.worker]?.busy?.(false);
    if ('error' in m) p.reject(LazydcmError.fromJson(m.error));
    else p.resolve({ bytes: m.bytes, report: m.report });
  }

  private failWorker(worker: number, e: Error): void {
    if (this.dead[worker]) return;
    this.dead[worker] = e instanceof LazydcmError ? e : new LazydcmError(ErrorCode.workerError, 'workerError', e.message);
    this.busy[worker] = 0;
    this.workers[worker]?.busy?.(false);
    this.workers[worker]?.terminate();
    for (const p of [...this.pending.values()]) {
      if (p.worker !== worker) continue;
      this.pending.delete(p.request.id);
      p.reject(this.dead[worker]!);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const stopped = this.workers.map((w) => w.terminate());
    this.workers.length = 0;
    for (const p of this.pending.values()) p.reject(new LazydcmError(ErrorCode.workerError, 'workerError', 'DecodePool closed'));
    this.pending.clear();
    await Promise.all(stopped);  // Node: the threads have exited when close() resolves
  }
}

/**
 * A browser module Worker from a literal URL (bundlers emit the worker and its imports). An error
 * before any answer is a worker that could not start (the script is not served, or does not parse).
 */
function browserWorker(events: { message(data: unknown): void; error(e: Error): void }): WorkerLike {
  const url = new URL('./decode-worker.js', import.meta.url);  // for the error message
  // Written out in full inside `new Worker(...)`: the pattern Vite and webpack recognise and bundle.
  const w = new Worker(new URL('./decode-worker.js', import.meta.url), { type: 'module' });
  w.onmessage = (e) => events.message(e.data);
  w.onerror = (e) => {
    e.preventDefault?.();
    const what = e.message || `could not load ${url.href} (is it served, and its imports with it?)`;
    events.error(new LazydcmError(ErrorCode.workerError, 'workerError', `decode worker: ${what}`));
  };
  w.onmessageerror = () => events.error(new LazydcmError(ErrorCode.workerError, 'workerError', 'decode worker: a message could not be deserialised'));
  return { post: (m, t) => w.postMessage(m, t), terminate: () => w.terminate() };
}
