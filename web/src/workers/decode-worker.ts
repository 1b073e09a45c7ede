/**
 * The browser decode worker (a module Worker the pool creates with
 * `new Worker(new URL('./decode-worker.js', import.meta.url), { type: 'module' })`, which bundlers
 * follow): its own WASM instance and Decoder. No top-level await, so bundlers' worker formats take it.
 */
import { serveDecodes } from './serve.js';

const scope = globalThis as unknown as {
  postMessage: (m: unknown, t: ArrayBuffer[]) => void;
  addEventListener: (type: 'message', h: (e: { data: unknown }) => void) => void;
};
const handle = serveDecodes((m, t) => scope.postMessage(m, t));
scope.addEventListener('message', (e) => handle(e.data as Parameters<typeof handle>[0]));
