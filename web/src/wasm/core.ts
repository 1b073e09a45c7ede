/**
 * The one door into the WASM core: the only file that calls Embind. Every bound call goes through
 * `ok()`, which reads the module's last error right after it (the core's one error convention, see
 * wasm/glue.hpp) and throws a LazydcmError naming the source; bytes cross explicitly — `copyIn`
 * writes into a core input buffer, `copyOut` copies a borrowed view out (views die at the next
 * call into the module) — and both are counted in `copies` for tests and benchmarks. Bound objects
 * are deleted by their wrappers' `delete()`, in `finally` where a wrapper makes its own.
 *
 * `BOUND` lists the bound classes' methods and the module functions this file wraps; a test
 * compares it with the module's prototypes, so the two cannot drift.
 */
import type { DicomJson } from '../core/dicom-json.js';
import { ioError, LazydcmError } from '../core/errors.js';
import { loadCore, loadModule, type CodecModule, type CoreModule, type IccModule, type ModuleErrors, type RawDecoder, type RawIcc, type RawInstance, type RawPixelOps, type RawPixels,
  type RawVolume } from './load.js';
import type {
  DecodedFrame, DecodeOptions, DecodeReport, FrameInfo, FrameTableLayout, GeometrySettings, IccProfileInfo, InstanceOptions, InstanceSummary,
  PyramidValue, RegionPlan, SegmentationValue, SegmentFilterValue, SegmentPlan, SegmentRequestValue, SeriesMember,
  TransformSettings, Values, VolumeGeometry, WsiImage,
} from './values.js';

export type * from './values.js';

// ---- copies across the boundary ----

/** Bytes and buffers copied into and out of WASM memory since the last reset (tests, bench/). */
export const copies = {
  in: 0, inBytes: 0, out: 0, outBytes: 0,
  reset(): void { this.in = this.inBytes = this.out = this.outBytes = 0; },
};

/** Writes `bytes` into a core input buffer (`buffer(n)` returns a borrowed view of n bytes). */
function copyIn(buffer: (n: number) => Uint8Array, bytes: Uint8Array): number {
  if (bytes.length) {
    buffer(bytes.length).set(bytes);
    copies.in++;
    copies.inBytes += bytes.length;
  }
  return bytes.length;
}
/** A copy of a borrowed view of WASM memory (as float32 when asked: one pass, one copy). */
function copyOut<T extends Uint8Array | Float64Array>(view: T): T;
function copyOut(view: Float64Array, as: 'float32'): Float32Array;
function copyOut(view: Uint8Array | Float64Array, as?: 'float32'): Uint8Array | Float64Array | Float32Array {
  copies.out++;
  copies.outBytes += view.byteLength;
  return as ? Float32Array.from(view) : view.slice();
}

/** The decoded frame a Pixels' output holds (a copy) and its report. */
function decodedOut(p: { output(): Uint8Array; report(): DecodeReport }): DecodedFrame {
  return { bytes: copyOut(p.output()), report: p.report() };
}

/** The names this file wraps, per bound class and for module functions (checked against the module by a test). */
export const BOUND = {
  Instance: ['inputBuffer', 'feedInput', 'step', 'need', 'reindex', 'indexSnapshot', 'restoreIndex', 'buildIndex', 'setTransferSyntax', 'summary', 'datasetJson', 'frameTable',
    'seriesMember', 'wsiImage', 'iccProfile', 'iccView', 'regionFrames'],
  Pixels: ['inputBuffer', 'decode', 'raw', 'transformStored', 'frameInfo', 'output', 'values', 'report', 'transformInfo',
    'releaseOutput', 'planRegion', 'pasteStored', 'paste', 'transformRegion', 'region', 'releaseRegion', 'geometry', 'segmentation',
    'findSegments', 'planSegments', 'pasteSegment', 'pasteSegmentStored', 'segmentVolume', 'releaseSegments', 'transformInto',
    'decodeTransformInto'],
  VolumeBuffer: ['data', 'samples'],
  Decoder: ['inputBuffer', 'decode', 'output', 'report'],
  PixelOps: ['inputBuffer', 'adoptRegion', 'mergeRegion', 'invert', 'place', 'resize', 'rgbToGray', 'patchGrid', 'current', 'release'],
  functions: ['lastError', 'lastErrorCode', 'seriesGeometry', 'buildPyramid', 'levelBySpacing', 'spacingOfMagnification',
    'magnificationString', 'nominalMagnification', 'resizeLevel', 'codecModule'],
  classFunctions: { Instance: ['fromMetadata', 'frameTableLayout'] },
} as const;

/** The same for the modules loaded on demand. */
const ERRORS = ['lastError', 'lastErrorCode'] as const;  // bound in every module (wasm/glue.cpp)
export const BOUND_MODULES = {
  j2k: { Decoder: BOUND.Decoder, functions: ERRORS },
  jpegls: { Decoder: BOUND.Decoder, functions: ERRORS },
  jxl: { Decoder: BOUND.Decoder, JpegReconstruction: ['inputBuffer', 'reconstruct', 'output'], functions: ERRORS },
  icc: { Icc: ['profileBuffer', 'create', 'description', 'inputBuffer', 'apply', 'pixels', 'release'], functions: ERRORS },
} as const;

/** The core of this realm, loaded once. */
export async function core(): Promise<Core> {
  return (loaded ??= loadCore().then((m) => new Core(m)));
}
let loaded: Promise<Core> | undefined;

/** A loaded module's door: every bound call's result goes through `ok()` (each module has its own last error). */
abstract class Door {
  /** @internal */
  constructor(private readonly errors: ModuleErrors) {}

  /** `value`, the result of the bound call just made; its error (the module's last error) is thrown naming `source`. */
  ok<T>(value: T, source?: string): T {
    if (this.errors.lastErrorCode() !== 0) throw LazydcmError.fromJson(this.errors.lastError(), source);
    return value;
  }
}

export class Core extends Door {
  /** @internal */
  constructor(private readonly m: CoreModule) {
    super(m);
  }
  /** The module that decodes a transfer syntax: 'core', 'j2k', 'jpegls', 'jxl', or '' (nothing does). */
  codecModule(transferSyntaxUid: string): '' | 'core' | CodecName {
    let m = this.modules.get(transferSyntaxUid);
    if (m === undefined) this.modules.set(transferSyntaxUid, (m = this.m.codecModule(transferSyntaxUid) as '' | 'core' | CodecName));
    return m;
  }
  private readonly modules = new Map<string, '' | 'core' | CodecName>();
  /**
   * A decoder for `transferSyntaxUid`: the core's, or that of the codec module decoding it (loaded
   * the first time; one decoder per module and realm). Unknown syntaxes get the core's decoder,
   * which says `unsupportedTransferSyntax`.
   */
  async decoderFor(transferSyntaxUid: string): Promise<CoreDecoder> {
    const name = this.codecModule(transferSyntaxUid);
    if (name === '' || name === 'core') return (this.ownDecoder ??= this.decoder());
    let d = this.codecDecoders.get(name);
    if (!d) this.codecDecoders.set(name, (d = loadModule(name).then((m) => new CoreDecoder(new CodecDoor(m), new m.Decoder()))));
    return d;
  }
  private ownDecoder: CoreDecoder | undefined;
  private readonly codecDecoders = new Map<string, Promise<CoreDecoder>>();
  /** The original JPEG bytes of a .4.111 frame (JPEG XL recompressing a JPEG), from the JPEG XL module. */
  async jpegFromJxl(codestream: Uint8Array, source?: string): Promise<Uint8Array> {
    const m = await loadModule('jxl');
    const door = new CodecDoor(m);
    const r = door.ok(new m.JpegReconstruction(), source);
    try {
      door.ok(r.reconstruct(copyIn((n) => door.ok(r.inputBuffer(n)), codestream)), source);
      return copyOut(r.output());
    } finally {
      r.delete();
    }
  }
  /** The ICC module (loaded the first time). */
  icc(): Promise<IccDoor> {
    return (this.iccDoor ??= loadModule('icc').then((m) => new IccDoor(m)));
  }
  private iccDoor: Promise<IccDoor> | undefined;

  /** A reader of one instance of `fileSize` bytes, fed by `CoreInstance.feed`. */
  openInstance(fileSize: number, options: InstanceOptions, source: string): CoreInstance {
    const clean = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    return new CoreInstance(this, this.ok(new this.m.Instance(fileSize, clean), source), source);
  }
  /** An instance known by its DICOM JSON metadata (DICOMweb); the transfer syntax may be ''. */
  instanceFromMetadata(metadata: DicomJson, transferSyntaxUid: string, source: string): CoreInstance {
    return new CoreInstance(this, this.ok(this.m.Instance.fromMetadata(JSON.stringify(metadata), transferSyntaxUid), source), source);
  }
  frameTableLayout(): FrameTableLayout {
    return (this.layout ??= this.m.Instance.frameTableLayout());
  }
  private layout: FrameTableLayout | undefined;
  /** The core's own decoder (native, RLE, deflate, JPEG); decoderFor() for any transfer syntax. */
  decoder(): CoreDecoder {
    return new CoreDecoder(this, new this.m.Decoder());
  }
  /**
   * A volume the core fills frame by frame (CorePixels.transformInto): ranges [s0, s1, r0, r1, c0,
   * c1] of a grid of rows x columns; samples 0: from the first frame.
   */
  volume(ranges: number[], rows: number, columns: number, samples: number, dtype: 'float32' | 'float64', source?: string): CoreVolume {
    return new CoreVolume(this.ok(new this.m.VolumeBuffer(ranges, rows, columns, samples, dtype === 'float32'), source), dtype);
  }
  pixelOps(): CorePixelOps {
    return new CorePixelOps(this, this.ok(new this.m.PixelOps()));
  }
  /** @internal */
  newPixels(instance: RawInstance, source: string): RawPixels {
    return this.ok(new this.m.Pixels(instance), source);
  }

  seriesGeometry(members: SeriesMember[], options: GeometrySettings, source?: string): VolumeGeometry {
    return this.ok(this.m.seriesGeometry(members, options), source);
  }
  buildPyramid(images: WsiImage[], source?: string): PyramidValue {
    return this.ok(this.m.buildPyramid(images), source);
  }
  /** The level index whose spacing best matches `target` (mm), or -1. */
  levelBySpacing(spacings: ([number, number] | null)[], target: number, threshold: number, maximumDownsample: number): number {
    return this.ok(this.m.levelBySpacing(spacings, target, threshold, maximumDownsample));
  }
  /** '20X', '40x', '5X' -> mm per pixel. */
  spacingOfMagnification(text: string): number {
    return this.ok(this.m.spacingOfMagnification(text));
  }
  magnificationString(spacing: number): string {
    return this.ok(this.m.magnificationString(spacing));
  }
  nominalMagnification(spacing: number): string {
    return this.ok(this.m.nominalMagnification(spacing));
  }
  resizeLevel(rows: number, columns: number, source: [number, number], target: [number, number]): { rows: number; columns: number; factorRow: number; factorColumn: number } {
    return this.ok(this.m.resizeLevel(rows, columns, source[0], source[1], target[0], target[1]));
  }
}

/** One instance's header and frame index in the core; its pixels through `pixels()`. */
export class CoreInstance {
  private pixelsOf: CorePixels | undefined;

  /** @internal */
  constructor(private readonly core: Core, private bound: RawInstance | null, readonly source: string) {}

  private r(): RawInstance {
    if (!this.bound) throw ioError('aborted', 'the Instance is closed', this.source);
    return this.bound;
  }
  private ok<T>(value: T): T {
    return this.core.ok(value, this.source);
  }

  /** Bytes the core asked for (or any bytes of the file) at `offset`. */
  feed(offset: number, bytes: Uint8Array): void {
    const r = this.r();
    this.ok(r.feedInput(offset, copyIn((n) => this.ok(r.inputBuffer(n)), bytes)));
  }
  /** 'done': the header is read and the index built (or its error is in the summary); else fetch `need()`. */
  step(): 'done' | 'needBytes' {
    return this.ok(this.r().step()) === 1 ? 'needBytes' : 'done';
  }
  need(): { offset: number; length: number } {
    return this.ok(this.r().need());
  }
  /** The index pointed at the wrong bytes: rebuild it without its table; false when there is none. */
  reindex(why: string): boolean {
    return this.ok(this.r().reindex(why));
  }
  setTransferSyntax(uid: string): void {
    this.ok(this.r().setTransferSyntax(uid));
  }
  /** The frame index as bytes for the persistent cache (a copy; empty when there is none to keep). */
  indexSnapshot(): Uint8Array {
    return copyOut(this.ok(this.r().indexSnapshot()));
  }
  /**
   * After a header read with `buildIndex: false`: the index saved by `indexSnapshot` from an
   * earlier open of the same file. Throws (invalidArgument) when it does not fit this file.
   */
  restoreIndex(snapshot: Uint8Array): void {
    const r = this.r();
    this.ok(r.restoreIndex(copyIn((n) => this.ok(r.inputBuffer(n)), snapshot)));
  }
  /** After a header read with `buildIndex: false`: build the index as usual (step() then fetches). */
  buildIndex(): void {
    this.ok(this.r().buildIndex());
  }
  summary(): InstanceSummary {
    return this.ok(this.r().summary());
  }
  dataset(): { dataset: DicomJson; warnings: string[] } {
    return JSON.parse(this.ok(this.r().datasetJson()));
  }
  /** Reads the frame index from a borrowed view of the core's array (valid only inside `read`). */
  withFrameTable<T>(read: (view: Uint8Array, layout: FrameTableLayout) => T): T {
    const layout = this.core.frameTableLayout();
    return read(this.ok(this.r().frameTable()), layout);
  }
  seriesMember(): SeriesMember {
    return this.ok(this.r().seriesMember(this.source));
  }
  wsiImage(): WsiImage {
    return this.ok(this.r().wsiImage(this.source));
  }
  iccProfile(opticalPath: number): IccProfileInfo {
    return this.ok(this.r().iccProfile(opticalPath));
  }
  /** The profile's bytes when the header holds them. */
  iccBytes(opticalPath: number): Uint8Array {
    return copyOut(this.ok(this.r().iccView(opticalPath)));
  }
  /** The 0-based frames regions [r0, r1, c0, c1] need, ascending. */
  regionFrames(boxes: [number, number, number, number][], focalPlane?: number, opticalPath?: number): number[] {
    return this.ok(this.r().regionFrames(boxes, focalPlane ?? -1, opticalPath ?? -1));
  }
  pixels(): CorePixels {
    return (this.pixelsOf ??= new CorePixels(this.core, this.core.newPixels(this.r(), this.source), this.source));
  }
  delete(): void {
    this.pixelsOf?.delete();
    this.bound?.delete();
    this.bound = null;
  }
}

/** Frames, regions, geometry and segment volumes of one instance. */
export class CorePixels {
  /** @internal */
  constructor(private readonly core: Core, private raw: RawPixels | null, readonly source: string) {}

  private p(): RawPixels {
    if (!this.raw) throw ioError('aborted', 'the Instance is closed', this.source);
    return this.raw;
  }
  /** @internal */
  bound(): RawPixels {
    return this.p();
  }
  private ok<T>(value: T): T {
    return this.core.ok(value, this.source);
  }
  private input(bytes: Uint8Array): number {
    const p = this.p();
    return copyIn((n) => this.ok(p.inputBuffer(n)), bytes);
  }

  /** Frame i (0-based) decoded here from its range bytes. */
  decode(i: number, bytes: Uint8Array, options: DecodeOptions): DecodedFrame {
    const p = this.p();
    this.ok(p.decode(i, this.input(bytes), options));
    try {
      return decodedOut(p);
    } finally {
      p.releaseOutput();
    }
  }
  /** Frame i's encoded bytes, fragments joined. */
  encoded(i: number, bytes: Uint8Array): Uint8Array {
    const p = this.p();
    this.ok(p.raw(i, this.input(bytes)));
    try {
      return copyOut(p.output());
    } finally {
      p.releaseOutput();
    }
  }
  frameInfo(i: number): FrameInfo & { transferSyntaxUid: string } {
    return this.ok(this.p().frameInfo(i));
  }
  /** The pixel transforms of a frame decoded elsewhere. */
  transform(i: number, d: DecodedFrame, options: TransformSettings, dtype?: 'float32' | 'float64'): Values {
    const p = this.p();
    this.ok(p.transformStored(i, this.input(d.bytes), d.report, options));
    return this.takeValues(p, dtype);
  }
  planRegion(r0: number, r1: number, c0: number, c1: number, focalPlane?: number, opticalPath?: number): RegionPlan {
    return this.ok(this.p().planRegion(r0, r1, c0, c1, focalPlane ?? -1, opticalPath ?? -1));
  }
  /** A planned region's frame, decoded elsewhere, pasted into the region buffer. */
  pasteDecoded(i: number, d: DecodedFrame): void {
    const p = this.p();
    this.ok(p.pasteStored(i, this.input(d.bytes), d.report));
  }
  /**
   * A planned region's frame decoded from its range bytes straight into the region buffer; with
   * `keep`, the decoded tile is also copied out (for a cache).
   */
  pasteEncoded(i: number, bytes: Uint8Array, options: DecodeOptions, keep: boolean): DecodedFrame | undefined {
    const p = this.p();
    this.ok(p.paste(i, this.input(bytes), options));
    return keep ? decodedOut(p) : undefined;
  }
  /** The assembled region's stored values (a copy). */
  regionStored(): Uint8Array {
    return copyOut(this.p().region());
  }
  /** The assembled region with the pixel transforms. */
  regionValues(options: TransformSettings, dtype?: 'float32' | 'float64'): Values {
    const p = this.p();
    this.ok(p.transformRegion(options));
    return this.takeValues(p, dtype);
  }
  releaseRegion(): void {
    this.raw?.releaseRegion();
  }
  /** Frame i's transformed values written at `slice` of `volume` (decoded elsewhere). */
  transformInto(i: number, d: DecodedFrame, options: TransformSettings, volume: CoreVolume, slice: number): void {
    const p = this.p();
    this.ok(p.transformInto(i, this.input(d.bytes), d.report, options, volume.bound(), slice));
  }
  /** Frame i decoded from its range bytes and transformed straight into `volume` (`keep`: as pasteEncoded). */
  decodeTransformInto(i: number, bytes: Uint8Array, options: TransformSettings, volume: CoreVolume, slice: number, keep: boolean): DecodedFrame | undefined {
    const p = this.p();
    this.ok(p.decodeTransformInto(i, this.input(bytes), options, volume.bound(), slice));
    return keep ? decodedOut(p) : undefined;
  }
  geometry(frames: number[], options: GeometrySettings): VolumeGeometry {
    return this.ok(this.p().geometry(frames, options));
  }
  segmentation(): SegmentationValue {
    return this.ok(this.p().segmentation());
  }
  findSegments(filter: SegmentFilterValue): number[] {
    return this.ok(this.p().findSegments(filter));
  }
  planSegments(request: SegmentRequestValue, reference: VolumeGeometry | null): SegmentPlan {
    return this.ok(this.p().planSegments(request, reference));
  }
  /** A planned segment frame, decoded elsewhere, added to the segment volume. */
  pasteSegmentDecoded(i: number, d: DecodedFrame): void {
    const p = this.p();
    this.ok(p.pasteSegmentStored(i, this.input(d.bytes), d.report));
  }
  /** A planned segment frame decoded from its range bytes straight into the segment volume (`keep`: as pasteEncoded). */
  pasteSegmentEncoded(i: number, bytes: Uint8Array, keep: boolean): DecodedFrame | undefined {
    const p = this.p();
    this.ok(p.pasteSegment(i, this.input(bytes)));
    return keep ? decodedOut(p) : undefined;
  }
  /** The planned segment volume (a copy). */
  segmentsStored(): Uint8Array {
    return copyOut(this.p().segmentVolume());
  }
  releaseSegments(): void {
    this.raw?.releaseSegments();
  }
  /** The frame buffers of the last decode (large ones freed; a series' instances each have theirs). */
  releaseFrame(): void {
    this.raw?.releaseOutput();
  }
  delete(): void {
    this.raw?.delete();
    this.raw = null;
  }

  private takeValues(p: RawPixels, dtype?: 'float32' | 'float64'): Values {
    const t = p.transformInfo();
    const data = dtype === 'float32' ? copyOut(p.values(), 'float32') : copyOut(p.values());
    p.releaseOutput();
    return { data, samplesPerPixel: t.samplesPerPixel, transform: t.transform };
  }
}

/** A volume buffer in the core, filled frame by frame (model/volume.ts: one staging slice, read out after each frame). */
export class CoreVolume {
  /** @internal */
  constructor(private raw: RawVolume | null, readonly dtype: 'float32' | 'float64') {}

  /** @internal */
  bound(): RawVolume {
    if (!this.raw) throw ioError('aborted', 'the volume buffer was freed');
    return this.raw;
  }
  /**
   * `fn` on a borrowed view of the voxels (valid during the call only: no core call may run in
   * it); counted as one copy out. Undefined before any frame.
   */
  read<T>(fn: (view: Float32Array | Float64Array, samples: number) => T): T | undefined {
    const v = this.bound();
    const samples = v.samples();
    if (!samples) return undefined;
    const bytes = v.data();
    copies.out++;
    copies.outBytes += bytes.byteLength;
    const view = this.dtype === 'float32' ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
      : new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
    return fn(view, samples);
  }
  delete(): void {
    this.raw?.delete();
    this.raw = null;
  }
}

/** The codec modules (the core decodes native, RLE, deflate and JPEG itself). */
export type CodecName = 'j2k' | 'jpegls' | 'jxl';

/** A codec module's door (its Decoder's calls are checked against its own last error). */
class CodecDoor extends Door {}

/** @internal A decoder over a module instantiated by hand (benchmarks load both builds of every module). */
export function moduleDecoder(m: CodecModule): CoreDecoder {
  return new CoreDecoder(new CodecDoor(m), new m.Decoder());
}

/** Decodes encoded frames without an instance (decode workers, benchmarks, codec modules). */
export class CoreDecoder {
  /** @internal */
  constructor(private readonly door: Door, private readonly bound: RawDecoder) {
    door.ok(bound);
  }

  decode(transferSyntaxUid: string, frame: FrameInfo, bytes: Uint8Array, options: DecodeOptions = {}): DecodedFrame {
    const d = this.bound;
    const n = copyIn((k) => this.door.ok(d.inputBuffer(k)), bytes);
    this.door.ok(d.decode(transferSyntaxUid, frame, n, options));
    return decodedOut(d);
  }
  delete(): void {
    this.bound.delete();
  }
}

/**
 * 8-bit pixel operations for slides on one current image that stays in WASM memory from the region
 * it is made of (adoptRegion: handed over, not copied) to the patch that leaves (take): MONOCHROME1,
 * placement on a filled canvas, resampling; luminance and the patch grid for masks (ICC: IccDoor).
 */
export class CorePixelOps {
  /** @internal */
  constructor(private readonly core: Core, private readonly bound: RawPixelOps) {}

  /** The current image: these bytes (copied in). */
  load(bytes: Uint8Array): void {
    copyIn((n) => this.core.ok(this.bound.inputBuffer(n)), bytes);
  }
  /** The current image: `pixels`' assembled region (no copy; the Pixels holds no region afterwards). */
  adoptRegion(pixels: CorePixels): void {
    this.core.ok(this.bound.adoptRegion(pixels.bound()));
  }
  /** The tiles another concatenation part's region covers, merged into the current image (same size). */
  mergeRegion(pixels: CorePixels): void {
    this.core.ok(this.bound.mergeRegion(pixels.bound()));
  }
  /** MONOCHROME1 shown as MONOCHROME2 (255 - x). */
  invert(): void {
    this.core.ok(this.bound.invert());
  }
  /** The current rows x columns image placed at (row, column) of a height x width canvas of `fill`. */
  place(rows: number, columns: number, samples: number, height: number, width: number, row: number, column: number, fill: number): void {
    this.core.ok(this.bound.place(rows, columns, samples, height, width, row, column, fill));
  }
  /** The current image resampled (kind 0: area, 1: cubic) to dstRows x dstColumns. */
  resize(kind: 0 | 1, srcRows: number, srcColumns: number, samples: number,
    box: { originX: number; originY: number; scaleX: number; scaleY: number }, dstRows: number, dstColumns: number): void {
    this.core.ok(this.bound.resize(kind, srcRows, srcColumns, samples, box.originX, box.originY, box.scaleX, box.scaleY, dstRows, dstColumns));
  }
  /** Patch origins [row, column] whose mask (the current image: luminance, or RGB turned to it) says tissue. */
  patchGrid(maskRows: number, maskColumns: number, rgb: boolean, rows: number, columns: number,
    options: { patch: number; stride: number; minLuminance?: number; maxLuminance?: number }): [number, number][] {
    if (rgb) this.core.ok(this.bound.rgbToGray(maskRows * maskColumns));
    return this.core.ok(this.bound.patchGrid(maskRows, maskColumns, rows, columns, options));
  }
  /** The current image (a copy); the core's buffer is freed. */
  take(): Uint8Array {
    const out = copyOut(this.core.ok(this.bound.current()));
    this.bound.release();
    return out;
  }
  delete(): void {
    this.bound.delete();
  }
}

/** The ICC module's door: transforms from a slide's profile, applied to 8-bit RGB. */
export class IccDoor extends Door {
  /** @internal */
  constructor(private readonly m: IccModule) {
    super(m);
  }
  /** A transform from `profile` to sRGB (0) or Display P3 (1) with an lcms rendering intent (0-3). */
  transform(profile: Uint8Array, target: 0 | 1, intent: number, source?: string): CoreIcc {
    const raw = this.ok(new this.m.Icc(), source);
    try {
      this.ok(raw.create(copyIn((n) => this.ok(raw.profileBuffer(n)), profile), target, intent), source);
      return new CoreIcc(this, raw, raw.description());
    } catch (e) {
      raw.delete();
      throw e;
    }
  }
}

/** One ICC transform, held in the ICC module until deleted. */
export class CoreIcc {
  /** @internal */
  constructor(private readonly door: IccDoor, private readonly bound: RawIcc, readonly description: string) {}
  /** `rgb` (interleaved 8-bit RGB) transformed: a new array (copied in and out of the ICC module). */
  apply(rgb: Uint8Array): Uint8Array {
    const b = this.bound;
    const n = copyIn((k) => this.door.ok(b.inputBuffer(k)), rgb);
    this.door.ok(b.apply(n));
    try {
      return copyOut(b.pixels());
    } finally {
      b.release();
    }
  }
  delete(): void {
    this.bound.delete();
  }
}
