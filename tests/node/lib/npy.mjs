// Reads a .npy written by numpy (the fixtures' references): {descr, shape, bytes}.
import fs from 'node:fs';

export function readNpy(path) {
  const b = fs.readFileSync(path);
  if (b.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${path} is not .npy`);
  const major = b[6];
  const headerLen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = b.toString('latin1', start, start + headerLen);
  const descr = /'descr': '([^']+)'/.exec(header)[1];
  const shape = /'shape': \(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  return { descr, shape, bytes: new Uint8Array(b.buffer, b.byteOffset + start + headerLen, b.length - start - headerLen) };
}

/**
 * Whether decoded values equal a reference's bytes: exactly, or (lossy fixtures decoded by another
 * version of the reference's library: the manifest's `tolerance`) within `tolerance` per value.
 * Returns the largest difference (0 when equal); `data` is the decoded typed array.
 */
export function maxDifference(data, expectedBytes) {
  const Ctor = data.constructor;
  const ref = new Ctor(expectedBytes.slice().buffer);
  if (ref.length !== data.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(data[i] - ref[i]));
  return worst;
}
