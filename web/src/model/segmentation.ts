import type { Instance, SegmentVolumeRequest } from './instance.js';
import { typed } from './pixel-host.js';
import { Volume, type VolumeGeometry } from './volume.js';

export interface CodedConcept {
  value: string;
  scheme: string;
  meaning: string;
}

export interface SegmentDescription {
  number: number;
  label: string;
  description: string;
  algorithmType: string;
  algorithmName: string;
  trackingId: string;
  trackingUid: string;
  propertyCategory: CodedConcept;
  propertyType: CodedConcept;
  /** Recommended Display CIELab Value (DICOM-scaled L*a*b*, 0..65535), if any. */
  cielab: [number, number, number] | null;
  /** The recommended display colour as 8-bit sRGB (from cielab), if any. */
  rgb: [number, number, number] | null;
}

/** highdicom's get_segment_numbers filters: exact matches, all given ones must hold. */
export interface SegmentFilter {
  label?: string;
  /** A Code Value or Code Meaning of Segmented Property Category / Type. */
  propertyCategory?: string;
  propertyType?: string;
  algorithmType?: string;
  trackingUid?: string;
  trackingId?: string;
}

/**
 * A Segmentation (SEG) instance: its segments and lazily read segment volumes (highdicom's
 * Segmentation). BINARY, FRACTIONAL and LABELMAP.
 */
export class Segmentation {
  readonly type: 'BINARY' | 'FRACTIONAL' | 'LABELMAP';
  readonly fractionalType: string;
  readonly maxFractionalValue: number;
  readonly segments: SegmentDescription[];
  /** The segment number of each frame (BINARY, FRACTIONAL). */
  readonly frameSegments: number[];

  constructor(readonly instance: Instance) {
    const j = instance.pixels().segmentation();
    this.type = j.type as Segmentation['type'];
    this.fractionalType = j.fractionalType;
    this.maxFractionalValue = j.maxFractionalValue;
    this.segments = j.segments.map((s) => ({ ...s, rgb: s.cielab ? cielabToRgb(s.cielab) : null }));
    this.frameSegments = j.frameSegments;
  }

  /** Segment numbers whose descriptions match every given field exactly. */
  getSegmentNumbers(filter: SegmentFilter = {}): number[] {
    return this.instance.pixels().findSegments({ ...filter });
  }

  segment(number: number): SegmentDescription | undefined {
    return this.segments.find((s) => s.number === number);
  }

  /**
   * Segments as a volume: one channel per segment (shape [slices, rows, columns, segments]) or,
   * with combineSegments, a label volume. The grid is the SEG's own frames' (gaps become empty
   * slices, as highdicom) unless `reference` (a source image's Volume or its geometry) is given.
   * Only the frames of the requested segments are fetched.
   */
  getVolume(options: SegmentVolumeRequest & { reference?: Volume | VolumeGeometry; maxGap?: number; signal?: AbortSignal } = {}): Promise<Volume> {
    const { reference, maxGap, signal, ...request } = options;
    const geometry = reference && 'geometry' in reference ? reference.geometry : reference;
    const instance = this.instance;
    return instance.exclusively(async () => {
      const pixels = instance.pixels();
      const plan = pixels.planSegments(request, geometry ?? null);
      try {
        await instance.forEachFrame(plan.frames, { maxGap, signal }, (i, d) => pixels.pasteSegmentDecoded(i, d),
          (i, bytes, keep) => pixels.pasteSegmentEncoded(i, bytes, keep));
        const bits = { uint8: 8, uint16: 16, float32: 32 }[plan.dtype];
        const { array } = typed(pixels.segmentsStored(), bits, false, plan.dtype === 'float32');
        return new Volume(array as Uint8Array | Uint16Array | Float32Array, plan.shape, plan.dtype, plan.geometry.affine,
          request.combineSegments ? undefined : plan.segmentNumbers);
      } finally {
        pixels.releaseSegments();
      }
    });
  }

  /** @internal The shape and affine of the grid (or of its slices [k, k + 1)), planned with nothing read. */
  planGrid(reference?: Volume | VolumeGeometry, k?: number): Promise<{ shape: [number, number, number]; affine: number[][] }> {
    const geometry = reference && 'geometry' in reference ? reference.geometry : reference;
    const instance = this.instance;
    return instance.exclusively(async () => {
      const pixels = instance.pixels();
      const plan = pixels.planSegments({ segmentNumbers: [this.segments[0].number], combineSegments: true,
        slices: k === undefined ? undefined : [k, k + 1] }, geometry ?? null);
      pixels.releaseSegments();
      return { shape: [plan.shape[0], plan.shape[1], plan.shape[2]], affine: plan.geometry.affine };
    });
  }

  /**
   * The segments shown slice by slice (a viewer's overlay): only the frames of the ticked
   * segments on the slices asked for are read, as they are asked for (kept in the frame caches,
   * so ticking a segment back or scrolling back costs nothing).
   */
  overlay(options: { reference?: Volume | VolumeGeometry; segmentNumbers?: number[] } = {}): SegmentOverlay {
    return new SegmentOverlay(this, options.reference, options.segmentNumbers ?? this.segments.map((s) => s.number));
  }

  close(): Promise<void> {
    return this.instance.close();
  }
}

/** DICOM-scaled CIELab (PS3.3 C.10.7.1.1) to 8-bit sRGB, D65. */
export function cielabToRgb(lab: [number, number, number]): [number, number, number] {
  const L = (lab[0] / 65535) * 100, a = (lab[1] / 65535) * 255 - 128, b = (lab[2] / 65535) * 255 - 128;
  const fy = (L + 16) / 116, fx = fy + a / 500, fz = fy - b / 200;
  const inv = (t: number) => (t > 6 / 29 ? t ** 3 : 3 * (6 / 29) ** 2 * (t - 4 / 29));
  const X = 0.95047 * inv(fx), Y = inv(fy), Z = 1.08883 * inv(fz);
  const lin = [3.2406 * X - 1.5372 * Y - 0.4986 * Z, -0.9689 * X + 1.8758 * Y + 0.0415 * Z, 0.0557 * X - 0.204 * Y + 1.057 * Z];
  const gamma = (c: number) => (c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055);
  return lin.map((c) => Math.round(255 * Math.min(1, Math.max(0, gamma(c))))) as [number, number, number];
}

/** Slices [slice, slice + slices) of an overlay: labels (segment numbers) of the ticked segments, slices x rows x columns. */
export interface OverlaySlice {
  slice: number;
  slices: number;
  data: Uint8Array | Uint16Array;
  rows: number;
  columns: number;
  /** Where the slab lies (its affine: the grid's, moved to its first slice). */
  affine: number[][];
}

/** See Segmentation.overlay. */
export class SegmentOverlay {
  private readonly slices = new Map<string, Promise<OverlaySlice>>();

  constructor(readonly segmentation: Segmentation, readonly reference: Volume | VolumeGeometry | undefined,
    /** The ticked segments (set it; later slices read only theirs). */
    public segmentNumbers: number[]) {}

  /** The grid's [slices, rows, columns] and affine (the reference's, or the SEG's own frames'): nothing read. */
  grid(): Promise<{ shape: [number, number, number]; affine: number[][] }> {
    return (this.gridPlan ??= this.segmentation.planGrid(this.reference));
  }
  private gridPlan: Promise<{ shape: [number, number, number]; affine: number[][] }> | undefined;

  /** Labels of the ticked segments on slice `k` of the grid (0-based); where they overlap, the highest wins. */
  slice(k: number, signal?: AbortSignal): Promise<OverlaySlice> {
    return this.slab(k, k + 1, signal);
  }

  /** The same for slices [k0, k1) at once: their frames in as few requests as adjacency allows. */
  slab(k0: number, k1: number, signal?: AbortSignal): Promise<OverlaySlice> {
    const ticked = [...new Set(this.segmentNumbers)].sort((a, b) => a - b);
    const key = `${k0}-${k1}|${ticked.join(',')}`;
    let p = this.slices.get(key);
    if (!p) {
      p = !ticked.length ? this.segmentation.planGrid(this.reference, k0).then(({ shape: [, rows, columns], affine }) =>
        ({ slice: k0, slices: k1 - k0, data: new Uint8Array((k1 - k0) * rows * columns), rows, columns, affine }))
        : this.segmentation.getVolume({ reference: this.reference,
          segmentNumbers: ticked, combineSegments: true, skipOverlapChecks: true, slices: [k0, k1], signal })
          .then((v) => ({ slice: k0, slices: v.shape[0], data: v.data as Uint8Array | Uint16Array, rows: v.shape[1], columns: v.shape[2], affine: v.affine }));
      this.slices.set(key, p);
      p.catch(() => this.slices.delete(key));
      // Bounded: the last 256 slices asked for.
      if (this.slices.size > 256) this.slices.delete(this.slices.keys().next().value!);
    }
    return p;
  }
}
