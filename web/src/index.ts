/**
 * lazydcm for Node (the `node` export condition): the whole API plus local files and folders,
 * the .wasm read from disk and worker_threads decode pools. Browsers and bundlers get browser.ts.
 */
import { nodePlatform } from './platform/node.js';
import { setPlatform } from './platform/platform.js';

setPlatform(nodePlatform);

export * from './lib.js';
export { NodeFileSource } from './sources/node-file.js';
export { defaultCacheFolder, FolderStore } from './platform/folder-store.js';
