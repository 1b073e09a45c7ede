// The soak's reads and their independent references (pydicom+GDCM .npy files), for the Node and
// the Chromium soak: frames of one fixture per codec family and every region of the tiled fixtures.
// `want(bytes)` turns a reference into what the check compares (the bytes, or their SHA-256).
import fs from 'node:fs';
import path from 'node:path';

import { readNpy } from './npy.mjs';

export function soakCases(fixtures, want) {
  const out = [];
  const codec = JSON.parse(fs.readFileSync(path.join(fixtures, 'codec.json'), 'utf8'));
  for (const name of ['ct16s_raw', 'ct16s_rle', 'ct16s_jls', 'ct16s_j2k', 'ct16s_htj2k', 'rgb_jpeg', 'mr16_jls']) {
    const m = codec[name];
    if (!m) continue;
    const ref = readNpy(path.join(fixtures, 'codec', `${name}.npy`));
    const frameBytes = ref.bytes.length / m.frames;
    for (let f = 1; f <= m.frames; f++) {
      out.push({ file: `codec/${m.file}`, kind: 'frame', frame: f, want: want(ref.bytes.subarray((f - 1) * frameBytes, f * frameBytes)) });
    }
  }
  const tpm = JSON.parse(fs.readFileSync(path.join(fixtures, 'tpm.json'), 'utf8'));
  for (const m of Object.values(tpm)) {
    for (const r of m.regions) {
      out.push({ file: path.relative(fixtures, m.file), kind: 'region',
        region: { ...m.selection, asIndices: true, rowStart: r.rows[0], rowEnd: r.rows[1], columnStart: r.cols[0], columnEnd: r.cols[1], stored: true },
        want: want(readNpy(path.join(fixtures, 'tpm', r.npy)).bytes) });
    }
  }
  return out;
}
