/** The Node decode worker (worker_threads, started by platform/node.ts). */
import { parentPort } from 'node:worker_threads';

import { nodePlatform } from '../platform/node.js';
import { setPlatform } from '../platform/platform.js';
import { serveDecodes } from './serve.js';

setPlatform(nodePlatform);
if (!parentPort) throw new Error('decode-worker-node: not in a worker');
const port = parentPort;
const handle = serveDecodes((m, t) => port.postMessage(m, t));
port.on('message', handle);
