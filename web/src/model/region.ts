/** Regions of the total pixel matrix of a tiled image, assembled in the core. */
import { ErrorCode, LazydcmError } from '../core/errors.js';
import { standardizeRange } from './indices.js';
import { transformOptions, typed, type PixelHost } from './pixel-host.js';
import type { CorePixels, RegionPlan } from '../wasm/core.js';
import type { Region, RegionOptions } from './types.js';

/**
 * A region of the total pixel matrix (TILED_FULL or TILED_SPARSE): the core plans the tiles it
 * touches, only those are fetched and each is decoded straight into the region buffer. Pixels no
 * tile covers are 0, as highdicom fills them.
 */
export function readRegion(host: PixelHost, options: RegionOptions): Promise<Region> {
  const s = host.summary;
  return assembleRegion(host, options, (pixels, plan) => {
    const frames = plan.frames;
    if (options.stored) {
      const { array, dtype } = typed(pixels.regionStored(), s.bitsAllocated ?? 8, s.pixelRepresentation === 1, s.pixelData?.tag !== '7FE00010');
      return { data: array, rows: plan.rows, columns: plan.columns, samplesPerPixel: s.samplesPerPixel ?? 1, frames, dtype, covered: plan.rects };
    }
    const { data, samplesPerPixel, transform } = pixels.regionValues(transformOptions(options), options.dtype);
    return { data, rows: plan.rows, columns: plan.columns, samplesPerPixel, frames, dtype: options.dtype ?? 'float64', transform, covered: plan.rects };
  });
}

/**
 * Assembles a region in the core and hands it to `use` (synchronously, before the region's buffer
 * is released): to copy it out, or to keep working on it in WASM (a slide patch's PixelOps).
 */
export function assembleRegion<T>(host: PixelHost, options: RegionOptions, use: (pixels: CorePixels, plan: RegionPlan) => T): Promise<T> {
  return host.exclusively(async () => {
    const s = host.summary;
    if (!s.totalPixelMatrixRows || !s.totalPixelMatrixColumns) {
      throw new LazydcmError(ErrorCode.invalidImageAttributes, 'invalidImageAttributes', 'not a tiled image', undefined, host.source.name);
    }
    const asIndices = options.asIndices ?? false;
    const [r0, r1] = standardizeRange(options.rowStart, options.rowEnd, s.totalPixelMatrixRows, asIndices, 'rows');
    const [c0, c1] = standardizeRange(options.columnStart, options.columnEnd, s.totalPixelMatrixColumns, asIndices, 'columns');
    const pixels = host.pixels();
    const plan = pixels.planRegion(r0, r1, c0, c1, options.focalPlane, options.opticalPath);
    const frames = plan.frames;
    try {
      const decode = { reduce: 0, rgb: options.rgb ?? false };
      await host.forEachFrame(frames, options, (i, d) => pixels.pasteDecoded(i, d), (i, bytes, keep) => pixels.pasteEncoded(i, bytes, decode, keep));
      return use(pixels, plan);
    } finally {
      pixels.releaseRegion();
    }
  });
}
