/**
 * What region, segment-volume and volume assembly need from an instance (Instance implements it),
 * and the helpers they share: typed views of stored values, the core's transform options.
 */
import type { CorePixels, DecodedFrame, InstanceSummary } from '../wasm/core.js';
import type { DecodeReadOptions, UseEncoded } from './decoding.js';
import type { Frame, PixelArray, StoredFrame, TransformOptions } from './types.js';

export interface PixelHost {
  readonly summary: InstanceSummary;
  readonly source: { readonly name: string };
  /** The core's pixels of this instance (throws when it is closed). @internal */
  pixels(): CorePixels;
  /** Each frame once (see FrameDecoding.each), re-indexing once when an offset table lies. @internal */
  forEachFrame(indices: number[], options: DecodeReadOptions, use: (i: number, d: DecodedFrame) => void, useEncoded?: UseEncoded): Promise<void>;
  /** The byte budgets of the frame caches this instance uses (0: none). @internal */
  cacheBudget(): { encoded: number; decoded: number };
  /** Regions and segment volumes have one buffer each in the core: assembled one at a time. @internal */
  exclusively<T>(work: () => Promise<T>): Promise<T>;
}

/** Only the pixel-transform options, as the core reads them. */
export function transformOptions(o: Omit<TransformOptions, 'dtype'>): TransformOptions {
  const { realWorld, modality, voi, voiIndex, voiMin, voiMax, presentation, palette, ybrToRgb } = o;
  return { realWorld, modality, voi, voiIndex, voiMin, voiMax, presentation, palette, ybrToRgb };
}

/** Stored values as the typed array of their Bits Allocated and Pixel Representation (a view of `bytes`). */
export function typed(bytes: Uint8Array, bits: number, signed: boolean, float: boolean): { array: PixelArray; dtype: string } {
  const b = bytes.buffer;
  const n = bytes.byteLength;
  switch (bits) {
    case 1:
    case 8: return signed ? { array: new Int8Array(b, 0, n), dtype: 'int8' } : { array: bytes, dtype: 'uint8' };
    case 16: return signed ? { array: new Int16Array(b, 0, n / 2), dtype: 'int16' } : { array: new Uint16Array(b, 0, n / 2), dtype: 'uint16' };
    case 32:
      if (float) return { array: new Float32Array(b, 0, n / 4), dtype: 'float32' };
      return signed ? { array: new Int32Array(b, 0, n / 4), dtype: 'int32' } : { array: new Uint32Array(b, 0, n / 4), dtype: 'uint32' };
    case 64: return { array: new Float64Array(b, 0, n / 8), dtype: 'float64' };
    default: throw new Error(`unsupported bits allocated ${bits}`);
  }
}

/** A decoded frame's stored values as a typed array (a copy: the decoded cache keeps its own). */
export function storedFrame(summary: InstanceSummary, d: DecodedFrame): StoredFrame {
  const { array, dtype } = typed(d.bytes.slice(), d.report.bitsAllocated, summary.pixelRepresentation === 1, summary.pixelData?.tag !== '7FE00010');
  const r = d.report;
  return {
    data: array, rows: r.rows, columns: r.columns, samplesPerPixel: r.samplesPerPixel, bitsAllocated: r.bitsAllocated,
    photometricInterpretation: r.photometricInterpretation, dtype, decoder: r.decoder,
  };
}

/** Frame `index`, decoded, with the pixel transforms applied in the core. */
export function transformedFrame(pixels: CorePixels, index: number, d: DecodedFrame, options: TransformOptions): Frame {
  const { data, samplesPerPixel, transform } = pixels.transform(index, d, transformOptions(options), options.dtype);
  return { data, rows: d.report.rows, columns: d.report.columns, samplesPerPixel, transform };
}
