/** The public option and result types of Instance reads (re-exported by model/instance.ts). */
import type { FrameCaches } from '../io/cache.js';
import type { PersistentCache } from '../io/persistent.js';
import type { ReadOptions } from '../io/frame-store.js';
import type { RequestScheduler } from '../io/scheduler.js';
import type { DecodePool } from '../workers/pool.js';

export type { DicomJson } from '../core/dicom-json.js';
export type { Progress, ReadOptions } from '../io/frame-store.js';

/** Typed arrays a frame can come in, by Bits Allocated and Pixel Representation. */
export type PixelArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** A decoded frame: stored values (no pixel transforms), rows x columns x samples, interleaved. */
export interface StoredFrame {
  data: PixelArray;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  /** Of the values returned (a YBR JPEG stays YBR; J2K with MCT comes back RGB). */
  photometricInterpretation: string;
  /** numpy-style dtype: 'uint8', 'int16', … */
  dtype: string;
  decoder: string;
}

export interface FrameOptions extends ReadOptions {
  /** Frame numbers are 1-based, as in DICOM; `asIndex: true` makes them 0-based. */
  asIndex?: boolean;
  /** JPEG 2000 only: decode at 1/2^reduce of the resolution. */
  reduce?: number;
  /** JPEG only: YCbCr frames come back as RGB, converted by libjpeg-turbo (as browsers and PIL show them). */
  rgb?: boolean;
}

/**
 * Pixel transforms, highdicom's defaults: `true` = must exist (error otherwise), `false` = skip,
 * `undefined`/`null` = apply if present. VOI is off unless asked for.
 */
export interface TransformOptions {
  realWorld?: boolean | null;
  modality?: boolean | null;
  voi?: boolean | null;
  /** Which window (of a multi-valued Window Center/Width) or VOI LUT item. Default 0. */
  voiIndex?: number;
  /** Output range of the VOI transform. Default [0, 1]. */
  voiMin?: number;
  voiMax?: number;
  /** Invert MONOCHROME1 / PresentationLUTShape INVERSE. Default true. */
  presentation?: boolean;
  palette?: boolean | null;
  ybrToRgb?: boolean;
  /** Output array type. Default 'float64', as highdicom. */
  dtype?: 'float64' | 'float32';
}

/** A frame with the pixel transforms applied. */
export interface Frame {
  data: Float64Array | Float32Array;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  /** What was applied, e.g. "rescale 1.000000*x+-1024.000000, window 40.000000/400.000000 LINEAR". */
  transform: string;
}

export interface RegionOptions extends TransformOptions, ReadOptions {
  /** highdicom conventions: 1-based, end exclusive; negatives from the end; asIndices for 0-based. */
  rowStart?: number;
  rowEnd?: number;
  columnStart?: number;
  columnEnd?: number;
  asIndices?: boolean;
  /** 0-based; required when the image has several. */
  focalPlane?: number;
  opticalPath?: number;
  /** Stored values (no transforms), in the stored dtype. Default false, as highdicom. */
  stored?: boolean;
  /** JPEG only: YCbCr tiles decoded to RGB by libjpeg-turbo (slides). */
  rgb?: boolean;
}

/** `getVolume` options: which part, the geometry checks, the pixel transforms (float64 by default). */
/** A segment volume request (highdicom's Segmentation.get_volume). */
export interface SegmentVolumeRequest {
  /** Default: all segments, in segment order. Channels (or relabelled values) follow this order. */
  segmentNumbers?: number[];
  /** One label volume (values = segment numbers) instead of one channel per segment. */
  combineSegments?: boolean;
  /** With combineSegments: labels 1..k in the order of segmentNumbers. */
  relabel?: boolean;
  /** FRACTIONAL: values / Maximum Fractional Value as float32 (default true), else stored uint8. */
  rescaleFractional?: boolean;
  /** With combineSegments: where segments overlap, the highest label wins instead of an error. */
  skipOverlapChecks?: boolean;
  /** Only slices [first, end) of the grid (0-based, end exclusive): only their frames are read. */
  slices?: [number, number];
}

export interface Region {
  data: PixelArray;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  /** 0-based frame indices that were fetched and decoded. */
  frames: number[];
  /** Stored dtype, or 'float64'/'float32' with transforms. */
  dtype: string;
  transform?: string;
  /** [row, column, rows, columns] (0-based, in the region) of each tile pasted; the rest is fill. */
  covered?: number[][];
}

export interface OpenOptions {
  /** Bytes of the first read, sized to usually hold the whole header. Default 64 KiB. */
  firstRead?: number;
  /** Later reads are at least this big (read-ahead). Default 16 KiB. */
  minRead?: number;
  /** Values larger than this are not read but located (bulk data). Default 256 KiB. */
  maxInlineValue?: number;
  /** Odd value lengths: error (true) or warning (false, default; as pydicom). */
  strictOddLength?: boolean;
  /** First fragment-scan read for files without offset tables. Default 1 MiB. */
  scanBatch?: number;
  signal?: AbortSignal;
  /** Encoded and decoded frame caches (default: the shared ones, see setCacheLimits); false: none. */
  caches?: FrameCaches | false;
  /** Bounds concurrent reads (default: 6 per instance; share one to bound several instances). */
  scheduler?: RequestScheduler;
  /**
   * What a frame read also fetches (into the encoded cache): 'none' (default), 'block' (the
   * uncached frames of its block of `prefetchBlock` frames, in the same request), 'instance'
   * (all frames when the pixel data is at most `prefetchInstanceBytes`, else as 'block'),
   * 'latency' (the requested frames first, then the rest of their blocks in the background).
   */
  prefetch?: 'none' | 'block' | 'instance' | 'latency';
  /** Default 16. */
  prefetchBlock?: number;
  /** Default 8 MiB. */
  prefetchInstanceBytes?: number;
  /** Decode in these workers instead of on the calling thread (see DecodePool). */
  decodePool?: DecodePool;
  /**
   * Keep header bytes and frame indexes across page loads / processes (HTTP objects with an ETag
   * or Last-Modified): a reopen reads neither again. See PersistentCache. Default: none.
   */
  persistentCache?: PersistentCache | false;
}

/** Volume selection and geometry checks (highdicom's get_volume arguments). */
export interface VolumeSelection {
  /** highdicom conventions: 1-based with exclusive ends, negatives from the end; asIndices: 0-based. */
  sliceStart?: number;
  sliceEnd?: number;
  rowStart?: number;
  rowEnd?: number;
  columnStart?: number;
  columnEnd?: number;
  asIndices?: boolean;
}

export interface GeometryOptions {
  /** Relative tolerance of the slice spacing regularity. Default 0.01. */
  rtol?: number;
  /** Positions must lie along the normal within this (1 - |cos|). Default 1e-3. */
  perpendicularTol?: number;
  /** Gaps that are whole multiples of the spacing give empty (zero) slices. Default false. */
  allowMissingPositions?: boolean;
  /** Expected spacing between slices (default: Spacing Between Slices when present). */
  spacingHint?: number;
}
