/**
 * What differs between Node and browsers, behind one seam so that the browser entry holds no Node
 * code: local files and folders, reading the .wasm from disk, worker threads, the core count.
 * The browser entry (`lazydcm` under the `browser`/`default` conditions) keeps the default below;
 * the Node entry installs `nodePlatform` (platform/node.ts) when it is imported.
 */
import type { PersistentStore } from '../io/persistent-store.js';
import type { ByteSource } from '../sources/source.js';

/** A worker the pool talks to (a browser Worker or a Node worker_threads Worker). */
export interface WorkerLike {
  post(message: unknown, transfer: ArrayBuffer[]): void;
  /** Node: resolves when the thread has exited. */
  terminate(): void | Promise<unknown>;
  /** Node: a worker with work keeps the process alive, an idle one does not. */
  busy?(yes: boolean): void;
}

export interface WorkerEvents {
  message(data: unknown): void;
  error(e: Error): void;
}

export interface Platform {
  readonly isNode: boolean;
  /** A local file path as a ByteSource (null: no files here, the string is a URL). */
  fileSource(path: string): ByteSource | null;
  /** The files under a folder, sorted (null: not a folder, or no folders here). */
  listDirectory(path: string): Promise<string[] | null>;
  /** The bytes of a file: URL (the .wasm next to the module in Node); null where fetch() serves it. */
  readFileUrl(url: URL): Promise<Uint8Array> | null;
  /** A decode worker (null: use the browser's module Worker). */
  startWorker(events: WorkerEvents): WorkerLike | null;
  hardwareConcurrency(): Promise<number>;
  /** The persistent cache's default storage here (a folder in Node); undefined: the browser's. */
  persistentStore?(maxBytes: number): PersistentStore;
}

const browserPlatform: Platform = {
  isNode: false,
  fileSource: () => null,
  listDirectory: async () => null,
  readFileUrl: () => null,
  startWorker: () => null,
  hardwareConcurrency: async () => (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) || 2,
};

let current = browserPlatform;

export function platform(): Platform {
  return current;
}

/** Installed by the Node entry (index.ts) and the Node decode worker. */
export function setPlatform(p: Platform): void {
  current = p;
}
