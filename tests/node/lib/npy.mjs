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

