/// <reference lib="dom" preserve="true" />
/**
 * Multiplanar reformatting geometry: which patient-space plane a pane shows, in LPS millimetres.
 * Radiological conventions: axial panes have the patient's right on the screen's left and anterior
 * up (screen right = +X, down = +Y); coronal: right = +X, down = -Z (superior up); sagittal:
 * right = +Y (anterior on the left), down = -Z. The plane passes through voxel centres of the
 * volume axis most aligned with the plane's normal, so an axis-aligned volume shows its own voxels.
 */
import { ErrorCode, LazydcmError } from '../core/errors.js';

export type PlaneName = 'axial' | 'coronal' | 'sagittal';

type Vec3 = [number, number, number];

const AXES: Record<PlaneName, { right: Vec3; down: Vec3 }> = {
  axial: { right: [1, 0, 0], down: [0, 1, 0] },
  coronal: { right: [1, 0, 0], down: [0, 0, -1] },
  sagittal: { right: [0, 1, 0], down: [0, 0, -1] },
};

/** What an MPR pane shows. */
export interface PlaneGeometry {
  plane: PlaneName;
  /** The volume axis (0 slice, 1 row, 2 column) stepped through, and how many steps there are. */
  axis: number;
  slices: number;
  /** LPS position of the centre of canvas pixel (0, 0) of the pane. */
  origin: Vec3;
  /** LPS step from one canvas pixel to the next to the right, and down (mm). */
  right: Vec3;
  down: Vec3;
  /** Millimetres per canvas pixel. */
  mmPerPixel: number;
}

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

/** A voxel index (slice, row, column) to LPS through a 4x4 affine. */
function apply(affine: number[][], i: number[]): Vec3 {
  return [0, 1, 2].map((r) => affine[r][0] * i[0] + affine[r][1] * i[1] + affine[r][2] * i[2] + affine[r][3]) as Vec3;
}

/**
 * The geometry of `plane` at step `slice` for a volume (shape [slices, rows, columns], affine
 * from voxel index to LPS), fitted into a `width` x `height` pane, centred, square pixels.
 */
export function planeGeometry(shape: number[], affine: number[][], plane: PlaneName, slice: number, width: number, height: number): PlaneGeometry {
  const axes = AXES[plane];
  if (!axes) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', `plane '${plane}': axial, coronal or sagittal`);
  if (!(width > 0 && height > 0)) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', `pane ${width} x ${height}`);
  const normal = cross(axes.right, axes.down);
  // The volume axis most aligned with the normal.
  const columnOf = (k: number): Vec3 => [affine[0][k], affine[1][k], affine[2][k]];
  let axis = 0, best = -1;
  for (let k = 0; k < 3; k++) {
    const c = columnOf(k);
    const cosine = Math.abs(dot(c, normal)) / Math.hypot(...c);
    if (cosine > best + 1e-9) [axis, best] = [k, cosine];
  }
  const slices = shape[axis];
  if (!(slice >= 0 && slice < slices)) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', `${plane} slice ${slice} of ${slices}`);
  // The extent of the volume (voxel corners) along the screen axes.
  let rMin = Infinity, rMax = -Infinity, dMin = Infinity, dMax = -Infinity;
  for (const a of [-0.5, shape[0] - 0.5]) for (const b of [-0.5, shape[1] - 0.5]) for (const c of [-0.5, shape[2] - 0.5]) {
    const p = apply(affine, [a, b, c]);
    const r = dot(p, axes.right), d = dot(p, axes.down);
    [rMin, rMax, dMin, dMax] = [Math.min(rMin, r), Math.max(rMax, r), Math.min(dMin, d), Math.max(dMax, d)];
  }
  const mm = Math.max((rMax - rMin) / width, (dMax - dMin) / height);
  // Through the centre of voxel `slice` along `axis` (the other indices at the volume's centre).
  const index = [0, 1, 2].map((k) => (k === axis ? slice : (shape[k] - 1) / 2));
  const depth = dot(apply(affine, index), normal);
  const r0 = (rMin + rMax) / 2 - (width / 2 - 0.5) * mm, d0 = (dMin + dMax) / 2 - (height / 2 - 0.5) * mm;
  const origin = [0, 1, 2].map((k) => r0 * axes.right[k] + d0 * axes.down[k] + depth * normal[k]) as Vec3;
  return {
    plane, axis, slices, origin, mmPerPixel: mm,
    right: axes.right.map((v) => v * mm) as Vec3, down: axes.down.map((v) => v * mm) as Vec3,
  };
}
