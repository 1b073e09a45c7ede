import { ErrorCode, LazydcmError } from '../core/errors.js';
import { core as wasmCore, type CoreVolume } from '../wasm/core.js';
import type { GeometrySettings, VolumeGeometry } from '../wasm/values.js';
import { standardizeRange } from './indices.js';
import { transformOptions, type PixelHost } from './pixel-host.js';
import type { GeometryOptions, VolumeOptions, VolumeSelection } from './types.js';

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

/**
 * The volume the core assembled (`volume`: frames transformed straight to their slice), with its
 * affine moved to the first selected voxel; `samples` when no frame was read (an empty selection).
 */
export function takeVolume(volume: CoreVolume, ranges: number[], samples: number, affine: number[][]): Volume {
  const [s0, s1, r0, r1, c0, c1] = ranges;
  let { data, samples: n } = volume.take();
  if (n === 0) {
    n = samples;
    const voxels = (s1 - s0) * (r1 - r0) * (c1 - c0) * n;
    data = volume.dtype === 'float32' ? new Float32Array(voxels) : new Float64Array(voxels);
  }
  return new Volume(data, [s1 - s0, r1 - r0, c1 - c0, ...(n > 1 ? [n] : [])], volume.dtype, cropAffine(affine, s0, r0, c0),
    n > 1 ? 'RGB' : undefined);
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
export async function readFrameVolume(host: PixelHost, geometry: VolumeGeometry, options: VolumeOptions): Promise<Volume> {
  const ranges = selectRanges(options, geometry.slices, geometry.rows, geometry.columns);
  const sliceOf = geometry.sliceOf!;
  const wanted = sliceOf.flatMap((s, i) => (s !== null && s >= ranges[0] && s < ranges[1] ? [i] : []));
  const volume = (await wasmCore()).volume(ranges, geometry.rows, geometry.columns, 0, options.dtype ?? 'float64', host.source.name);
  try {
    const pixels = host.pixels();
    const t = transformOptions(options);
    const filled = (i: number) => {
      const k = sliceOf[i]! - ranges[0];
      const values = options.onSlice && volume.slice(k, (ranges[3] - ranges[2]) * (ranges[5] - ranges[4]));
      if (values) options.onSlice!(k, values);
    };
    // With a first slice: its frame alone first (one small read), then the rest nearest first.
    const first = options.firstSlice;
    const batches = first === undefined ? [wanted] : (() => {
      const sorted = [...wanted].sort((a, b) => Math.abs(sliceOf[a]! - ranges[0] - first) - Math.abs(sliceOf[b]! - ranges[0] - first));
      return [sorted.slice(0, 1), sorted.slice(1)];
    })();
    for (const batch of batches) {
      if (!batch.length) continue;
      await host.forEachFrame(batch, options, (i, d) => { pixels.transformInto(i, d, t, volume, sliceOf[i]!); filled(i); },
        (i, bytes, keep) => {
          const kept = pixels.decodeTransformInto(i, bytes, t, volume, sliceOf[i]!, keep);
          filled(i);
          return kept;
        });
    }
    return takeVolume(volume, ranges, host.summary.samplesPerPixel ?? 1, geometry.affine);
  } finally {
    volume.delete();
  }
}
