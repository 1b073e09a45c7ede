import { codeName, ErrorCode, ioError, LazydcmError } from '../core/errors.js';
import { IoStats } from '../io/stats.js';
import type { ByteSource } from '../sources/source.js';
import { loadCore, type CoreReader } from '../wasm/load.js';
import { coalesce } from '../io/coalesce.js';
import { standardizeRange } from './indices.js';
import { geometryOptions, parseGeometry, selectRanges, Volume, VolumeAssembler, type GeometryOptions, type VolumeGeometry,
  type VolumeSelection } from './volume.js';

/** How the frame index was built. */
export type IndexKind = 'native' | 'extended_offset_table' | 'basic_offset_table' | 'tiff_tile_table' | 'fragment_scan';

export interface FrameLocation {
  /** First byte to fetch (for deflated files: in the inflated stream). */
  offset: number;
  length: number;
  /** 1-bit native frames that do not start on a byte boundary. */
  bitOffset: number;
  /** The range holds fragment items (headers to strip). */
  hasItemHeaders: boolean;
  expectedLength: number;
}

export interface InstanceSummary {
  fileSize: number;
  preamble: boolean;
  metaHeader: boolean;
  sopClassUid: string | null;
  sopClassName: string | null;
  sopInstanceUid: string | null;
  transferSyntaxUid: string;
  transferSyntaxName: string;
  transferSyntaxKnown: boolean;
  rows: number | null;
  columns: number | null;
  numberOfFrames: number | null;
  samplesPerPixel: number | null;
  bitsAllocated: number | null;
  bitsStored: number | null;
  pixelRepresentation: number | null;
  photometricInterpretation: string | null;
  totalPixelMatrixRows: number | null;
  totalPixelMatrixColumns: number | null;
  elements: number;
  pixelData: null | { tag: string; offset: number; valueOffset: number; encapsulated: boolean; length?: number; inInflatedStream: boolean };
  frameIndex: null | { kind: IndexKind; frames: number; notes: string[]; bytesRead: number };
  frameIndexError?: { code: number; name: string; offset: number | null; message: string };
  warnings: string[];
}

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

export interface FrameOptions {
  /** Frame numbers are 1-based, as in DICOM; `asIndex: true` makes them 0-based. */
  asIndex?: boolean;
  /** JPEG 2000 only: decode at 1/2^reduce of the resolution. */
  reduce?: number;
  signal?: AbortSignal;
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

export interface RegionOptions extends TransformOptions {
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
  /** Frame ranges closer than this are read together. Default 64 KiB. */
  maxGap?: number;
  signal?: AbortSignal;
}

/** `getVolume` options: which part, the geometry checks, the pixel transforms (float64 by default). */
export interface VolumeOptions extends VolumeSelection, GeometryOptions, TransformOptions {
  maxGap?: number;
  signal?: AbortSignal;
}

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
}

/** The DICOM JSON model (PS3.18 F.2) of a dataset. */
export type DicomJson = Record<string, { vr: string; Value?: unknown[]; InlineBinary?: string; BulkDataURI?: string }>;

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
}

/**
 * One DICOM instance: its metadata and frame index, read with as few bytes as the core needs.
 * Owns a WASM reader: call `close()` when done (or use `await using`).
 */
export class Instance {
  readonly summary: InstanceSummary;
  readonly frames: FrameLocation[];

  private constructor(
    readonly source: ByteSource,
    private reader: CoreReader | null,
  ) {
    this.summary = JSON.parse(reader!.summaryJson());
    if (this.summary.frameIndexError) {
      this.summary.frameIndexError.name = codeName(this.summary.frameIndexError.name);
    }
    this.frames = readFrameTable(reader!.frameTable());
  }

  get stats(): IoStats {
    return this.source.stats;
  }

  /** The dataset as DICOM JSON, with BulkDataURIs (relative `#offset=…&length=…`) for values not read. */
  dataset(): { dataset: DicomJson; warnings: string[] } {
    if (!this.reader) throw new Error('Instance is closed');
    return JSON.parse(this.reader.datasetJson());
  }

  /** The encoded bytes of a frame (fragments joined), as stored in the file. */
  async getRawFrame(frame: number, options: FrameOptions = {}): Promise<Uint8Array> {
    const index = this.checkFrame(frame, options.asIndex ?? false);
    return this.rawAt(index, (await this.fetchFrames([index], options)).get(index)!);
  }

  /** A decoded frame's stored values (no rescale, LUTs or colour conversion beyond the codec's). */
  async getStoredFrame(frame: number, options: FrameOptions = {}): Promise<StoredFrame> {
    const index = this.checkFrame(frame, options.asIndex ?? false);
    return this.storedAt(index, (await this.fetchFrames([index], options)).get(index)!, options.reduce ?? 0);
  }

  /** A frame with pixel transforms applied (highdicom's `get_frame`): float64 by default. */
  async getFrame(frame: number, options: FrameOptions & TransformOptions = {}): Promise<Frame> {
    const index = this.checkFrame(frame, options.asIndex ?? false);
    return this.frameAt(index, (await this.fetchFrames([index], options)).get(index)!, options);
  }

  /**
   * Several frames at once (all when `frames` is omitted), in the order asked; their byte ranges
   * are fetched together where they are adjacent.
   */
  async getStoredFrames(frames?: number[], options: FrameOptions & { maxGap?: number } = {}): Promise<StoredFrame[]> {
    const { indices, bytes } = await this.fetchSeveral(frames, options);
    return indices.map((i) => this.storedAt(i, bytes.get(i)!, options.reduce ?? 0));
  }

  /** Several frames with the pixel transforms applied (highdicom's `get_frames`). */
  async getFrames(frames?: number[], options: FrameOptions & TransformOptions & { maxGap?: number } = {}): Promise<Frame[]> {
    const { indices, bytes } = await this.fetchSeveral(frames, options);
    return indices.map((i) => this.frameAt(i, bytes.get(i)!, options));
  }

  /**
   * A region of the total pixel matrix of a tiled image (TILED_FULL or TILED_SPARSE): only the
   * frames it touches are fetched (adjacent ones in one read) and decoded. Pixels no tile covers
   * are 0, as highdicom fills them.
   */
  async getTotalPixelMatrix(options: RegionOptions = {}): Promise<Region> {
    const run = this.exclusive.then(() => this.assembleRegion(options));
    this.exclusive = run.catch(() => undefined);
    return run;
  }

  /**
   * The frames of a multi-frame image (enhanced CT/MR/PT) as a volume: sorted along the slice
   * normal, spacing checked, the affine (LPS) from the functional groups (highdicom's get_volume).
   * Only the frames of the selected slices are fetched.
   */
  async getVolume(options: VolumeOptions = {}): Promise<Volume> {
    const geometry = this.volumeGeometry(options);
    const ranges = selectRanges(options, geometry.slices, geometry.rows, geometry.columns);
    const wanted = geometry.sliceOf!.flatMap((s, i) => (s !== null && s >= ranges[0] && s < ranges[1] ? [i] : []));
    const bytes = await this.fetchFrames(wanted, options);
    let assembler: VolumeAssembler | undefined;
    for (const i of wanted) {
      const frame = this.frameAt(i, bytes.get(i)!, options);
      assembler ??= new VolumeAssembler(ranges, geometry.rows, geometry.columns, options.dtype ?? 'float64', frame.samplesPerPixel);
      assembler.put(geometry.sliceOf![i]!, frame);
    }
    assembler ??= new VolumeAssembler(ranges, geometry.rows, geometry.columns, options.dtype ?? 'float64', this.summary.samplesPerPixel ?? 1);
    return assembler.volume(geometry.affine);
  }

  /** The volume grid of this image's frames (all of them, or the given 0-based indices). */
  volumeGeometry(options: GeometryOptions & { frames?: number[] } = {}): VolumeGeometry {
    return parseGeometry(this.open_().geometryJson(JSON.stringify(options.frames ?? []), geometryOptions(options)), this.source.name);
  }

  /** This instance's place in a series (UIDs, size, plane), for Series. @internal */
  seriesMember(): Record<string, unknown> {
    return JSON.parse(this.open_().seriesMemberJson(this.source.name));
  }

  /** The SEG description (segments, type, which frame holds which segment). @internal */
  segmentationJson(): Record<string, unknown> {
    const j = JSON.parse(this.open_().segmentationJson());
    if (j.error) throw LazydcmError.fromJson(j.error, this.source.name);
    return j;
  }

  /** Segment numbers matching a filter (see Segmentation.getSegmentNumbers). @internal */
  findSegments(filter: Record<string, string | undefined>): number[] {
    const j = JSON.parse(this.open_().findSegmentsJson(JSON.stringify(filter)));
    if (j.error) throw LazydcmError.fromJson(j.error, this.source.name);
    return j;
  }

  /**
   * A segment volume: the core plans the frames of the requested segments, only those are fetched,
   * decoded and combined. @internal (use Segmentation.getVolume)
   */
  async segmentVolume(request: SegmentVolumeRequest, reference: VolumeGeometry | undefined,
    options: { maxGap?: number; signal?: AbortSignal } = {}): Promise<Volume> {
    const run = this.exclusive.then(async () => {
      const reader = this.open_();
      const plan = JSON.parse(reader.planSegments(JSON.stringify(request), reference ? JSON.stringify(reference) : ''));
      if (plan.error) throw LazydcmError.fromJson(plan.error, this.source.name);
      try {
        const frames: number[] = plan.frames;
        const bytes = await this.fetchFrames(frames, options);
        for (const i of frames) {
          if (reader.pasteSegmentInput(i, this.input(reader, bytes.get(i)!)) !== 0) throw this.frameError(reader);
        }
        const raw = reader.segmentVolumeView().slice();
        const data = plan.dtype === 'float32' ? new Float32Array(raw.buffer) : plan.dtype === 'uint16' ? new Uint16Array(raw.buffer) : raw;
        const g: VolumeGeometry = plan.geometry;
        return new Volume(data, plan.shape, plan.dtype, g.affine, request.combineSegments ? undefined : plan.segmentNumbers);
      } finally {
        reader.releaseSegments();
      }
    });
    this.exclusive = run.catch(() => undefined);
    return run;
  }

  // Regions and segment volumes are assembled one at a time per instance (each has one buffer in
  // the core); frames may be read meanwhile.
  private exclusive: Promise<unknown> = Promise.resolve();

  private async assembleRegion(options: RegionOptions): Promise<Region> {
    const s = this.summary;
    if (!s.totalPixelMatrixRows || !s.totalPixelMatrixColumns) {
      throw new LazydcmError(ErrorCode.invalidImageAttributes, 'invalidImageAttributes', 'not a tiled image', undefined, this.source.name);
    }
    const asIndices = options.asIndices ?? false;
    const [r0, r1] = standardizeRange(options.rowStart, options.rowEnd, s.totalPixelMatrixRows, asIndices, 'rows');
    const [c0, c1] = standardizeRange(options.columnStart, options.columnEnd, s.totalPixelMatrixColumns, asIndices, 'columns');
    const plan = JSON.parse(this.open_().planRegion(r0, r1, c0, c1, options.focalPlane ?? -1, options.opticalPath ?? -1));
    if (plan.error) throw LazydcmError.fromJson(plan.error, this.source.name);
    const frames: number[] = plan.frames;
    const bytes = await this.fetchFrames(frames, options);
    const reader = this.open_();
    try {
      for (const index of frames) {
        if (reader.pasteInput(index, this.input(reader, bytes.get(index)!)) !== 0) throw this.frameError(reader);
      }
      if (options.stored) {
        const { array, dtype } = typed(reader.regionView().slice(), s.bitsAllocated ?? 8, s.pixelRepresentation === 1,
          s.pixelData?.tag !== '7FE00010');
        return { data: array, rows: plan.rows, columns: plan.columns, samplesPerPixel: s.samplesPerPixel ?? 1, frames, dtype };
      }
      if (reader.transformRegion(JSON.stringify(transformOptions(options))) !== 0) throw this.frameError(reader);
      const { data, samplesPerPixel, transform } = this.takeValues(reader, options.dtype);
      return { data, rows: plan.rows, columns: plan.columns, samplesPerPixel, frames, dtype: options.dtype ?? 'float64', transform };
    } finally {
      reader.releaseRegion();
    }
  }

  // ---- frames from the bytes of their indexed ranges ----

  private rawAt(index: number, bytes: Uint8Array): Uint8Array {
    const reader = this.open_();
    if (reader.rawInput(index, this.input(reader, bytes)) !== 0) throw this.frameError(reader);
    const out = reader.outputView().slice();  // copy: the view dies at the next call into WASM
    reader.releaseOutput();
    return out;
  }

  private storedAt(index: number, bytes: Uint8Array, reduce: number): StoredFrame {
    const reader = this.open_();
    if (reader.decodeInput(index, this.input(reader, bytes), reduce) !== 0) throw this.frameError(reader);
    const report = JSON.parse(reader.reportJson());
    const out = reader.outputView().slice();
    reader.releaseOutput();
    const { array, dtype } = typed(out, report.bitsAllocated, this.summary.pixelRepresentation === 1,
      this.summary.pixelData?.tag !== '7FE00010');
    return {
      data: array, rows: report.rows, columns: report.columns, samplesPerPixel: report.samplesPerPixel,
      bitsAllocated: report.bitsAllocated, photometricInterpretation: report.photometricInterpretation, dtype,
      decoder: report.decoder,
    };
  }

  /** @internal */
  frameAt(index: number, bytes: Uint8Array, options: TransformOptions): Frame {
    const reader = this.open_();
    const status = reader.transformInput(index, this.input(reader, bytes), JSON.stringify(transformOptions(options)));
    if (status !== 0) throw this.frameError(reader);
    const report = JSON.parse(reader.reportJson());
    const { data, samplesPerPixel, transform } = this.takeValues(reader, options.dtype);
    return { data, rows: report.rows, columns: report.columns, samplesPerPixel, transform };
  }

  /** The transformed values, copied out of WASM memory, and what produced them. */
  private takeValues(reader: CoreReader, dtype: TransformOptions['dtype']) {
    const t = JSON.parse(reader.transformJson());
    const view = reader.valuesView();
    const data = dtype === 'float32' ? Float32Array.from(view) : view.slice();
    reader.releaseOutput();
    return { data, samplesPerPixel: t.samplesPerPixel as number, transform: t.transform as string };
  }

  // ---- fetching ----

  /** The bytes of frames' indexed ranges, read in as few requests as adjacency allows. */
  /** @internal */
  async fetchFrames(indices: number[], options: { maxGap?: number; signal?: AbortSignal }): Promise<Map<number, Uint8Array>> {
    const out = new Map<number, Uint8Array>();
    if (this.summary.pixelData?.inInflatedStream) {
      // Deflated files: the frames are in the inflated stream the core already holds.
      for (const i of indices) out.set(i, new Uint8Array(0));
      return out;
    }
    const spans = [...new Set(indices)].map((index) => ({ index, offset: this.frames[index].offset, length: this.frames[index].length }));
    for (const group of coalesce(spans, options.maxGap ?? 64 * 1024)) {
      const bytes = await this.source.read(group.offset, group.length, options.signal);
      for (const f of group.items) out.set(f.index, bytes.subarray(f.offset - group.offset, f.offset - group.offset + f.length));
    }
    return out;
  }

  private async fetchSeveral(frames: number[] | undefined, options: FrameOptions & { maxGap?: number }) {
    const asIndex = options.asIndex ?? false;
    const indices = frames ? frames.map((n) => this.checkFrame(n, asIndex)) : this.frames.map((_, i) => i);
    return { indices, bytes: await this.fetchFrames(indices, options) };
  }

  private checkFrame(frame: number, asIndex: boolean): number {
    const index = asIndex ? frame : frame - 1;
    if (!Number.isInteger(index) || index < 0 || index >= this.frames.length) {
      throw new LazydcmError(ErrorCode.frameOutOfRange, 'frameOutOfRange',
        `frame ${frame} is not in 1..${this.frames.length}${asIndex ? ' (0-based)' : ''}`, undefined, this.source.name);
    }
    return index;
  }

  /** Writes a frame's range into the reader's input buffer (a view of WASM memory); returns its size. */
  private input(reader: CoreReader, bytes: Uint8Array): number {
    if (bytes.length) reader.inputBuffer(bytes.length).set(bytes);
    return bytes.length;
  }

  private frameError(reader: CoreReader): LazydcmError {
    return LazydcmError.fromJson(JSON.parse(reader.frameErrorJson()), this.source.name);
  }

  private open_(): CoreReader {
    if (!this.reader) throw new Error('Instance is closed');
    return this.reader;
  }

  async close(): Promise<void> {
    this.reader?.delete();
    this.reader = null;
    await this.source.close?.();
  }

  async [Symbol.asyncDispose ?? Symbol.for('Symbol.asyncDispose')](): Promise<void> {
    await this.close();
  }

  /** Parses the header and builds the frame index, fetching only what the core asks for. */
  static async read(source: ByteSource, options: OpenOptions = {}): Promise<Instance> {
    const core = await loadCore();
    if (options.signal?.aborted) throw ioError('aborted', 'aborted', source.name);
    let opened: { size: number; head: Uint8Array };
    try {
      opened = await source.open(options.firstRead ?? 64 * 1024, options.signal);
    } catch (e) {
      await source.close?.();  // e.g. a directory opened as a file: no handle left behind
      throw e;
    }
    const { size, head } = opened;
    const reader = new core.Reader(size, JSON.stringify({
      maxInlineValue: options.maxInlineValue,
      strictOddLength: options.strictOddLength,
      scanBatch: options.scanBatch,
    }));
    try {
      feed(reader, 0, head);
      const minRead = options.minRead ?? 16 * 1024;
      for (;;) {
        const status = reader.step();
        if (status === 0) return new Instance(source, reader);
        if (status === 2) throw LazydcmError.fromJson(JSON.parse(reader.errorJson()), source.name);
        const offset = reader.needOffset();
        const length = Math.min(Math.max(reader.needLength(), minRead), size - offset);
        if (options.signal?.aborted) throw ioError('aborted', 'aborted', source.name);
        feed(reader, offset, await source.read(offset, length, options.signal));
      }
    } catch (e) {
      reader.delete();
      await source.close?.();
      throw e;
    }
  }
}

/** Only the pixel-transform options, as the core reads them. */
function transformOptions(o: TransformOptions): TransformOptions {
  const { realWorld, modality, voi, voiIndex, voiMin, voiMax, presentation, palette, ybrToRgb } = o;
  return { realWorld, modality, voi, voiIndex, voiMin, voiMax, presentation, palette, ybrToRgb };
}

function typed(bytes: Uint8Array, bits: number, signed: boolean, float: boolean): { array: PixelArray; dtype: string } {
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

function feed(reader: CoreReader, offset: number, bytes: Uint8Array): void {
  // inputBuffer() is a view of WASM memory: valid only until the next call into the module.
  reader.inputBuffer(bytes.length).set(bytes);
  reader.feedInput(offset, bytes.length);
}

function readFrameTable(t: Float64Array): FrameLocation[] {
  const out: FrameLocation[] = [];
  for (let i = 0; i + 5 <= t.length; i += 5) {
    out.push({ offset: t[i], length: t[i + 1], bitOffset: t[i + 2], hasItemHeaders: t[i + 3] === 1, expectedLength: t[i + 4] });
  }
  return out;
}
