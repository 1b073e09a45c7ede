import { ErrorCode, LazydcmError } from '../core/errors.js';
import type { DecodedFrame, DecodeOptions, FrameInfo } from '../wasm/values.js';
import { inlineAssets } from '../platform/inline.js';
import { platform, type WorkerEvents, type WorkerLike } from '../platform/platform.js';
import { compiledCore, compiledModule, wasmSettings } from '../wasm/load.js';
import type { ConfigMessage, DecodeRequest, DecodeResponse, GiveMessage } from './protocol.js';

interface Pending {
  resolve: (d: DecodedFrame) => void;
  reject: (e: Error) => void;
  worker: number;
  /** The request; its bytes are null once transferred to the worker. */
  request: Omit<DecodeRequest, 'bytes'> & { bytes: Uint8Array | null };
}

/** A worker is sent frames once it has loaded its WASM (`ready`); a failure before that may be retried. */
type WorkerState = 'starting' | 'ready' | 'dead';

/**
 * Decodes frames in workers, each with its own WASM instance (no SharedArrayBuffer, so no
 * COOP/COEP headers). Encoded bytes and decoded values are transferred, not copied. Frames go to
 * the ready worker with the fewest in flight; frames asked for while the workers load their WASM
 * wait in the pool (never in a worker that might not start). Each worker loads the same WASM build
 * as the page (setWasmBaseUrl / setWasmSimd at the time the pool is created).
 *
 * Workers load the codec modules their frames need themselves (JPEG 2000, JPEG-LS). In browsers, a
 * worker whose script a bundler did not emit (esbuild) is started again from the worker source
 * inlined in the package, as a Blob, and given the page's compiled modules (the core first, the
 * others when it asks). A worker
 * that still cannot start or load its WASM is dropped and its frames fail with the cause
 * (`workerError` / `wasmLoadError`); when none is left, every decode fails so — create a new pool
 * to try again. Pass one to `open(src, { decodePool })`.
 */
export class DecodePool {
  private pending = new Map<number, Pending>();
  /** Requests waiting for a worker to be ready. */
  private queue: Pending[] = [];
  private busy: number[];
  private state: WorkerState[];
  private dead: (Error | null)[];
  /** Browser workers already restarted from the inlined source. */
  private fromBlob: boolean[];
  /** Which start of each worker its events must come from. */
  private generation: number[];
  private nextId = 1;
  private closed = false;

  private constructor(private readonly workers: WorkerLike[], private readonly browser: boolean) {
    this.busy = workers.map(() => 0);
    this.state = workers.map(() => 'starting');
    this.dead = workers.map(() => null);
    this.fromBlob = workers.map(() => false);
    this.generation = workers.map(() => 0);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Workers able to decode, or still loading (not failed). */
  get live(): number {
    return this.closed ? 0 : this.state.filter((s) => s !== 'dead').length;
  }

  /** `size` workers (default: the machine's cores minus one, at least 1, at most 8). */
  static async create(size?: number): Promise<DecodePool> {
    const n = Math.max(1, size ?? Math.min(8, Math.max(1, (await platform().hardwareConcurrency()) - 1)));
    const workers: WorkerLike[] = [];
    let pool: DecodePool | undefined;  // the handlers run after it exists
    let browser = false;
    for (let i = 0; i < n; i++) {
      const node = platform().startWorker(eventsFor(() => pool!, i));
      browser = !node;
      workers.push(node ?? browserWorker(eventsFor(() => pool!, i), new URL('./decode-worker.js', import.meta.url),
        () => new Worker(new URL('./decode-worker.js', import.meta.url), { type: 'module' })));
    }
    pool = new DecodePool(workers, browser);
    const config: ConfigMessage = { settings: wasmSettings() };
    for (const w of workers) w.post(config, []);
    return pool;
  }

  /** Decodes one frame; `bytes` is transferred (unusable afterwards). */
  decode(transferSyntaxUid: string, frame: FrameInfo & DecodeOptions, bytes: Uint8Array): Promise<DecodedFrame> {
    if (this.closed) return Promise.reject(new LazydcmError(ErrorCode.workerError, 'workerError', 'DecodePool is closed'));
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    const id = this.nextId++;
    return new Promise<DecodedFrame>((resolve, reject) => {
      const p: Pending = { resolve, reject, worker: -1, request: { id, transferSyntaxUid, frame, bytes: own } };
      this.pending.set(id, p);
      this.dispatch(p);
    });
  }

  /** Sends a request to the least busy ready worker, queues it while workers start, or fails it when none is left. */
  private dispatch(p: Pending): void {
    let w = -1;
    for (let i = 0; i < this.workers.length; i++) if (this.state[i] === 'ready' && (w < 0 || this.busy[i] < this.busy[w])) w = i;
    if (w < 0 && this.state.includes('starting')) {
      this.queue.push(p);
      // Node: a starting worker with frames waiting keeps the process alive.
      this.state.forEach((s, i) => s === 'starting' && this.workers[i].busy?.(true));
      return;
    }
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

  /** @internal a worker's message. */
  settle(worker: number, m: DecodeResponse, generation = 0): void {
    // Nothing after close(), nor from a worker that was replaced (a late event of the first try).
    if (this.closed || generation !== this.generation[worker]) return;
    if ('ready' in m) {
      if (this.state[worker] !== 'starting') return;
      this.state[worker] = 'ready';
      const waiting = this.queue.splice(0);
      for (const p of waiting) this.dispatch(p);
      if (this.busy[worker] === 0) this.workers[worker].busy?.(false);
      return;
    }
    if ('fatal' in m) {
      this.failWorker(worker, LazydcmError.fromJson(m.fatal));
      return;
    }
    if ('need' in m) {
      // A worker started from a Blob cannot fetch a module by URL: the page compiles it (once) and hands it over.
      const w = this.workers[worker];
      const give = (g: GiveMessage) => generation === this.generation[worker] && !this.closed && w.post(g, []);
      compiledModule(m.need).then((compiled) => {
        if (!compiled) throw new Error('no compiled WebAssembly module on this page');
        give({ give: m.need, compiled });
      }).catch((e: unknown) => {
        const error = e instanceof LazydcmError ? e : new LazydcmError(ErrorCode.wasmLoadError, 'wasmLoadError', e instanceof Error ? e.message : String(e));
        give({ give: m.need, error: { code: error.code, name: error.codeName, message: error.message, offset: error.offset ?? null } });
      });
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (--this.busy[p.worker] === 0) this.workers[p.worker]?.busy?.(false);
    if ('error' in m) p.reject(LazydcmError.fromJson(m.error));
    else p.resolve({ bytes: m.bytes, report: m.report });
  }

  /** @internal a worker failed: a browser worker that never started is tried once from the inlined source. */
  failWorker(worker: number, e: Error, generation = 0): void {
    if (this.closed || this.state[worker] === 'dead' || generation !== this.generation[worker]) return;
    const error = e instanceof LazydcmError ? e : new LazydcmError(ErrorCode.workerError, 'workerError', e.message);
    const restart = this.browser && this.state[worker] === 'starting' && !this.fromBlob[worker] && inlineAssets() !== null;
    this.workers[worker]?.terminate();
    if (restart) {
      this.fromBlob[worker] = true;
      this.workers[worker] = blobWorker(eventsFor(() => this, worker, ++this.generation[worker]), error);
      return;
    }
    this.state[worker] = 'dead';
    this.dead[worker] = error;
    this.busy[worker] = 0;
    this.workers[worker]?.busy?.(false);
    for (const p of [...this.pending.values()]) {
      if (p.worker !== worker) continue;
      this.pending.delete(p.request.id);
      p.reject(error);
    }
    if (!this.state.includes('starting') && !this.state.includes('ready')) {
      for (const p of this.queue.splice(0)) this.dispatch(p);  // each fails with the cause
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const stopped = this.workers.map((w) => w.terminate());
    this.workers.length = 0;
    for (const p of this.pending.values()) p.reject(new LazydcmError(ErrorCode.workerError, 'workerError', 'DecodePool closed'));
    this.pending.clear();
    this.queue.length = 0;
    await Promise.all(stopped);  // Node: the threads have exited when close() resolves
  }
}

/** A worker's events, delivered to its pool by index and generation (a replaced worker's are ignored). */
function eventsFor(pool: () => DecodePool, i: number, generation = 0): WorkerEvents {
  return {
    message: (m: unknown) => pool().settle(i, m as DecodeResponse, generation),
    error: (e: Error) => pool().failWorker(i, e, generation),
  };
}

/**
 * A browser module Worker. Created by the caller as `new Worker(new URL('./decode-worker.js',
 * import.meta.url), { type: 'module' })` written out in full — the pattern Vite and webpack
 * recognise and bundle. An error before any answer is a worker that could not start (the script is
 * not served, or does not parse).
 */
function browserWorker(events: WorkerEvents, url: URL | string, start: () => Worker): WorkerLike {
  const what = (detail?: string) => `decode worker: ${detail || `could not load ${url} (is it served, and its imports with it?)`}`;
  let w: Worker;
  try {
    w = start();
  } catch (e) {  // a Content Security Policy without this worker-src, for one
    queueMicrotask(() => events.error(new LazydcmError(ErrorCode.workerError, 'workerError', what(e instanceof Error ? `${url}: ${e.message}` : undefined))));
    return { post: () => {}, terminate: () => {} };
  }
  w.onmessage = (e) => events.message(e.data);
  w.onerror = (e) => {
    e.preventDefault?.();
    events.error(new LazydcmError(ErrorCode.workerError, 'workerError', what(e.message)));
  };
  w.onmessageerror = () => events.error(new LazydcmError(ErrorCode.workerError, 'workerError', what('a message could not be deserialised')));
  return { post: (m, t) => w.postMessage(m, t), terminate: () => w.terminate() };
}

let blobUrl: Promise<string> | undefined;

/**
 * The decode worker started from its source inlined in the package (web/dist/workers/
 * decode-worker-inline.js, one self-contained module) as a Blob URL, given the page's compiled
 * WASM module: what runs when a bundler did not emit decode-worker.js (esbuild). Messages posted
 * before it exists wait (the config first).
 */
function blobWorker(events: WorkerEvents, cause: LazydcmError): WorkerLike {
  const held: [unknown, ArrayBuffer[]][] = [];
  let worker: WorkerLike | null = null;
  let stopped = false;
  const fail = (e: unknown) => events.error(new LazydcmError(ErrorCode.workerError, 'workerError',
    `${cause.message}; and from the inlined source: ${e instanceof Error ? e.message : String(e)}`));
  Promise.all([
    blobUrl ??= inlineAssets()!.workerSource().then((source) => URL.createObjectURL(new Blob([source], { type: 'text/javascript' }))),
    compiledCore(),
  ]).then(([url, core]) => {
    if (stopped) return;
    if (!core) throw new Error('no compiled WebAssembly module on this page');
    worker = browserWorker({ message: events.message, error: fail }, 'the inlined decode worker', () => new Worker(url, { type: 'module' }));
    const config: ConfigMessage = { settings: { simd: core.simd }, core };
    worker.post(config, []);
    for (const [m, t] of held.splice(0)) worker.post(m, t);
  }).catch(fail);
  return {
    post: (m, t) => (worker ? worker.post(m, t) : held.push([m, t])),
    terminate: () => {
      stopped = true;
      worker?.terminate();
    },
  };
}
