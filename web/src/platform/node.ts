/** The Node side of platform.ts: files, folders, the .wasm from disk, worker_threads. */
import { readdir, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import { NodeFileSource } from '../sources/node-file.js';
import { FolderStore } from './folder-store.js';
import type { Platform } from './platform.js';

async function listDirectory(path: string): Promise<string[] | null> {
  const s = await stat(path).catch(() => null);
  if (!s?.isDirectory()) return null;
  const out: string[] = [];
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...((await listDirectory(full)) ?? []));
    else if (entry.isFile() && !entry.name.startsWith('.') && entry.name.toUpperCase() !== 'DICOMDIR') out.push(full);
  }
  return out.sort();
}

export const nodePlatform: Platform = {
  isNode: true,
  fileSource: (path) => new NodeFileSource(path.startsWith('file://') ? fileURLToPath(path) : path),
  listDirectory,
  readFileUrl: (url) => (url.protocol === 'file:' ? readFile(url).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)) : null),
  startWorker(events) {
    const w = new Worker(new URL('../workers/decode-worker-node.js', import.meta.url));
    w.on('message', (m) => events.message(m));
    w.on('error', (e) => events.error(e));
    w.unref();  // an idle pool does not keep Node alive
    return { post: (m, t) => w.postMessage(m, t), terminate: () => w.terminate(), busy: (yes) => (yes ? w.ref() : w.unref()) };
  },
  persistentStore: (maxBytes) => new FolderStore(undefined, maxBytes),
  hardwareConcurrency: async () => (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length),
};
