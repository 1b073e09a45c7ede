// Decodes the PNGs Chromium's screenshots produce (8-bit RGB or RGBA, not interlaced) into RGBA
// bytes, so tests can compare what the page shows with reference pixels.
import zlib from 'node:zlib';

export function decodePng(buf) {
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let at = 8, width = 0, height = 0, colourType = 0;
  const idat = [];
  while (at < buf.length) {
    const len = buf.readUInt32BE(at), type = buf.toString('latin1', at + 4, at + 8), body = buf.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      [width, height] = [body.readUInt32BE(0), body.readUInt32BE(4)];
      colourType = body[9];
      if (body[8] !== 8 || body[12] !== 0 || (colourType !== 2 && colourType !== 6)) throw new Error('only 8-bit RGB/RGBA, not interlaced');
    } else if (type === 'IDAT') idat.push(body);
    at += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const bpp = colourType === 6 ? 4 : 3, stride = width * bpp;
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride), line = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? line[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
      let p = src[i];
      if (filter === 1) p += a;
      else if (filter === 2) p += b;
      else if (filter === 3) p += (a + b) >> 1;
      else if (filter === 4) {
        const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
        p += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      line[i] = p & 255;
    }
    for (let x = 0; x < width; x++) {
      out.set([line[x * bpp], line[x * bpp + 1], line[x * bpp + 2], bpp === 4 ? line[x * bpp + 3] : 255], (y * width + x) * 4);
    }
    [prev, line] = [line, prev];
  }
  return { width, height, data: out };
}

/** A screenshot of an element as {width, height, data (RGBA)}; `clip` in the element's CSS pixels. */
export async function screenshotPixels(page, selector, clip) {
  const box = await page.locator(selector).boundingBox();
  const png = await page.screenshot({ clip: clip ? { x: box.x + clip.x, y: box.y + clip.y, width: clip.width, height: clip.height } : box });
  return decodePng(png);
}
