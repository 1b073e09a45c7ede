import { ErrorCode, LazydcmError } from '../core/errors.js';
import type { GeometrySettings, VolumeGeometry } from '../wasm/values.js';
import { standardizeRange } from './indices.js';
import { transformOptions, type PixelHost } from './pixel-host.js';
import type { GeometryOptions, ReadOptions, TransformOptions, VolumeSelection } from './types.js';

/**
 * The grid of a volume as the core computes it: array axes (slice, row, column), a 4x4 affine from
 * voxel indices to LPS millimetres (highdicom's convention: columns are the slice normal x slice
 * spacing, the column cosines x row spacing, the row cosines x column spacing; translation = the
 * centre of voxel (0, 0, 0)).
 */
export type { VolumeGeometry } from '../wasm/values.js';

export type { GeometryOptions, VolumeSelection } from './types.js';

type VolumeArray = Float64Array | Float32Array | Uint8Array | Uint16Array;

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
    return new Volume(out, shape, this.dtype, cropAffine(this.affine, s0, r0, c0), this.channels);
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

/** Parses the core's geometry JSON, throwing its error. */

/**
 * Fills a volume from transformed frames: `slices` gives each frame's slice in the full volume;
 * frames outside [s0, s1) are skipped, rows and columns cropped. Slices no frame fills stay 0.
 */
export class VolumeAssembler {
  readonly data: Float64Array | Float32Array;
  private samples = 0;

  constructor(readonly ranges: number[], readonly rows: number, readonly columns: number, dtype: 'float64' | 'float32', samples: number) {
    const [s0, s1, r0, r1, c0, c1] = ranges;
    this.samples = samples;
    const n = (s1 - s0) * (r1 - r0) * (c1 - c0) * samples;
    this.data = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  }

  put(slice: number, frame: { data: Float64Array | Float32Array; rows: number; columns: number; samplesPerPixel: number }): void {
    const [s0, , r0, r1, c0, c1] = this.ranges;
    if (frame.rows !== this.rows || frame.columns !== this.columns || frame.samplesPerPixel !== this.samples) {
      throw new LazydcmError(ErrorCode.notAVolume, 'notAVolume', 'not a volume: frames differ in size or samples per pixel');
    }
    const rowLength = (c1 - c0) * this.samples;
    for (let r = r0; r < r1; r++) {
      const from = (r * this.columns + c0) * this.samples;
      this.data.set(frame.data.subarray(from, from + rowLength), (((slice - s0) * (r1 - r0)) + (r - r0)) * rowLength);
    }
  }

  volume(affine: number[][]): Volume {
    const [s0, s1, r0, r1, c0, c1] = this.ranges;
    const shape = [s1 - s0, r1 - r0, c1 - c0, ...(this.samples > 1 ? [this.samples] : [])];
    return new Volume(this.data, shape, this.data instanceof Float32Array ? 'float32' : 'float64',
      cropAffine(affine, s0, r0, c0), this.samples > 1 ? 'RGB' : undefined);
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
 * sorted along the normal): only the frames of the selected slices are fetched, each transformed
 * and placed at its slice.
 */
export async function readFrameVolume(host: PixelHost, geometry: VolumeGeometry, options: VolumeSelection & TransformOptions & ReadOptions): Promise<Volume> {
  const ranges = selectRanges(options, geometry.slices, geometry.rows, geometry.columns);
  const wanted = geometry.sliceOf!.flatMap((s, i) => (s !== null && s >= ranges[0] && s < ranges[1] ? [i] : []));
  const dtype = options.dtype ?? 'float64';
  let assembler: VolumeAssembler | undefined;
  await host.forEachFrame(wanted, options, (i, d) => {
    const values = host.pixels().transform(i, d, transformOptions(options), dtype);
    const frame = { data: values.data, rows: d.report.rows, columns: d.report.columns, samplesPerPixel: values.samplesPerPixel };
    assembler ??= new VolumeAssembler(ranges, geometry.rows, geometry.columns, dtype, frame.samplesPerPixel);
    assembler.put(geometry.sliceOf![i]!, frame);
  });
  assembler ??= new VolumeAssembler(ranges, geometry.rows, geometry.columns, dtype, host.summary.samplesPerPixel ?? 1);
  return assembler.volume(geometry.affine);
}
