// Node ESM consumer: the installed package, a local file, a worker pool, the CLI.
import assert from 'node:assert/strict';
import { DecodePool, NodeFileSource, open, wasmFlavour } from 'lazydcm';

const [file, expectedFrames] = process.argv.slice(2);
const pool = await DecodePool.create(2);
const inst = await open(file, { decodePool: pool });
const frames = await inst.getStoredFrames();
assert.equal(frames.length, Number(expectedFrames));
assert.ok(typeof NodeFileSource === 'function');
await inst.close();
await pool.close();
console.log(JSON.stringify({ frames: frames.length, flavour: wasmFlavour(), first: Array.from(new Uint8Array(frames[0].data.buffer, 0, 16)) }));
