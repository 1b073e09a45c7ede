import { ErrorCode, LazydcmError } from '../core/errors.js';
import { sumStats, type IoStats } from '../io/stats.js';
import { core as wasmCore, type Core, type CoreIcc, type CorePixelOps } from '../wasm/core.js';
import type { Instance, ReadOptions } from './instance.js';
import { assembleRegion } from './region.js';
import type { RegionOptions } from './types.js';

/** Millimetres per pixel, (row, column) as in Pixel Spacing. */
export interface PixelSpacing {
  row: number;
  column: number;
}

/** One pyramid level: one total pixel matrix size; its images are focal planes / optical paths. */
export interface SlideLevel {
  /** 0 = finest (largest). */
  index: number;
  rows: number;
  columns: number;
  tileRows: number;
  tileColumns: number;
  /** From Imaged Volume Width/Height over the matrix size, else Pixel Measures; null when neither. */
  spacing: PixelSpacing | null;
  /** EZ-WSI's string for 0.01 / min(spacing): '40X', '0.625X'; '' without spacing. */
  magnification: string;
  /** Frames of the level (all focal planes, concatenation parts joined). */
  frames: number;
  focalPlanes: number;
  opticalPaths: number;
  transferSyntaxUid: string;
  /** The instances: one list per image (concatenation parts in frame order). */
  instances: Instance[][];
}

/** A level resampled to another spacing (EZ-WSI's ResizedLevel). */
export interface ResizedLevel {
  source: SlideLevel;
  rows: number;
  columns: number;
  spacing: PixelSpacing;
  /** Target / source spacing per axis: > 1 downsamples (area), < 1 upsamples (cubic). */
  scaleRow: number;
  scaleColumn: number;
}

/** A label, overview or thumbnail image. */
export interface AncillaryImage {
  kind: 'LABEL' | 'OVERVIEW' | 'THUMBNAIL';
  rows: number;
  columns: number;
  instance: Instance;
}

export interface PatchOptions extends ReadOptions {
  /** 0-based across the level's images (several instances or TotalPixelMatrixFocalPlanes). Default 0. */
  focalPlane?: number;
  opticalPath?: number;
  /** Apply the slide's ICC profile to produce this colour space (off by default, as EZ-WSI). */
  icc?: 'srgb' | 'display-p3' | false;
  /** Rendering intent for the ICC transform. Default 'perceptual'. */
  intent?: 'perceptual' | 'relative' | 'saturation' | 'absolute';
  /** Value of pixels outside the image (and missing TILED_SPARSE tiles). Default 0, as EZ-WSI. */
  fill?: number;
}

/** 8-bit pixels of a patch: rows x columns x samplesPerPixel, interleaved (RGB for colour slides). */
export interface Patch {
  data: Uint8Array;
  /** Top-left in the level's pixels (may be negative or past the edge: the rest is `fill`). */
  x: number;
  y: number;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  level: number;
  /** What was applied, e.g. 'ICC lazydcm test Adobe RGB -> sRGB'. */
  colour: string;
}

export interface LevelChoice {
  /** Relative tolerance (math.isclose rel_tol). Default 0.23, as EZ-WSI. */
  threshold?: number;
  /** Accept a finer level up to target/spacing <= this. Default 0 (no fallback), as EZ-WSI. */
  maximumDownsample?: number;
}

export interface PatchGeneratorOptions {
  /** Side of the square patches (level pixels). */
  patchSize: number;
  /** Default: patchSize. */
  stride?: number;
  /** Luminance range that counts as tissue. Defaults 1/255 and 0.8, as EZ-WSI. */
  minLuminance?: number;
  maxLuminance?: number;
  /** The level the tissue mask is computed at (default: EZ-WSI's choice, near 1.25X). */
  maskLevel?: number;
  /** A caller's mask instead: rows x columns of 0/1 (or booleans) over the whole image. */
  mask?: { data: ArrayLike<number | boolean>; rows: number; columns: number };
  focalPlane?: number;
}

const ICC_INTENT = { perceptual: 0, relative: 1, saturation: 2, absolute: 3 } as const;

/** What a patch's pixels go through in the PixelOps after the region: resampling, a canvas. */
interface PatchSteps {
  resize?: { kind: 0 | 1; box: { originX: number; originY: number; scaleX: number; scaleY: number }; rows: number; columns: number };
  place?: { height: number; width: number; row: number; column: number; fill: number };
}

/**
 * A whole-slide image: VL Whole Slide Microscopy instances of one series grouped into pyramid
 * levels, finest first, with label / overview / thumbnail images (EZ-WSI DICOMweb's DicomSlide).
 * Patches fetch only the tiles they touch; levels, spacings and magnifications follow EZ-WSI.
 */
export class Slide {
  readonly levels: SlideLevel[];
  readonly label?: AncillaryImage;
  readonly overview?: AncillaryImage;
  readonly thumbnail?: AncillaryImage;
  /** Instances left out (not VL WSI, no matrix size), and why. */
  readonly warnings: string[];
  private ops?: CorePixelOps;
  private profile?: Promise<Uint8Array | null>;
  private readonly planes = new Map<Instance, number>();
  /** ICC transforms by target/intent, built in the ICC module (loaded the first time a patch asks for ICC). */
  private readonly iccTransforms = new Map<string, Promise<CoreIcc>>();

  private constructor(private readonly core: Core, readonly instances: Instance[], private readonly closeExtra?: () => Promise<void>) {
    const images = instances.map((i) => i.wsiImage());
    images.forEach((m, k) => this.planes.set(instances[k], m.focalPlanes ?? 1));
    const p = core.buildPyramid(images, instances[0]?.source.name);
    this.levels = p.levels.map((l, index) => {
      const spacing = l.spacing;
      return {
        index, rows: l.totalRows, columns: l.totalColumns, tileRows: l.tileRows, tileColumns: l.tileColumns,
        spacing: spacing ? { row: spacing[0], column: spacing[1] } : null,
        magnification: spacing ? core.magnificationString(Math.min(spacing[0], spacing[1])) : '',
        frames: l.frames, focalPlanes: l.focalPlanes, opticalPaths: l.opticalPaths, transferSyntaxUid: l.transferSyntaxUid,
        instances: l.images.map((parts) => parts.map((i) => instances[i])),
      } as SlideLevel;
    });
    const ancillary = (list: number[], kind: AncillaryImage['kind']): AncillaryImage | undefined => {
      if (!list.length) return undefined;
      const instance = instances[list[0]];
      return { kind, rows: instance.summary.totalPixelMatrixRows ?? instance.summary.rows ?? 0,
        columns: instance.summary.totalPixelMatrixColumns ?? instance.summary.columns ?? 0, instance };
    };
    this.label = ancillary(p.labels, 'LABEL');
    this.overview = ancillary(p.overviews, 'OVERVIEW');
    this.thumbnail = ancillary(p.thumbnails, 'THUMBNAIL');
    this.warnings = p.warnings;
  }

  /** A slide from opened instances (see openSlide for URLs, folders, zips and DICOMweb). */
  static async fromInstances(instances: Instance[], close?: () => Promise<void>): Promise<Slide> {
    // `close`, when given, replaces closing the instances (it owns them).
    return new Slide(await wasmCore(), instances, close);
  }

  /** Requests, bytes and cache hits of every instance. */
  get stats(): IoStats {
    return sumStats(this.instances.map((i) => i.stats));
  }

  level(index: number): SlideLevel {
    const l = this.levels[index < 0 ? this.levels.length + index : index];
    if (!l) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', `level ${index} of ${this.levels.length}`);
    return l;
  }

  /** EZ-WSI's get_level_by_pixel_spacing (mm per pixel); undefined when no level qualifies. */
  levelBySpacing(spacingMm: number, choice: LevelChoice = {}): SlideLevel | undefined {
    const spacings = this.levels.map((l): [number, number] | null => (l.spacing ? [l.spacing.row, l.spacing.column] : null));
    const i = this.core.levelBySpacing(spacings, spacingMm, choice.threshold ?? 0.23, choice.maximumDownsample ?? 0);
    return i < 0 ? undefined : this.levels[i];
  }

  /** The level for a magnification string ('40X', '0.625x'), by levelBySpacing. */
  levelByMagnification(magnification: string, choice: LevelChoice = {}): SlideLevel | undefined {
    return this.levelBySpacing(this.core.spacingOfMagnification(magnification), choice);
  }

  /** A level resampled to `spacingMm` (or a magnification string): EZ-WSI's ResizedLevel. */
  resize(level: SlideLevel | number, spacing: number | string): ResizedLevel {
    const source = typeof level === 'number' ? this.level(level) : level;
    if (!source.spacing) throw new LazydcmError(ErrorCode.invalidImageAttributes, 'invalidImageAttributes', `level ${source.index} has no pixel spacing`);
    const mm = typeof spacing === 'string' ? this.core.spacingOfMagnification(spacing) : spacing;
    const r = this.core.resizeLevel(source.rows, source.columns, [source.spacing.row, source.spacing.column], [mm, mm]);
    return { source, rows: r.rows, columns: r.columns, scaleRow: r.factorRow, scaleColumn: r.factorColumn,
      spacing: { row: source.spacing.row * r.factorRow, column: source.spacing.column * r.factorColumn } };
  }

  /** Scale factors from one level (or resized level) to another: a point (x, y) maps to (x / fx, y / fy). */
  scaleFactors(from: SlideLevel | ResizedLevel, to: SlideLevel | ResizedLevel): { x: number; y: number } {
    const sa = from.spacing, sb = to.spacing;
    if (sa && sb) return { x: sb.column / sa.column, y: sb.row / sa.row };
    return { x: from.columns / to.columns, y: from.rows / to.rows };
  }

  /** A point in `from`'s pixels in `to`'s pixels. */
  mapPoint(from: SlideLevel | ResizedLevel, to: SlideLevel | ResizedLevel, x: number, y: number): { x: number; y: number } {
    const f = this.scaleFactors(from, to);
    return { x: x / f.x, y: y / f.y };
  }

  /**
   * A patch of a level (or a resized level), in that level's pixels: only the tiles it touches
   * are fetched and decoded. Parts outside the image are `fill`; a patch that misses the image
   * entirely is an `outOfImage` error (EZ-WSI's SectionOutOfImageBoundsError).
   */
  async getPatch(level: SlideLevel | ResizedLevel | number, x: number, y: number, width: number, height: number,
    options: PatchOptions = {}): Promise<Patch> {
    const target = typeof level === 'number' ? this.level(level) : level;
    if (!(width > 0 && height > 0) || ![x, y, width, height].every(Number.isInteger)) {
      throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', `patch ${width} x ${height} at (${x}, ${y}): integers, positive size`);
    }
    const { rows, columns } = target;
    const x0 = Math.max(0, x), y0 = Math.max(0, y), x1 = Math.min(columns, x + width), y1 = Math.min(rows, y + height);
    if (x0 >= x1 || y0 >= y1) {
      throw new LazydcmError(ErrorCode.outOfImage, 'outOfImage', `patch ${width} x ${height} at (${x}, ${y}) is outside the ${columns} x ${rows} level`);
    }
    const resized = 'source' in target;
    // A patch that reaches past the level's edges: the part inside, placed on a canvas of `fill`.
    const place = x0 !== x || y0 !== y || x1 - x0 !== width || y1 - y0 !== height
      ? { height, width, row: y0 - y, column: x0 - x, fill: options.fill ?? 0 } : undefined;
    const w = x1 - x0, h = y1 - y0;
    let out: { data: Uint8Array; samples: number; colour: string };
    if (resized) {
      // EZ-WSI maps by the sizes (source box x * srcW / dstW), not by the spacing factors.
      const src = target.source;
      const fx = src.columns / target.columns, fy = src.rows / target.rows;
      const up = fx < 1 || fy < 1;
      const margin = up ? 2 : 0;  // cubic taps reach two source pixels out
      const sx0 = Math.max(0, Math.floor(x0 * fx) - margin), sy0 = Math.max(0, Math.floor(y0 * fy) - margin);
      const sx1 = Math.min(src.columns, Math.ceil((x0 + w) * fx) + margin), sy1 = Math.min(src.rows, Math.ceil((y0 + h) * fy) + margin);
      const { image, plane } = this.imageOf(src, options.focalPlane ?? 0);
      out = await this.pixelsOf(image, plane, sx0, sy0, sx1 - sx0, sy1 - sy0, options, {
        resize: { kind: up ? 1 : 0, box: { originX: x0 * fx - sx0, originY: y0 * fy - sy0, scaleX: fx, scaleY: fy }, rows: h, columns: w }, place,
      });
    } else {
      const { image, plane } = this.imageOf(target, options.focalPlane ?? 0);
      out = await this.pixelsOf(image, plane, x0, y0, w, h, options, { place });
    }
    return { data: out.data, x, y, rows: height, columns: width, samplesPerPixel: out.samples, level: resized ? target.source.index : target.index,
      colour: out.colour };
  }

  /** A whole (small) level as one patch; refuses levels above `maxPixels` (default 64 Mi). */
  async getImage(level: SlideLevel | ResizedLevel | number, options: PatchOptions & { maxPixels?: number } = {}): Promise<Patch> {
    const target = typeof level === 'number' ? this.level(level) : level;
    const { rows, columns } = target;
    if (rows * columns > (options.maxPixels ?? 64 * 2 ** 20)) {
      throw new LazydcmError(ErrorCode.valueTooLarge, 'valueTooLarge', `level of ${columns} x ${rows} pixels: read patches, or raise maxPixels`);
    }
    return this.getPatch(target, 0, 0, columns, rows, options);
  }

  /** A label / overview / thumbnail image, whole. */
  async getAncillary(image: AncillaryImage, options: PatchOptions = {}): Promise<Patch> {
    const out = await this.pixelsOf([image.instance], 0, 0, 0, image.columns, image.rows, options, {});
    return { data: out.data, x: 0, y: 0, rows: image.rows, columns: image.columns, samplesPerPixel: out.samples, level: -1, colour: out.colour };
  }

  /** The ICC profile (optical path, else top level) of the finest level's first instance; null without one. */
  async iccProfile(signal?: AbortSignal): Promise<Uint8Array | null> {
    for (const level of this.levels) {
      const p = await level.instances[0][0].iccProfile(0, signal);
      if (p) return p;
    }
    return null;
  }

  /**
   * EZ-WSI's patch generator: square patches at a stride, kept where the tissue mask (luminance of
   * a low-magnification level, or the caller's mask) is within the thresholds; row-major.
   */
  async patches(level: SlideLevel | number, options: PatchGeneratorOptions): Promise<PatchGenerator> {
    const target = typeof level === 'number' ? this.level(level) : level;
    // The mask: a caller's 0/1 as 0/255, else the luminance of a low-magnification level.
    let mask: { data: Uint8Array; rows: number; columns: number; rgb: boolean };
    const ops = this.pixelOps();
    let lo = options.minLuminance ?? 1 / 255, hi = options.maxLuminance ?? 0.8;
    if (options.mask) {
      const { rows, columns } = options.mask;
      mask = { data: Uint8Array.from(options.mask.data as ArrayLike<number>, (v) => (v ? 255 : 0)), rows, columns, rgb: false };
      lo = options.minLuminance ?? 0.5;
      hi = options.maxLuminance ?? 1.0;
    } else {
      const maskLevel = options.maskLevel !== undefined ? this.level(options.maskLevel) : this.maskLevelFor(target);
      const image = await this.getImage(maskLevel, { focalPlane: options.focalPlane });
      mask = { data: image.data, rows: image.rows, columns: image.columns, rgb: image.samplesPerPixel === 3 };
    }
    ops.load(mask.data);
    const grid = ops.patchGrid(mask.rows, mask.columns, mask.rgb, target.rows, target.columns, {
      patch: options.patchSize, stride: options.stride ?? options.patchSize, minLuminance: lo, maxLuminance: hi,
    });
    return new PatchGenerator(this, target, options.patchSize, grid.map(([row, column]) => ({ row, column })), options.focalPlane);
  }

  /** EZ-WSI: the level itself if coarser than 1.25X (0.008 mm) or one frame, else the level nearest 1.25X. */
  private maskLevelFor(level: SlideLevel): SlideLevel {
    if ((level.spacing && Math.min(level.spacing.row, level.spacing.column) >= 0.008) || level.frames === 1) return level;
    return this.levelBySpacing(0.008, { maximumDownsample: 8 }) ?? this.levels[this.levels.length - 1];
  }

  /** Frames of a level's image (0-based per instance) that a box touches, for preloading. @internal */
  planFrames(level: SlideLevel, boxes: { x: number; y: number; width: number; height: number }[], focalPlane = 0): Map<Instance, number[]> {
    const { image, plane } = this.imageOf(level, focalPlane);
    const clipped: [number, number, number, number][] = [];
    for (const b of boxes) {
      const x0 = Math.max(0, b.x), y0 = Math.max(0, b.y), x1 = Math.min(level.columns, b.x + b.width), y1 = Math.min(level.rows, b.y + b.height);
      if (x0 < x1 && y0 < y1) clipped.push([y0, y1, x0, x1]);
    }
    return new Map(image.map((part) => [part, part.planRegionFrames(clipped, plane)]));
  }

  /**
   * Reads the encoded frames that boxes of a level (level pixels) need into the frame cache, in as
   * few requests as their adjacency in the files allows; nothing is decoded. Reads already in
   * flight are joined, cached frames cost nothing. A viewer hands it every tile of a view at once
   * (SlideView does), then decodes tile by tile from the cache.
   */
  async prefetch(level: SlideLevel, boxes: { x: number; y: number; width: number; height: number }[],
    options: ReadOptions & { focalPlane?: number } = {}): Promise<void> {
    const plan = this.planFrames(level, boxes, options.focalPlane ?? 0);
    await Promise.all([...plan].filter(([, frames]) => frames.length).map(([instance, frames]) => instance.fetchFrames(frames, options)));
  }

  async close(): Promise<void> {
    this.ops?.delete();
    this.ops = undefined;
    const transforms = [...this.iccTransforms.values()];
    this.iccTransforms.clear();
    for (const t of await Promise.allSettled(transforms)) if (t.status === 'fulfilled') t.value.delete();
    // The owner (openSlide's series) closes the instances, else the slide does.
    if (this.closeExtra) await this.closeExtra();
    else await Promise.all(this.instances.map((i) => i.close()));
  }

  async [Symbol.asyncDispose ?? Symbol.for('Symbol.asyncDispose')](): Promise<void> {
    await this.close();
  }

  // ---- pixels ----

  private imageOf(level: SlideLevel, focalPlane: number): { image: Instance[]; plane: number } {
    let k = focalPlane;
    for (const image of level.instances) {
      const planes = this.planes.get(image[0]) ?? 1;
      if (k < planes) return { image, plane: k };
      k -= planes;
    }
    throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', `focal plane ${focalPlane} of ${level.focalPlanes} at level ${level.index}`);
  }

  /**
   * [x, x + w) x [y, y + h) of one image (its concatenation parts), 8-bit, then `steps`, in WASM:
   * the region is assembled in the core and handed to the PixelOps without a copy, MONOCHROME1
   * inverted, resampled and placed on its canvas there, and copied out once (ICC colour: through the
   * ICC module, one copy in and out more).
   * A concatenation's parts each assemble their own tiles, merged into the patch's own PixelOps.
   */
  private async pixelsOf(parts: Instance[], plane: number, x: number, y: number, w: number, h: number, options: PatchOptions,
    steps: PatchSteps): Promise<{ data: Uint8Array; samples: number; colour: string }> {
    for (const part of parts) {
      const bits = part.summary.bitsAllocated ?? 8;
      if (bits !== 8) {
        throw new LazydcmError(ErrorCode.invalidImageAttributes, 'invalidImageAttributes', `slides of ${bits}-bit samples are not supported (8-bit only)`, undefined, part.source.name);
      }
    }
    const icc = options.icc ? await this.iccOf(options) : undefined;
    const region = (part: Instance): RegionOptions => ({
      rowStart: y, rowEnd: y + h, columnStart: x, columnEnd: x + w, asIndices: true, stored: true, rgb: true,
      focalPlane: (this.planes.get(part) ?? 1) > 1 ? plane : undefined, opticalPath: options.opticalPath, signal: options.signal,
      priority: options.priority, maxGap: options.maxGap, onProgress: options.onProgress,
    });
    const samples = parts[0].summary.samplesPerPixel ?? 1;
    // Synchronous from the current image to the copy out: concurrent patches share the PixelOps.
    const finish = (ops: CorePixelOps) => {
      if (parts[0].summary.photometricInterpretation === 'MONOCHROME1') ops.invert();
      let rows = h, columns = w;
      if (steps.resize) {
        ops.resize(steps.resize.kind, h, w, samples, steps.resize.box, steps.resize.rows, steps.resize.columns);
        ({ rows, columns } = steps.resize);
      }
      if (steps.place) {
        const p = steps.place;
        ops.place(rows, columns, samples, p.height, p.width, p.row, p.column, p.fill);
        ({ height: rows, width: columns } = p);
      }
      const data = ops.take();
      if (!icc || samples !== 3) return { data, samples, colour: 'stored' };
      return { data: icc.apply(data), samples, colour: `ICC ${icc.description}` };
    };
    if (parts.length === 1) {
      return assembleRegion(parts[0], region(parts[0]), (pixels) => {
        const ops = this.pixelOps();
        ops.adoptRegion(pixels);
        return finish(ops);
      });
    }
    // A concatenation: the parts' regions arrive one after another (awaits between them), so this
    // patch has its own PixelOps; each part's tiles are merged into it in WASM.
    const ops = this.core.pixelOps();
    try {
      for (const [k, part] of parts.entries()) {
        await assembleRegion(part, region(part), (pixels) => (k === 0 ? ops.adoptRegion(pixels) : ops.mergeRegion(pixels)));
      }
      return finish(ops);
    } finally {
      ops.delete();
    }
  }

  /** The ICC transform a patch asks for (made once per target and intent); iccError without a profile. */
  private iccOf(options: PatchOptions): Promise<CoreIcc> {
    const target = options.icc === 'display-p3' ? 1 : 0;
    const intent = ICC_INTENT[options.intent ?? 'perceptual'];
    const key = `${target}/${intent}`;
    let t = this.iccTransforms.get(key);
    if (!t) {
      t = (async () => {
        this.profile ??= this.iccProfile(options.signal);
        const profile = await this.profile;
        if (!profile) throw new LazydcmError(ErrorCode.iccError, 'iccError', 'the slide has no ICC profile');
        return (await this.core.icc()).transform(profile, target, intent);
      })();
      this.iccTransforms.set(key, t);
      t.catch(() => this.iccTransforms.delete(key));  // tried again by the next patch
    }
    return t;
  }

  private pixelOps(): CorePixelOps {
    this.ops ??= this.core.pixelOps();
    return this.ops;
  }
}

/** Patches chosen by the patch generator: positions, reading, and a preload in the fewest requests. */
export class PatchGenerator {
  constructor(
    private readonly slide: Slide,
    readonly level: SlideLevel,
    readonly patchSize: number,
    /** Top-left corners (level pixels), row-major. */
    readonly origins: { row: number; column: number }[],
    private readonly focalPlane?: number,
  ) {}

  get length(): number {
    return this.origins.length;
  }

  /** Fetches every patch's frames into the frame cache (adjacent frames in one request). */
  async preload(options: ReadOptions = {}): Promise<void> {
    const boxes = this.origins.map((o) => ({ x: o.column, y: o.row, width: this.patchSize, height: this.patchSize }));
    await this.slide.prefetch(this.level, boxes, { ...options, focalPlane: this.focalPlane ?? 0 });
  }

  async getPatch(i: number, options: PatchOptions = {}): Promise<Patch> {
    const o = this.origins[i];
    return this.slide.getPatch(this.level, o.column, o.row, this.patchSize, this.patchSize, { focalPlane: this.focalPlane, ...options });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Patch> {
    for (let i = 0; i < this.origins.length; i++) yield this.getPatch(i);
  }
}

/** '40X' <-> 0.00025 mm, as EZ-WSI. */
export async function magnificationToSpacing(text: string): Promise<number> {
  return (await wasmCore()).spacingOfMagnification(text);
}

export async function spacingToMagnification(spacingMm: number): Promise<string> {
  return (await wasmCore()).magnificationString(spacingMm);
}
