/// <reference lib="dom" preserve="true" />
/**
 * Pixels to screen colours: greyscale through a window (DICOM's LINEAR VOI function), 8-bit RGB,
 * segment colour tables. Plain functions over typed arrays, so they run in Node and in workers;
 * `toImageData` wraps the result for a 2D canvas.
 */
import { ErrorCode, LazydcmError } from '../core/errors.js';

/** Anything with pixels: a Frame, a Region, a Patch, a Volume slice. */
export interface PixelImage {
  data: ArrayLike<number>;
  rows: number;
  columns: number;
  samplesPerPixel: number;
}

/** A VOI window: centre and width in the image's values (HU for CT after rescale). */
export interface Window {
  center: number;
  width: number;
}

export interface RgbaOptions {
  /** Greyscale: the window. Default: the image's minimum to maximum. */
  window?: Window;
  /** Draw black as white (MONOCHROME1). */
  invert?: boolean;
  /** Write into this buffer (rows * columns * 4) instead of a new one. */
  out?: Uint8ClampedArray;
}

/** The window that shows 8-bit values as they are (LINEAR with centre 128, width 256 is the identity on 0..255). */
export const EIGHT_BIT: Window = { center: 128, width: 256 };

/** Common CT windows (centre / width, HU). */
export const WINDOW_PRESETS: Record<string, Window> = {
  'Soft tissue': { center: 40, width: 400 },
  Lung: { center: -600, width: 1500 },
  Bone: { center: 400, width: 1800 },
  Brain: { center: 40, width: 80 },
  Liver: { center: 60, width: 160 },
  Mediastinum: { center: 50, width: 350 },
};

/**
 * DICOM's LINEAR VOI LUT function (PS3.3 C.11.2.1.2.1) to 0..255: below c - 0.5 - (w-1)/2 black,
 * above c - 0.5 + (w-1)/2 white, linear between. Returns a function of one value.
 */
export function windowFunction(window: Window): (x: number) => number {
  const { center: c, width } = window;
  if (!(width >= 1)) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', `window width ${width}: must be >= 1`);
  const lo = c - 0.5 - (width - 1) / 2, hi = c - 0.5 + (width - 1) / 2;
  if (width === 1) return (x) => (x <= lo ? 0 : 255);
  return (x) => (x <= lo ? 0 : x > hi ? 255 : ((x - (c - 0.5)) / (width - 1) + 0.5) * 255);
}

/** The window spanning an image's values (width at least 1). */
export function fullRangeWindow(data: ArrayLike<number>): Window {
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) return { center: 0.5, width: 1 };
  // LINEAR maps [c - 0.5 - (w-1)/2, c - 0.5 + (w-1)/2] to black..white: choose c, w to span [min, max].
  const width = Math.max(1, max - min + 1);
  return { center: min + 0.5 + (width - 1) / 2, width };
}

/**
 * An image as RGBA bytes (rows x columns x 4): greyscale through the window, RGB as is (values
 * clamped to 0..255). Alpha is 255.
 */
export function toRgba(image: PixelImage, options: RgbaOptions = {}): Uint8ClampedArray {
  const { rows, columns, samplesPerPixel: spp, data } = image;
  const n = rows * columns;
  if (spp !== 1 && spp !== 3) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', `${spp} samples per pixel: 1 or 3`);
  if (data.length < n * spp) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', `${data.length} values for ${rows} x ${columns} x ${spp}`);
  const out = options.out ?? new Uint8ClampedArray(n * 4);
  if (out.length < n * 4) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', `output of ${out.length} bytes for ${n} pixels`);
  const inv = options.invert ? 255 : 0;
  if (spp === 3) {
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      out[4 * i] = Math.abs(inv - data[j]);
      out[4 * i + 1] = Math.abs(inv - data[j + 1]);
      out[4 * i + 2] = Math.abs(inv - data[j + 2]);
      out[4 * i + 3] = 255;
    }
    return out;
  }
  const f = windowFunction(options.window ?? fullRangeWindow(data));
  for (let i = 0; i < n; i++) {
    const g = Math.abs(inv - f(data[i]));
    out[4 * i] = out[4 * i + 1] = out[4 * i + 2] = g;
    out[4 * i + 3] = 255;
  }
  return out;
}

/** An image as `ImageData` for `ctx.putImageData` (browsers and workers). */
export function toImageData(image: PixelImage, options: RgbaOptions = {}): ImageData {
  return new ImageData(toRgba(image, options), image.columns, image.rows);
}

/** Draws an image at (x, y) of a 2D canvas at one image pixel per canvas pixel. */
export function drawImage(ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D, image: PixelImage,
  x = 0, y = 0, options: RgbaOptions = {}): void {
  ctx.putImageData(toImageData(image, options), x, y);
}

/** A segment's colour: its recommended display colour, else one from a fixed palette. */
export interface SegmentColour {
  number: number;
  rgb: [number, number, number] | null;
}

const PALETTE: [number, number, number][] = [
  [230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200], [245, 130, 48], [145, 30, 180],
  [70, 240, 240], [240, 50, 230], [210, 245, 60], [250, 190, 212], [0, 128, 128], [220, 190, 255],
];

/**
 * A colour table for a label volume: RGBA per label value (index 0 transparent). Segments in
 * `hidden` get alpha 0. Length: 4 * (largest segment number + 1).
 */
export function labelColourTable(segments: SegmentColour[], hidden: Iterable<number> = []): Uint8Array {
  const off = new Set(hidden);
  const size = Math.max(0, ...segments.map((s) => s.number)) + 1;
  const lut = new Uint8Array(4 * size);
  for (const s of segments) {
    const rgb = s.rgb ?? PALETTE[(s.number - 1) % PALETTE.length];
    lut.set([rgb[0], rgb[1], rgb[2], off.has(s.number) ? 0 : 255], 4 * s.number);
  }
  return lut;
}
