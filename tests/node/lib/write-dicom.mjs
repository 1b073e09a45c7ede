// A minimal explicit-VR little-endian Part 10 writer for tests that need files no fixture has
// (sizes, counts): elements in the order given, values padded to even length as the standard says.
const LONG = new Set(['OB', 'OW', 'OF', 'SQ', 'UN', 'UT']);

/** Element values: strings for text VRs, numbers (or arrays) for US/UL/FD, Uint8Array for OB/OW. */
export function writeDicom(transferSyntax, elements) {
  const parts = [Buffer.alloc(128), Buffer.from('DICM')];
  const el = (tag, vr, value) => {
    const long = LONG.has(vr);
    const h = Buffer.alloc(long ? 12 : 8);
    h.writeUInt16LE(tag >>> 16, 0); h.writeUInt16LE(tag & 0xffff, 2); h.write(vr, 4, 'latin1');
    if (long) h.writeUInt32LE(value.length, 8); else h.writeUInt16LE(value.length, 6);
    parts.push(h, value);
  };
  const encode = (vr, v) => {
    if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength + (v.byteLength % 2));
    const values = Array.isArray(v) ? v : [v];
    if (vr === 'US' || vr === 'UL' || vr === 'FD') {
      const w = { US: 2, UL: 4, FD: 8 }[vr];
      const b = Buffer.alloc(values.length * w);
      values.forEach((x, i) => (vr === 'US' ? b.writeUInt16LE(x, i * 2) : vr === 'UL' ? b.writeUInt32LE(x, i * 4) : b.writeDoubleLE(x, i * 8)));
      return b;
    }
    const s = values.join('\\');
    return Buffer.from(s.length % 2 ? `${s}${vr === 'UI' ? '\0' : ' '}` : s, 'latin1');
  };
  el(0x00020010, 'UI', encode('UI', transferSyntax));
  for (const [tag, vr, v] of elements) el(tag, vr, encode(vr, v));
  return new Uint8Array(Buffer.concat(parts));
}
