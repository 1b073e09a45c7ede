// Checks one conformance fixture (tests/conformance/make_fixtures.py) through lazydcm's public API
// against its independent reference. The same code runs in Node (local files, nginx by Range) and
// in Chromium (the page imports this module), so every fixture is read the same way everywhere.

/** A .npy (numpy's format) from its bytes: {descr, shape, bytes}. */
export function parseNpy(u8) {
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const major = u8[6];
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(u8.subarray(start, start + headerLen));
  const descr = /'descr': '([^']+)'/.exec(header)[1];
  const shape = /'shape': \(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  return { descr, shape, bytes: u8.subarray(start + headerLen) };
}

/** rows x columns x 3 window of an H x W x 3 uint8 image. */
function crop(ref, r0, c0, rows, cols) {
  const [, W, C] = ref.shape;
  const out = new Uint8Array(rows * cols * C);
  for (let r = 0; r < rows; r++) out.set(ref.bytes.subarray(((r0 + r) * W + c0) * C, ((r0 + r) * W + c0 + cols) * C), r * cols * C);
  return out;
}

function bytesOf(a) {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** First difference of two byte arrays, or null. */
function firstDiff(a, b) {
  if (a.length !== b.length) return `${a.length} bytes, expected ${b.length}`;
  let count = 0, first = -1;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) { count++; if (first < 0) first = i; }
  return count ? `${count} bytes differ, first at ${first}: ${a[first]} vs ${b[first]}` : null;
}

/**
 * @param lib the lazydcm module
 * @param fx one manifest entry
 * @param where {base: folder or URL the manifest's paths are relative to, readRef: rel => Promise<npy>, options?}
 * @returns {failures: string[], checks: number, notes: string[], decoders: string[]}
 */
export async function checkFixture(lib, fx, where) {
  const failures = [];
  const notes = [];
  const decoders = new Set();
  let checks = 0;
  const expect = (ok, what) => { checks++; if (!ok) failures.push(what); };
  const url = (rel) => `${where.base}/${rel}`;
  const e = fx.expect;

  const checkSummary = (inst, label) => {
    const s = inst.summary;
    if (e.indexKind) expect(s.frameIndex?.kind === e.indexKind, `${label}: index ${s.frameIndex?.kind}, expected ${e.indexKind}`);
    if (e.note && !e.reindexedTo) expect(s.frameIndex?.notes.some((n) => n.includes(e.note)), `${label}: no note "${e.note}" in ${JSON.stringify(s.frameIndex?.notes)}`);
    if (e.warning) expect(s.warnings.some((w) => w.includes(e.warning)), `${label}: no warning "${e.warning}" in ${JSON.stringify(s.warnings)}`);
    notes.push(...(s.frameIndex?.notes ?? []), ...s.warnings);
  };

  if (fx.kind === 'slide') {
    for (const level of fx.levels) {
      const inst = await lib.open(url(level.file), where.options);
      try {
        checkSummary(inst, level.file);
        const mosaic = await where.readRef(level.mosaic);
        const tilesAcross = Math.ceil(level.columns / level.tileColumns);
        for (let k = 0; k < level.frames; k++) {
          const f = await inst.getStoredFrame(k + 1, { rgb: true });
          decoders.add(f.decoder);
          const r = Math.floor(k / tilesAcross) * level.tileRows, c = (k % tilesAcross) * level.tileColumns;
          const d = firstDiff(bytesOf(f.data), crop(mosaic, r, c, level.tileRows, level.tileColumns));
          expect(!d, `${level.file} frame ${k + 1}: ${d}`);
        }
        // A region across tile borders, from a fresh open (frames not cached by the reads above).
        const fresh = await lib.open(url(level.file), { ...where.options, caches: lib.createFrameCaches() });
        try {
          const r0 = Math.floor(level.rows / 5), r1 = Math.ceil(level.rows * 4 / 5);
          const c0 = Math.floor(level.columns / 5), c1 = Math.ceil(level.columns * 4 / 5);
          const region = await fresh.getTotalPixelMatrix({ rowStart: r0, rowEnd: r1, columnStart: c0, columnEnd: c1, asIndices: true, stored: true, rgb: true });
          const d = firstDiff(bytesOf(region.data), crop(mosaic, r0, c0, r1 - r0, c1 - c0));
          expect(!d, `${level.file} region [${r0}:${r1}, ${c0}:${c1}]: ${d}`);
        } finally {
          await fresh.close();
        }
      } finally {
        await inst.close();
      }
    }
    return { failures, checks, notes, decoders: [...decoders] };
  }

  const inst = await lib.open(url(fx.files[0]), where.options);
  try {
    checkSummary(inst, fx.files[0]);
    if (e.frameError) {
      try {
        await inst.getStoredFrame(1);
        expect(false, 'frame 1 read, expected an error');
      } catch (err) {
        expect(err.codeName === e.frameError, `frame 1: ${err.codeName} (${err.message}), expected ${e.frameError}`);
      }
    }
    if (fx.reference) {
      const ref = await where.readRef(fx.reference);
      const n = ref.shape[0];
      if (!fx.firstFrameOnly) expect(inst.frames.length === n, `${inst.frames.length} frames, the reference has ${n}`);
      const per = ref.bytes.length / n;
      for (let k = 0; k < n; k++) {
        const f = await inst.getStoredFrame(k + 1, { rgb: true });
        decoders.add(f.decoder);
        const d = firstDiff(bytesOf(f.data), ref.bytes.subarray(k * per, (k + 1) * per));
        expect(!d, `frame ${k + 1} (${f.decoder}): ${d}`);
      }
      if (e.decoder) expect([...decoders].some((d) => d.includes(e.decoder)), `no decoder note "${e.decoder}" in ${[...decoders]}`);
      if (e.reindexedTo) {
        const s = inst.summary.frameIndex;
        expect(s?.kind === e.reindexedTo, `after the first read: index ${s?.kind}, expected ${e.reindexedTo}`);
        expect(s?.notes.some((x) => x.includes(e.note) && x.includes('re-indexed')), `no re-index note in ${JSON.stringify(s?.notes)}`);
        expect(inst.stats.notes.some((x) => x.includes('re-indexed')), `no re-index note in stats.notes ${JSON.stringify(inst.stats.notes)}`);
        notes.push(...(s?.notes ?? []));
      }
    }
  } finally {
    await inst.close();
  }
  return { failures, checks, notes, decoders: [...decoders] };
}
