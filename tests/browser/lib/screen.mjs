// What a viewer page shows against reference pixels (shared by the viewer and conformance tests).

/** Screen pixels vs reference pixels: how many differ by more than `tol` in any channel, and the mean difference. */
export function compare(shot, expected, tol) {
  let bad = 0, sum = 0, n = 0, first = null;
  for (const [x, y, rgb] of expected) {
    const at = (y * shot.width + x) * 4;
    for (let k = 0; k < 3; k++) {
      const d = Math.abs(shot.data[at + k] - rgb[k]);
      sum += d;
      n++;
      if (d > tol) {
        bad++;
        first ??= `(${x}, ${y}) shows ${[...shot.data.subarray(at, at + 3)]}, expected ${rgb}`;
      }
    }
  }
  return { bad, mean: sum / n, first };
}

/** The expectations for a canvas showing `ref` (numpy RGB [rows, cols, 3]) with canvas pixel (0,0) at ref (x0, y0). */
export function rgbWindow(ref, x0, y0, width, height) {
  const [rows, cols] = ref.shape;
  const out = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const r = y0 + y, c = x0 + x;
      if (r < 0 || c < 0 || r >= rows || c >= cols) continue;
      const at = (r * cols + c) * 3;
      out.push([x, y, [ref.bytes[at], ref.bytes[at + 1], ref.bytes[at + 2]]]);
    }
  }
  return out;
}

export const settle = (page) => page.evaluate(async () => {
  await window.demo.view.idle();
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
});
