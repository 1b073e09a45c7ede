/**
 * A decode worker: its own WASM instance and Decoder; decodes the frames it is sent and transfers
 * the stored values back. Runs as a browser module Worker or a Node worker_threads Worker.
 */
import { loadCore } from '../wasm/load.js';
import type { DecodeRequest, DecodeResponse } from './protocol.js';

type Post = (message: DecodeResponse, transfer: ArrayBuffer[]) => void;

// Listen before the first await: a browser delivers messages while a module worker's top-level
// await runs, and drops those nobody listens to. They wait here until the decoder is ready.
const early: DecodeRequest[] = [];
let handle: ((req: DecodeRequest) => void) | null = null;
const receive = (req: DecodeRequest) => (handle ? handle(req) : early.push(req));

const scope = globalThis as unknown as {
  WorkerGlobalScope?: unknown;
  postMessage: (m: unknown, t: ArrayBuffer[]) => void;
  addEventListener: (type: string, h: (e: MessageEvent) => void) => void;
};
let post: Post;
if (typeof scope.WorkerGlobalScope !== 'undefined') {
  scope.addEventListener('message', (e) => receive(e.data as DecodeRequest));
  post = (m, t) => scope.postMessage(m, t);
} else {
  const { parentPort } = await import('node:worker_threads');  // queues messages until a listener exists
  if (!parentPort) throw new Error('decode-worker: not in a worker');
  parentPort.on('message', receive);
  post = (m, t) => parentPort.postMessage(m, t);
}

const core = await loadCore();
const decoder = new core.Decoder();
handle = (req) => {
  decoder.inputBuffer(req.bytes.length).set(req.bytes);
  const status = decoder.decode(req.transferSyntaxUid, JSON.stringify(req.frame), req.bytes.length);
  if (status !== 0) {
    post({ id: req.id, error: JSON.parse(decoder.errorJson()) }, []);
    return;
  }
  const bytes = decoder.outputView().slice();
  post({ id: req.id, bytes, report: JSON.parse(decoder.reportJson()) }, [bytes.buffer]);
};
for (const req of early.splice(0)) handle(req);
