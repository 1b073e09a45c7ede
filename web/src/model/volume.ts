import { ErrorCode, LazydcmError } from '../core/errors.js';
import { core as wasmCore, type Core, type CoreVolume } from '../wasm/core.js';
import type { GeometrySettings, VolumeGeometry } from '../wasm/values.js';
import { standardizeRange } from './indices.js';
import { transformOptions, type PixelHost } from './pixel-host.js';
import type { ReadOptions } from '../io/frame-store.js';
import type { GeometryOptions, TransformOptions, VolumeSelection } from './types.js';

/**
 * The grid of a volume as the core computes it: array axes (slice, row, column), a 4x4 affine from
 * voxel indices to LPS millimetres (highdicom's convention: columns are the slice normal x slice
 * spacing, the column cosines x row spacing, the row cosines x column spacing; translation = the
 * centre of voxel (0, 0, 0)).
 */
export type { VolumeGeometry } from '../wasm/values.js';

export type { GeometryOptions, VolumeSelection } from './types.js';

export type VolumeArray = Float64Array | Float32Array | Int16Array | Uint16Array | Uint8Array;

/** A volume's array type: floats (highdicom's float64 by default), or integers when every transformed value is one. */
export type VolumeDtype = 'float64' | 'float32' | 'int16' | 'uint16' | 'uint8';

/** Reduction factors of a volume read at reduced resolution. */
export interface Downsample {
  /** Every n-th slice of the selection is read (the others are not fetched). */
  slices: number;
  /** Rows and columns averaged in n x n blocks (a remainder of fewer than n at the far edges is dropped). */
  inPlane: number;
}

export interface VolumeOptions extends VolumeSelection, GeometryOptions, Omit<TransformOptions, 'dtype'>, ReadOptions {
  /**
   * 'float64' (default, as highdicom), 'float32', or an integer type — 'int16' holds a CT in half
   * of float32's bytes; every value must then be an integer in the type's range (else invalidValue;
   * block averages of `downsample` are rounded).
   */
  dtype?: VolumeDtype;
  /**
   * Fill order: the slice with this index (0-based, in the returned volume) first, then outward
   * (a viewer's slice on screen). Default: as the frames come.
   */
  firstSlice?: number;
  /** Called once, before the first slice: the volume being filled (its `data` fills as slices come). */
  onStart?: (volume: Volume) => void;
  /**
   * Called as each slice is filled, with its values (a view of the volume's data: copy it to keep
   * it). A viewer shows the volume as it fills.
   */
  onSlice?: (slice: number, values: VolumeArray) => void;
  /** Reduced resolution: every n-th slice, n x n in-plane block averages. Default none. */
  downsample?: Partial<Downsample>;
  /**
   * A byte budget: a volume larger than this is read at reduced resolution — the finer of the
   * slice and in-plane spacing is halved until it fits (`volume.downsample` says what was used).
   */
  maxBytes?: number;
}


/**
 * A 3D array with its place in the patient: `data` in C order with `shape` (slice, row, column
 * [, channel]), and the affine to LPS millimetres. Channels are RGB samples for colour images and
 * segments for segmentation volumes that are not combined.
 */
export class Volume {
  constructor(
    readonly data: VolumeArray,
    readonly shape: number[],
    readonly dtype: string,
    readonly affine: number[][],
    /** What the channel axis holds, when there is one: 'RGB' or the segment numbers. */
    readonly channels?: 'RGB' | number[],
    /** Read at reduced resolution: every `slices`-th slice, `inPlane` x `inPlane` block averages. */
    readonly downsample?: Downsample,
  ) {}

  /** The distances between voxel centres along (slice, row, column), in mm. */
  get spacing(): [number, number, number] {
    const a = this.affine;
    const len = (k: number) => Math.hypot(a[0][k], a[1][k], a[2][k]);
    return [len(0), len(1), len(2)];
  }

  /** Unit vectors of the slice, row and column axes in LPS (as the columns of a 3x3 matrix). */
  get direction(): number[][] {
    const s = this.spacing;
    return [0, 1, 2].map((r) => [0, 1, 2].map((k) => this.affine[r][k] / s[k]));
  }

  /** The LPS position of the centre of voxel (0, 0, 0). */
  get position(): [number, number, number] {
    return [this.affine[0][3], this.affine[1][3], this.affine[2][3]];
  }

  /** The LPS position (mm) of a voxel centre; indices are 0-based and may be fractional. */
  voxelToPatient(slice: number, row: number, column: number): [number, number, number] {
    const a = this.affine;
    const p = (r: number) => a[r][0] * slice + a[r][1] * row + a[r][2] * column + a[r][3];
    return [p(0), p(1), p(2)];
  }

  /** The (fractional) voxel indices (slice, row, column) of an LPS position. */
  patientToVoxel(x: number, y: number, z: number): [number, number, number] {
    const m = invertAffine(this.affine);
    return [0, 1, 2].map((r) => m[r][0] * x + m[r][1] * y + m[r][2] * z + m[r][3]) as [number, number, number];
  }

  /** The grid, for placing a segmentation on this volume (`seg.getVolume({ reference: volume })`). */
  get geometry(): VolumeGeometry {
    const s = this.spacing;
    return { slices: this.shape[0], rows: this.shape[1], columns: this.shape[2], sliceSpacing: s[0],
      pixelSpacing: [s[1], s[2]], affine: this.affine.map((r) => [...r]) };
  }

  /** A copy of part of the volume, with its affine moved to the new first voxel. */
  subVolume(selection: VolumeSelection): Volume {
    const [s0, s1, r0, r1, c0, c1] = selectRanges(selection, this.shape[0], this.shape[1], this.shape[2]);
    const channels = this.shape[3] ?? 1;
    const Ctor = this.data.constructor as new (n: number) => VolumeArray;
    const out = new Ctor((s1 - s0) * (r1 - r0) * (c1 - c0) * channels);
    const rowLength = (c1 - c0) * channels;
    let at = 0;
    for (let s = s0; s < s1; s++) {
      for (let r = r0; r < r1; r++) {
        const from = ((s * this.shape[1] + r) * this.shape[2] + c0) * channels;
        out.set(this.data.subarray(from, from + rowLength), at);
        at += rowLength;
      }
    }
    const shape = [s1 - s0, r1 - r0, c1 - c0, ...this.shape.slice(3)];
    return new Volume(out, shape, this.dtype, cropAffine(this.affine, s0, r0, c0), this.channels, this.downsample);
  }
}

/** 0-based half-open [s0, s1, r0, r1, c0, c1] from highdicom-style selections. */
export function selectRanges(sel: VolumeSelection, slices: number, rows: number, columns: number): number[] {
  const asIndices = sel.asIndices ?? false;
  return [
    ...standardizeRange(sel.sliceStart, sel.sliceEnd, slices, asIndices, 'slices'),
    ...standardizeRange(sel.rowStart, sel.rowEnd, rows, asIndices, 'rows'),
    ...standardizeRange(sel.columnStart, sel.columnEnd, columns, asIndices, 'columns'),
  ];
}

/** The affine of a sub-volume starting at voxel (s0, r0, c0). */
export function cropAffine(affine: number[][], s0: number, r0: number, c0: number): number[][] {
  return affine.map((row, r) => (r < 3 ? [row[0], row[1], row[2], row[0] * s0 + row[1] * r0 + row[2] * c0 + row[3]] : [...row]));
}

const ARRAYS = { float64: Float64Array, float32: Float32Array, int16: Int16Array, uint16: Uint16Array, uint8: Uint8Array };
const INTEGER_RANGE: Partial<Record<VolumeDtype, [number, number]>> = { int16: [-32768, 32767], uint16: [0, 65535], uint8: [0, 255] };

/** What a volume request reads and makes: the grid slices to read (fill order), the output shape and affine. */
export interface VolumePlan {
  /** The selection on the grid: [s0, s1, r0, r1, c0, c1], 0-based, half-open. */
  ranges: number[];
  step: Downsample;
  /** Slices, rows, columns of the volume made. */
  shape: [number, number, number];
  affine: number[][];
  dtype: VolumeDtype;
  /** Grid slices read, the returned volume's `firstSlice` first, then outward. */
  slices: number[];
}

/**
 * The plan of a volume request on a grid: the selection, the reduction (asked for, or the least
 * that fits `maxBytes`: the finer of slice and in-plane spacing doubled until it fits), and the
 * fill order. `samples`: values per voxel expected (3 for colour).
 */
export function planVolume(g: VolumeGeometry, options: VolumeOptions, samples: number): VolumePlan {
  const ranges = selectRanges(options, g.slices, g.rows, g.columns);
  const [s0, s1, r0, r1, c0, c1] = ranges;
  const dtype = options.dtype ?? 'float64';
  if (!(dtype in ARRAYS)) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', `dtype ${dtype}: one of ${Object.keys(ARRAYS).join(', ')}`);
  const factor = (v: number | undefined, what: string) => {
    if (v === undefined) return 1;
    if (!Number.isInteger(v) || v < 1) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', `downsample.${what} ${v}: a positive integer`);
    return v;
  };
  const step: Downsample = { slices: factor(options.downsample?.slices, 'slices'), inPlane: factor(options.downsample?.inPlane, 'inPlane') };
  const shapeOf = (st: Downsample): [number, number, number] =>
    [Math.ceil((s1 - s0) / st.slices), Math.max(1, Math.floor((r1 - r0) / st.inPlane)), Math.max(1, Math.floor((c1 - c0) / st.inPlane))];
  const bytes = (st: Downsample) => shapeOf(st).reduce((a, b) => a * b, 1) * samples * ARRAYS[dtype].BYTES_PER_ELEMENT;
  const budget = options.maxBytes;
  if (budget !== undefined) {
    if (!(budget > 0)) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', `maxBytes ${budget}: a positive number`);
    while (bytes(step) > budget) {
      const [ns, nr, nc] = shapeOf(step);
      const canSlices = ns > 1, canPlane = nr > 1 || nc > 1;
      if (!canSlices && !canPlane) {
        throw new LazydcmError(ErrorCode.valueTooLarge, 'valueTooLarge', `no reduction of the volume fits maxBytes ${budget} (one voxel is ${bytes(step)} bytes)`);
      }
      const sliceSpacing = (g.sliceSpacing || 1) * step.slices, planeSpacing = Math.max(...g.pixelSpacing, 0) * step.inPlane || step.inPlane;
      if (canSlices && (sliceSpacing <= planeSpacing || !canPlane)) step.slices *= 2;
      else step.inPlane *= 2;
    }
  }
  // The first voxel of the reduced grid is the centre of the first in-plane block (slices are picked, not averaged).
  const half = (step.inPlane - 1) / 2;
  const a = cropAffine(g.affine, s0, r0 + half, c0 + half);
  const affine = a.map((row, r) => (r < 3 ? [row[0] * step.slices, row[1] * step.inPlane, row[2] * step.inPlane, row[3]] : row));
  const shape = shapeOf(step);
  const out = Array.from({ length: shape[0] }, (_, k) => k);
  const first = options.firstSlice;
  if (first !== undefined) {
    if (!Number.isInteger(first) || first < 0 || first >= shape[0]) {
      throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', `firstSlice ${first}: the volume has ${shape[0]} slices`);
    }
    out.sort((x, y) => Math.abs(x - first) - Math.abs(y - first) || x - y);
  }
  return { ranges, step, shape, affine, dtype, slices: out.map((k) => s0 + k * step.slices) };
}

/**
 * The read options of a volume read of `frames` frames of `host`: they go to the frame caches as
 * asked (`options.cache`), else only when they would take at most half of each cache's budget — a
 * bigger read would evict everything else and then itself (scanned in order, least recently used
 * first), so a second read could not use it anyway, and the caches would double the memory the
 * volume takes. `encodedBytes`: a frame's encoded size when known (else its stored size).
 */
export function volumeReadOptions(options: VolumeOptions, host: PixelHost, frames: number, plan: VolumePlan, samples: number,
  encodedBytes?: number): VolumeOptions {
  if (options.cache !== undefined) return options;
  const [, , r0, r1, c0, c1] = plan.ranges;
  const stored = (r1 - r0) * (c1 - c0) * samples * Math.ceil((host.summary.bitsAllocated ?? 8) / 8);
  const budget = host.cacheBudget();
  return { ...options, cache: frames * (encodedBytes ?? stored) <= budget.encoded / 2 && frames * stored <= budget.decoded / 2 };
}

/**
 * A volume filled slice by slice in JavaScript memory: each frame is transformed by the core into
 * a one-slice staging buffer, then copied (or block-averaged) to its place — the WASM memory holds
 * one slice, not the volume, so peak memory is the volume plus one slice.
 */
export class VolumeSink {
  /** The core's one-slice buffer: transform frames into its slice 0, then call `take`. */
  readonly staging: CoreVolume;
  private volume?: Volume;
  private row?: Float64Array;

  constructor(core: Core, private readonly plan: VolumePlan, rows: number, columns: number, private readonly options: VolumeOptions,
    source?: string) {
    const [, , r0, r1, c0, c1] = plan.ranges;
    this.staging = core.volume([0, 1, r0, r1, c0, c1], rows, columns, 0, plan.dtype === 'float32' ? 'float32' : 'float64', source);
  }

  /**
   * Frames `indices` of `host` into the volume, frame i at grid slice `sliceOf(i)`: each decoded
   * (or taken from the decoded cache), transformed into the staging slice and placed.
   */
  async fill(host: PixelHost, indices: number[], options: VolumeOptions, sliceOf: (i: number) => number): Promise<void> {
    const pixels = host.pixels();
    const t = transformOptions(options);
    await host.forEachFrame(indices, options, (i, d) => {
      pixels.transformInto(i, d, t, this.staging, 0);
      this.take(sliceOf(i));
    }, (i, bytes, keep) => {
      const kept = pixels.decodeTransformInto(i, bytes, t, this.staging, 0, keep);
      this.take(sliceOf(i));
      return kept;
    });
  }

  /** The volume (zeros where no frame was read). */
  finish(samples: number): Volume {
    return this.volume ?? this.allocate(samples);
  }

  /** Frees the staging buffer. */
  delete(): void {
    this.staging.delete();
  }

  /** Takes the staging slice as grid slice `s`. */
  private take(s: number): void {
    const k = (s - this.plan.ranges[0]) / this.plan.step.slices;
    const values = this.staging.read((view, samples) => this.place(k, view, samples))!;
    this.options.onSlice?.(k, values);
  }

  private allocate(samples: number): Volume {
    const { shape, dtype, affine, step } = this.plan;
    const n = shape[0] * shape[1] * shape[2] * samples;
    let data: VolumeArray;
    try {
      data = new ARRAYS[dtype](n);
    } catch (e) {
      throw new LazydcmError(ErrorCode.outOfMemory, 'outOfMemory',
        `a ${dtype} volume of ${shape.join(' x ')}${samples > 1 ? ` x ${samples}` : ''} (${n * ARRAYS[dtype].BYTES_PER_ELEMENT} bytes) could not be allocated (${(e as Error).message}): use maxBytes, downsample or an integer dtype`);
    }
    const reduced = step.slices > 1 || step.inPlane > 1 ? { ...step } : undefined;
    this.volume = new Volume(data, [...shape, ...(samples > 1 ? [samples] : [])], dtype, affine, samples > 1 ? 'RGB' : undefined, reduced);
    this.options.onStart?.(this.volume);
    return this.volume;
  }

  private place(k: number, view: Float32Array | Float64Array, samples: number): VolumeArray {
    const v = this.volume ?? this.allocate(samples);
    const [, rows, columns] = this.plan.shape;
    const per = rows * columns * samples, out = v.data, base = k * per;
    const f = this.plan.step.inPlane, limits = INTEGER_RANGE[this.plan.dtype];
    const bad = (x: number) => {
      throw new LazydcmError(ErrorCode.invalidValue, 'invalidValue', `slice ${k}: the value ${x} is not a ${this.plan.dtype} (ask for float32 or float64)`);
    };
    if (f === 1) {
      if (limits) for (let i = 0; i < view.length; i++) if (!(view[i] >= limits[0] && view[i] <= limits[1] && Math.round(view[i]) === view[i])) bad(view[i]);
      out.set(view, base);
      return out.subarray(base, base + per);
    }
    // n x n block averages, row of blocks by row of blocks.
    const [, , , , c0, c1] = this.plan.ranges;
    const inColumns = c1 - c0, rowValues = columns * samples, area = f * f;
    const acc = (this.row && this.row.length === rowValues ? this.row : (this.row = new Float64Array(rowValues)));
    for (let y = 0; y < rows; y++) {
      acc.fill(0);
      for (let dy = 0; dy < f; dy++) {
        const from = (y * f + dy) * inColumns * samples;
        for (let x = 0; x < columns; x++) {
          for (let dx = 0; dx < f; dx++) {
            const at = from + (x * f + dx) * samples;
            for (let c = 0; c < samples; c++) acc[x * samples + c] += view[at + c];
          }
        }
      }
      const to = base + y * rowValues;
      for (let i = 0; i < rowValues; i++) {
        let m = acc[i] / area;
        if (limits) {
          m = Math.round(m);
          if (!(m >= limits[0] && m <= limits[1])) bad(m);
        }
        out[to + i] = m;
      }
    }
    return out.subarray(base, base + per);
  }
}

/** The geometry options as the core reads them. */
export function geometryOptions(o: GeometryOptions): GeometrySettings {
  const { rtol, perpendicularTol, allowMissingPositions, spacingHint } = o;
  return { rtol, perpendicularTol, allowMissingPositions, spacingHint };
}

/** The inverse of a 4x4 affine whose last row is 0 0 0 1 (voxel index <- LPS). */
export function invertAffine(a: number[][]): number[][] {
  const [m00, m01, m02] = a[0], [m10, m11, m12] = a[1], [m20, m21, m22] = a[2];
  const det = m00 * (m11 * m22 - m12 * m21) - m01 * (m10 * m22 - m12 * m20) + m02 * (m10 * m21 - m11 * m20);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', 'singular affine');
  const inv = [
    [(m11 * m22 - m12 * m21) / det, (m02 * m21 - m01 * m22) / det, (m01 * m12 - m02 * m11) / det],
    [(m12 * m20 - m10 * m22) / det, (m00 * m22 - m02 * m20) / det, (m02 * m10 - m00 * m12) / det],
    [(m10 * m21 - m11 * m20) / det, (m01 * m20 - m00 * m21) / det, (m00 * m11 - m01 * m10) / det],
  ];
  const t = [a[0][3], a[1][3], a[2][3]];
  return [...inv.map((row) => [...row, -(row[0] * t[0] + row[1] * t[1] + row[2] * t[2])]), [0, 0, 0, 1]];
}

/**
 * The frames of a multi-frame image (enhanced CT/MR/PT) as a volume on `geometry` (its frames
 * sorted along the normal): only the frames of the selected (and, downsampled, kept) slices are
 * fetched, each transformed and placed at its slice.
 */
export async function readFrameVolume(host: PixelHost, geometry: VolumeGeometry, options: VolumeOptions): Promise<Volume> {
  const samples = host.summary.samplesPerPixel ?? 1;
  const plan = planVolume(geometry, options, samples);
  const sliceOf = geometry.sliceOf!;
  const frameOf = new Map(sliceOf.flatMap((s, i) => (s === null ? [] : [[s, i] as const])));
  const wanted = plan.slices.flatMap((s) => (frameOf.has(s) ? [frameOf.get(s)!] : []));
  const sink = new VolumeSink(await wasmCore(), plan, geometry.rows, geometry.columns, options, host.source.name);
  try {
    const read = volumeReadOptions(options, host, wanted.length, plan, samples);
    // With a first slice: its frame alone first (one small read), then the rest nearest first.
    const batches = options.firstSlice === undefined ? [wanted] : [wanted.slice(0, 1), wanted.slice(1)];
    for (const batch of batches) if (batch.length) await sink.fill(host, batch, read, (i) => sliceOf[i]!);
    return sink.finish(samples);
  } finally {
    sink.delete();
  }
}
