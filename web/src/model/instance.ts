import type { DicomJson } from '../core/dicom-json.js';
import { codeName, ErrorCode, ioError, LazydcmError } from '../core/errors.js';
import { IoStats } from '../io/stats.js';
import type { ByteSource } from '../sources/source.js';
import { isFrameSource, type DicomWebInstanceSource } from '../sources/dicomweb.js';
import { core as wasmCore, type CoreInstance } from '../wasm/core.js';
import { sharedFrameCaches, type DecodedFrame, type FrameCaches } from '../io/cache.js';
import { FrameStore, HeldBytes, type FrameOrigin, type Progress, type ReadOptions } from '../io/frame-store.js';
import { RequestScheduler } from '../io/scheduler.js';
import type { DecodePool } from '../workers/pool.js';
import { FrameTable, type FrameLocation } from './frame-table.js';
import { standardizeRange } from './indices.js';
import { geometryOptions, selectRanges, Volume, VolumeAssembler, type GeometryOptions, type VolumeGeometry,
  type VolumeSelection } from './volume.js';

export type { IndexKind, InstanceSummary } from '../wasm/values.js';
import type { InstanceSummary, SegmentationValue, SegmentFilterValue, SeriesMember, WsiImage } from '../wasm/values.js';

export type { FrameLocation } from './frame-table.js';

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
export interface VolumeOptions extends VolumeSelection, GeometryOptions, TransformOptions, ReadOptions {}

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
  /** [row, column, rows, columns] (0-based, in the region) of each tile pasted; the rest is fill. */
  covered?: number[][];
}

/** The DICOM JSON model (PS3.18 F.2) of a dataset. */
export type { DicomJson } from '../core/dicom-json.js';

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
}

export type { Progress, ReadOptions } from '../io/frame-store.js';

/** Frame reads that decode: JPEG 2000 reduction, JPEG to RGB. */
type DecodeReadOptions = ReadOptions & { reduce?: number; rgb?: boolean };

/**
 * One DICOM instance: its metadata and frame index, read with as few bytes as the core needs.
 * Owns a WASM reader: call `close()` when done (or use `await using`).
 */
export class Instance {
  readonly summary: InstanceSummary;
  /** Where each frame's bytes are (rebuilt when a frame read proves an offset table wrong). */
  get frames(): FrameLocation[] {
    if (this.framesArray?.table !== this.frameTable) {
      const t = this.frameTable;
      this.framesArray = { table: t, array: Array.from({ length: t.length }, (_, i) => t.at(i)) };
    }
    return this.framesArray.array;
  }
  /** Number of frames (the index's; cheap, unlike `frames` for a slide of 10^6 tiles). */
  get frameCount(): number {
    return this.frameTable.length;
  }
  /** Where frame `index` (0-based) is. */
  frameLocation(index: number): FrameLocation {
    return this.frameTable.at(this.checkFrame(index, true));
  }
  private frameTable: FrameTable;
  private framesArray?: { table: FrameTable; array: FrameLocation[] };

  private readonly caches: FrameCaches | null;
  private readonly scheduler: RequestScheduler;
  /** Encoded frames: cache, joined reads, coalesced requests, prefetch (io/frame-store.ts). */
  private readonly store: FrameStore;
  /** Cache keys: the URL and its validator for HTTP (shared across opens), else unique to this instance. */
  private readonly keyPrefix: string;
  private readonly uniqueKeys: boolean;

  private constructor(
    readonly source: ByteSource,
    private reader: CoreInstance | null,
    private readonly options: OpenOptions,
  ) {
    unclosedReaders.register(this, reader!, this);
    this.caches = cachesOf(options);
    this.scheduler = options.scheduler ?? new RequestScheduler(6);
    const shared = source.cacheKey?.();
    this.uniqueKeys = !shared;
    this.keyPrefix = shared ? `${shared}#` : `\0${++instanceCount}#`;
    this.summary = reader!.summary();
    if (this.summary.frameIndexError) {
      this.summary.frameIndexError.name = codeName(this.summary.frameIndexError.name);
    }
    this.frameTable = frameTableOf(reader!);
    this.store = new FrameStore(this.originOf(source), this.caches, this.keyPrefix, this.scheduler, source.stats, options);
  }

  /** Where the frames come from: frames by number (DICOMweb), else byte ranges located by the index. */
  private originOf(source: ByteSource): FrameOrigin {
    if (!isFrameSource(source)) return { kind: 'ranges', source, spans: () => this.frameTable };
    const s = this.summary;
    return {
      kind: 'numbers', source, count: this.frameTable.length,
      decodedBytes: this.frameTable.length * (s.rows ?? 0) * (s.columns ?? 0) * (s.samplesPerPixel ?? 1) * Math.ceil((s.bitsAllocated ?? 8) / 8),
      onTransferSyntax: (uid) => this.adoptTransferSyntax(uid),
    };
  }

  /** Frames in bytes the open already read go to the encoded cache (FrameStore.seed). */
  private seedFrames(held: HeldBytes): void {
    if (!this.summary.pixelData?.inInflatedStream) this.store.seed(held);
  }

  /**
   * A frame read found the index pointing at the wrong bytes (an offset table that lies): the
   * core rebuilds it with the next method (TIFF tile table, fragment scan), fetching what that
   * needs; frames already cached under the old index are dropped. False when there is no other
   * method (the error is then the caller's).
   */
  private async reindex(cause: LazydcmError, options: ReadOptions): Promise<boolean> {
    if (cause.code !== ErrorCode.invalidOffsetTable || !this.reader || isFrameSource(this.source)) return false;
    const kind = this.summary.frameIndex?.kind;
    if (kind !== 'extended_offset_table' && kind !== 'basic_offset_table' && kind !== 'tiff_tile_table') return false;
    if (!this.reader.reindex(cause.message)) return false;
    this.stats.note(`${this.source.name}: the ${kind.replace(/_/g, ' ')} points at the wrong bytes (${cause.message}); re-indexed`);
    this.store.reset();  // cached and in-flight frames of the old table
    this.caches?.decoded.deletePrefix(this.keyPrefix);
    this.indexPending = true;
    await this.finishIndex(options);
    return true;
  }

  /** The index being rebuilt: fetch what the core asks for until it is done (again after a failed fetch). */
  private async finishIndex(options: ReadOptions): Promise<void> {
    if (!this.reader) throw ioError('aborted', 'the Instance is closed', this.source.name);
    const held = new HeldBytes(this.caches ? this.caches.encoded.maxBytes : 0);
    await drive(this.reader, this.source, this.summary.fileSize, { ...this.options, signal: options.signal }, held);
    const s = this.reader.summary();
    if (s.frameIndexError) throw LazydcmError.fromJson(s.frameIndexError, this.source.name);
    Object.assign(this.summary, { frameIndex: s.frameIndex, warnings: s.warnings });
    this.frameTable = frameTableOf(this.reader);
    this.indexPending = false;
    this.seedFrames(held);
  }

  /** A re-index whose fetches failed: the next read resumes it. */
  private indexPending = false;

  /**
   * Runs a frame read; when it proves the offset table wrong, re-indexes once and runs it again.
   * Concurrent reads that fail together share one re-index.
   */
  private async withReindex<T>(options: ReadOptions, work: () => Promise<T>): Promise<T> {
    if (this.indexPending && !this.reindexing) {
      this.reindexing = this.finishIndex(options).then(() => true).finally(() => { this.reindexing = null; });
    }
    if (this.reindexing) await this.reindexing;
    const table = this.frameTable;
    try {
      return await work();
    } catch (e) {
      if (!(e instanceof LazydcmError)) throw e;
      if (this.reindexing || this.frameTable !== table) {
        // The index was rebuilt under this read (another read found the table wrong): read again.
        await this.reindexing;
        if (this.frameTable !== table) return work();
        throw e;
      }
      if (e.code !== ErrorCode.invalidOffsetTable) throw e;
      this.reindexing = this.reindex(e, options).finally(() => { this.reindexing = null; });
      if (!(await this.reindexing)) throw e;
      return work();
    }
  }

  private reindexing: Promise<boolean> | null = null;

  get stats(): IoStats {
    return this.source.stats;
  }

  /** The dataset as DICOM JSON, with BulkDataURIs (relative `#offset=…&length=…`) for values not read. */
  dataset(): { dataset: DicomJson; warnings: string[] } {
    if (!this.reader) throw ioError('aborted', 'the Instance is closed', this.source.name);
    return this.reader.dataset();
  }

  /** The encoded bytes of a frame (fragments joined), as stored in the file. */
  async getRawFrame(frame: number, options: FrameOptions = {}): Promise<Uint8Array> {
    const index = this.checkFrame(frame, options.asIndex ?? false);
    return this.withReindex(options, async () => this.rawAt(index, (await this.fetchFrames([index], options)).get(index)!));
  }

  /** A decoded frame's stored values (no rescale, LUTs or colour conversion beyond the codec's). */
  async getStoredFrame(frame: number, options: FrameOptions = {}): Promise<StoredFrame> {
    const index = this.checkFrame(frame, options.asIndex ?? false);
    return this.storedAt((await this.decodedFrames([index], options)).get(index)!);
  }

  /** A frame with pixel transforms applied (highdicom's `get_frame`): float64 by default. */
  async getFrame(frame: number, options: FrameOptions & TransformOptions = {}): Promise<Frame> {
    const index = this.checkFrame(frame, options.asIndex ?? false);
    return this.frameAt(index, (await this.decodedFrames([index], options)).get(index)!, options);
  }

  /**
   * Several frames at once (all when `frames` is omitted), in the order asked; their byte ranges
   * are fetched together where they are adjacent.
   */
  async getStoredFrames(frames?: number[], options: FrameOptions = {}): Promise<StoredFrame[]> {
    const indices = this.indicesOf(frames, options);
    const decoded = await this.decodedFrames(indices, options);
    return indices.map((i) => this.storedAt(decoded.get(i)!));
  }

  /** Several frames with the pixel transforms applied (highdicom's `get_frames`). */
  async getFrames(frames?: number[], options: FrameOptions & TransformOptions = {}): Promise<Frame[]> {
    const indices = this.indicesOf(frames, options);
    const decoded = await this.decodedFrames(indices, options);
    return indices.map((i) => this.frameAt(i, decoded.get(i)!, options));
  }

  /**
   * A region of the total pixel matrix of a tiled image (TILED_FULL or TILED_SPARSE): only the
   * frames it touches are fetched (adjacent ones in one read) and decoded. Pixels no tile covers
   * are 0, as highdicom fills them.
   */
  async getTotalPixelMatrix(options: RegionOptions = {}): Promise<Region> {
    return this.oneAtATime(() => this.assembleRegion(options));
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
    const decoded = await this.decodedFrames(wanted, options);
    let assembler: VolumeAssembler | undefined;
    for (const i of wanted) {
      const frame = this.frameAt(i, decoded.get(i)!, options);
      assembler ??= new VolumeAssembler(ranges, geometry.rows, geometry.columns, options.dtype ?? 'float64', frame.samplesPerPixel);
      assembler.put(geometry.sliceOf![i]!, frame);
    }
    assembler ??= new VolumeAssembler(ranges, geometry.rows, geometry.columns, options.dtype ?? 'float64', this.summary.samplesPerPixel ?? 1);
    return assembler.volume(geometry.affine);
  }

  /** The volume grid of this image's frames (all of them, or the given 0-based indices). */
  volumeGeometry(options: GeometryOptions & { frames?: number[] } = {}): VolumeGeometry {
    return this.open_().pixels().geometry(options.frames ?? [], geometryOptions(options));
  }

  /** This instance's place in a series (UIDs, size, plane), for Series. @internal */
  seriesMember(): SeriesMember {
    return this.open_().seriesMember();
  }

  /** The SEG description (segments, type, which frame holds which segment). @internal */
  segmentation(): SegmentationValue {
    return this.open_().pixels().segmentation();
  }

  /** Segment numbers matching a filter (see Segmentation.getSegmentNumbers). @internal */
  findSegments(filter: SegmentFilterValue): number[] {
    return this.open_().pixels().findSegments(filter);
  }

  /**
   * A segment volume: the core plans the frames of the requested segments, only those are fetched,
   * decoded and combined. @internal (use Segmentation.getVolume)
   */
  async segmentVolume(request: SegmentVolumeRequest, reference: VolumeGeometry | undefined, options: ReadOptions = {}): Promise<Volume> {
    return this.oneAtATime(async () => {
      const pixels = this.open_().pixels();
      const plan = pixels.planSegments(request, reference ?? null);
      try {
        await this.withReindex(options, () => this.eachFrame(plan.frames, options, (i, d) => pixels.pasteSegmentDecoded(i, d),
          (i, bytes, keep) => pixels.pasteSegmentEncoded(i, bytes, keep)));
        const bits = { uint8: 8, uint16: 16, float32: 32 }[plan.dtype];
        const { array } = typed(pixels.segmentsStored(), bits, false, plan.dtype === 'float32');
        return new Volume(array as Uint8Array | Uint16Array | Float32Array, plan.shape, plan.dtype, plan.geometry.affine,
          request.combineSegments ? undefined : plan.segmentNumbers);
      } finally {
        pixels.releaseSegments();
      }
    });
  }

  // Regions and segment volumes are assembled one at a time per instance (each has one buffer in
  // the core); frames may be read meanwhile.
  private exclusive: Promise<unknown> = Promise.resolve();

  private oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const run = this.exclusive.then(work);
    this.exclusive = run.catch(() => undefined);
    return run;
  }

  private async assembleRegion(options: RegionOptions): Promise<Region> {
    const s = this.summary;
    if (!s.totalPixelMatrixRows || !s.totalPixelMatrixColumns) {
      throw new LazydcmError(ErrorCode.invalidImageAttributes, 'invalidImageAttributes', 'not a tiled image', undefined, this.source.name);
    }
    const asIndices = options.asIndices ?? false;
    const [r0, r1] = standardizeRange(options.rowStart, options.rowEnd, s.totalPixelMatrixRows, asIndices, 'rows');
    const [c0, c1] = standardizeRange(options.columnStart, options.columnEnd, s.totalPixelMatrixColumns, asIndices, 'columns');
    const pixels = this.open_().pixels();
    const plan = pixels.planRegion(r0, r1, c0, c1, options.focalPlane, options.opticalPath);
    const frames = plan.frames;
    try {
      const decode = { reduce: 0, rgb: options.rgb ?? false };
      await this.withReindex(options, () => this.eachFrame(frames, options, (i, d) => pixels.pasteDecoded(i, d),
        (i, bytes, keep) => pixels.pasteEncoded(i, bytes, decode, keep)));
      if (options.stored) {
        const { array, dtype } = typed(pixels.regionStored(), s.bitsAllocated ?? 8, s.pixelRepresentation === 1, s.pixelData?.tag !== '7FE00010');
        return { data: array, rows: plan.rows, columns: plan.columns, samplesPerPixel: s.samplesPerPixel ?? 1, frames, dtype, covered: plan.rects };
      }
      const { data, samplesPerPixel, transform } = pixels.regionValues(transformOptions(options), options.dtype);
      return { data, rows: plan.rows, columns: plan.columns, samplesPerPixel, frames, dtype: options.dtype ?? 'float64', transform, covered: plan.rects };
    } finally {
      pixels.releaseRegion();
    }
  }

  // ---- frames: encoded bytes -> decoded (cached) -> stored values / transforms ----

  private rawAt(index: number, bytes: Uint8Array): Uint8Array {
    return this.open_().pixels().encoded(index, bytes);
  }

  private storedAt(d: DecodedFrame): StoredFrame {
    const { array, dtype } = typed(d.bytes.slice(), d.report.bitsAllocated, this.summary.pixelRepresentation === 1,
      this.summary.pixelData?.tag !== '7FE00010');
    const r = d.report;
    return {
      data: array, rows: r.rows, columns: r.columns, samplesPerPixel: r.samplesPerPixel, bitsAllocated: r.bitsAllocated,
      photometricInterpretation: r.photometricInterpretation, dtype, decoder: r.decoder,
    };
  }

  /** @internal */
  frameAt(index: number, d: DecodedFrame, options: TransformOptions): Frame {
    const { data, samplesPerPixel, transform } = this.open_().pixels().transform(index, d, transformOptions(options), options.dtype);
    return { data, rows: d.report.rows, columns: d.report.columns, samplesPerPixel, transform };
  }

  /**
   * Decoded frames (stored values), from the decoded cache or fetched (through the encoded cache)
   * and decoded (then cached). @internal
   */
  async decodedFrames(indices: number[], options: DecodeReadOptions = {}): Promise<Map<number, DecodedFrame>> {
    const out = new Map<number, DecodedFrame>();
    await this.withReindex(options, () => this.eachFrame(indices, options, (i, d) => out.set(i, d)));
    return out;
  }

  /**
   * Hands each frame to `use` once: decoded from the decoded cache, else fetched and decoded (here
   * or in the pool) and cached. With `useEncoded` and no pool, uncached frames go to it encoded
   * instead, decoded inside the core where they are used (a region, a segment volume): the decoded
   * tile never crosses back into WASM, and crosses out only to be cached (`keep`: when the decoded
   * cache has a budget).
   */
  private async eachFrame(indices: number[], options: DecodeReadOptions, use: (i: number, d: DecodedFrame) => void,
    useEncoded?: (i: number, bytes: Uint8Array, keep: boolean) => DecodedFrame | undefined): Promise<void> {
    const reduce = options.reduce ?? 0;
    const rgb = options.rgb ?? false;
    const key = (i: number) => `${this.keyPrefix}${i}${reduce ? `@${reduce}` : ''}${rgb ? '@rgb' : ''}`;
    const missing: number[] = [];
    let cached = 0;
    for (const i of new Set(indices)) {
      const d = this.caches?.decoded.get(key(i));
      if (d) {
        use(i, d);
        cached++;
        this.stats.cacheHits++;
      } else {
        missing.push(i);
      }
    }
    if (!missing.length) return;
    const progress: Progress = { bytesDone: 0, bytesTotal: 0, framesDone: cached, framesTotal: cached + missing.length };
    const bytes = await this.fetchFrames(missing, {
      ...options,
      onProgress: options.onProgress && ((p) => {
        progress.bytesDone = p.bytesDone;
        progress.bytesTotal = p.bytesTotal;
        options.onProgress!({ ...progress });
      }),
    });
    const pixels = this.open_().pixels();
    const done = () => {
      progress.framesDone++;
      options.onProgress?.({ ...progress });
    };
    const decoded = (i: number, d: DecodedFrame) => {
      this.caches?.decoded.set(key(i), d);
      use(i, d);
      done();
    };
    const pool = this.options.decodePool;
    if (pool) {
      // The encoded frames (fragments joined) go to the workers; the values come back transferred.
      await Promise.all(missing.map((i) => {
        const { transferSyntaxUid, ...info } = pixels.frameInfo(i);
        const raw = this.rawAt(i, bytes.get(i)!);
        return pool.decode(transferSyntaxUid, { ...info, reduce, rgb }, raw).then((d) => decoded(i, d), (e) => {
          throw e instanceof LazydcmError ? new LazydcmError(e.code, e.codeName, `frame ${i + 1}: ${e.message}`, e.offset, this.source.name) : e;
        });
      }));
      return;
    }
    for (const i of missing) {
      if (options.signal?.aborted) throw ioError('aborted', 'aborted', this.source.name);
      if (useEncoded) {
        const d = useEncoded(i, bytes.get(i)!, (this.caches?.decoded.maxBytes ?? 0) > 0);
        if (d) this.caches?.decoded.set(key(i), d);
        done();
      } else {
        decoded(i, pixels.decode(i, bytes.get(i)!, { reduce, rgb }));
      }
    }
  }

  /**
   * The bytes of frames' indexed ranges: cached ones from the encoded cache, the others in as few
   * requests as adjacency (and the prefetch policy) allows, run in parallel through the scheduler.
   * @internal
   */
  async fetchFrames(indices: number[], options: ReadOptions = {}, prefetch = true): Promise<Map<number, Uint8Array>> {
    if (this.summary.pixelData?.inInflatedStream) {
      // Deflated files: the frames are in the inflated stream the core already holds.
      return new Map(indices.map((i) => [i, new Uint8Array(0)]));
    }
    return this.store.fetch(indices, options, prefetch);
  }

  /** Frames by number arrive with their transfer syntax: the core decodes with it. */
  private adoptTransferSyntax(uid: string): void {
    if (!uid || uid === this.summary.transferSyntaxUid) return;
    this.open_().setTransferSyntax(uid);
    const s = this.open_().summary();
    Object.assign(this.summary, { transferSyntaxUid: s.transferSyntaxUid, transferSyntaxName: s.transferSyntaxName,
      transferSyntaxKnown: s.transferSyntaxKnown, photometricInterpretation: s.photometricInterpretation, warnings: s.warnings });
  }

  /**
   * The ICC profile of an optical path (else the top level's), read from the file or fetched
   * from its BulkDataURI; null when there is none.
   */
  async iccProfile(opticalPath = 0, signal?: AbortSignal): Promise<Uint8Array | null> {
    const info = this.open_().iccProfile(opticalPath);
    if (!info.present) return null;
    if (!info.bulk) return this.open_().iccBytes(opticalPath);
    if (info.bulkUri && isFrameSource(this.source)) return this.source.bulkData(info.bulkUri, signal);
    return this.source.read(info.offset!, info.length!, signal);
  }

  /**
   * The 0-based frames regions of the total pixel matrix need (boxes [rowStart, rowEnd, columnStart,
   * columnEnd], 0-based, half-open), ascending, without reading them.
   */
  planRegionFrames(boxes: [number, number, number, number][], focalPlane?: number, opticalPath?: number): number[] {
    return this.open_().regionFrames(boxes, focalPlane, opticalPath);
  }

  /** This instance as an image of a slide (wsi/pyramid.hpp). @internal */
  wsiImage(): WsiImage {
    return this.open_().wsiImage();
  }

  private indicesOf(frames: number[] | undefined, options: FrameOptions): number[] {
    const asIndex = options.asIndex ?? false;
    return frames ? frames.map((n) => this.checkFrame(n, asIndex)) : allIndices(this.frameTable.length);
  }

  private checkFrame(frame: number, asIndex: boolean): number {
    const index = asIndex ? frame : frame - 1;
    // No index (Number of Frames above the cap, a table and a scan that failed): say why.
    const indexError = this.frameTable.length === 0 ? this.summary.frameIndexError : undefined;
    if (indexError) throw LazydcmError.fromJson(indexError, this.source.name);
    if (!Number.isInteger(index) || index < 0 || index >= this.frameTable.length) {
      throw new LazydcmError(ErrorCode.frameOutOfRange, 'frameOutOfRange',
        `frame ${frame} is not in 1..${this.frameTable.length}${asIndex ? ' (0-based)' : ''}`, undefined, this.source.name);
    }
    return index;
  }

  private open_(): CoreInstance {
    if (!this.reader) throw ioError('aborted', 'the Instance is closed', this.source.name);
    return this.reader;
  }

  async close(): Promise<void> {
    if (this.uniqueKeys && this.caches) {
      this.caches.encoded.deletePrefix(this.keyPrefix);
      this.caches.decoded.deletePrefix(this.keyPrefix);
    }
    unclosedReaders.unregister(this);
    this.reader?.delete();
    this.reader = null;
    await this.source.close?.();
  }

  async [Symbol.asyncDispose ?? Symbol.for('Symbol.asyncDispose')](): Promise<void> {
    await this.close();
  }

  /**
   * An instance from its DICOM JSON metadata (WADO-RS), frames fetched by number from the server.
   * The transfer syntax comes with the frames (`transferSyntaxUid` is '' until then, unless the
   * metadata or an earlier open said it).
   */
  static async fromMetadata(metadata: DicomJson, source: DicomWebInstanceSource, options: OpenOptions = {}): Promise<Instance> {
    const core = await wasmCore();
    const declared = (metadata['00020010']?.Value?.[0] as string | undefined) ?? source.knownTransferSyntax ?? '';
    return new Instance(source, core.instanceFromMetadata(metadata, declared, source.name), options);
  }

  /** Parses the header and builds the frame index, fetching only what the core asks for. */
  static async read(source: ByteSource, options: OpenOptions = {}): Promise<Instance> {
    const core = await wasmCore();
    if (options.signal?.aborted) throw ioError('aborted', 'aborted', source.name);
    let opened: { size: number; head: Uint8Array };
    try {
      opened = await source.open(options.firstRead ?? 64 * 1024, options.signal);
    } catch (e) {
      await source.close?.();  // e.g. a directory opened as a file: no handle left behind
      throw e;
    }
    const { size, head } = opened;
    const reader = core.openInstance(size, { maxInlineValue: options.maxInlineValue, strictOddLength: options.strictOddLength,
      scanBatch: options.scanBatch }, source.name);
    try {
      const held = new HeldBytes(cachesOf(options)?.encoded.maxBytes ?? 0);
      held.add(0, head);
      reader.feed(0, head);
      await drive(reader, source, size, options, held);
      const instance = new Instance(source, reader, options);
      instance.seedFrames(held);
      return instance;
    } catch (e) {
      reader.delete();
      await source.close?.();
      throw e;
    }
  }
}

/** Steps the core until the header and index are read, fetching (and keeping in `held`) what it asks for. */
async function drive(reader: CoreInstance, source: ByteSource, size: number, options: OpenOptions, held: HeldBytes): Promise<void> {
  const minRead = options.minRead ?? 16 * 1024;
  while (reader.step() === 'needBytes') {
    const need = reader.need();
    const offset = need.offset;
    const length = Math.min(Math.max(need.length, minRead), size - offset);
    if (options.signal?.aborted) throw ioError('aborted', 'aborted', source.name);
    const bytes = await source.read(offset, length, options.signal);
    held.add(offset, bytes);
    reader.feed(offset, bytes);
  }
}

let instanceCount = 0;

/** The frame caches an open uses: its own, none (`false`), or the shared ones. */
function cachesOf(options: OpenOptions): FrameCaches | null {
  return options.caches === false ? null : options.caches ?? sharedFrameCaches();
}

// An Instance dropped without close() frees its WASM reader when collected.
const unclosedReaders = new FinalizationRegistry<CoreInstance>((reader) => reader.delete());

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

function frameTableOf(reader: CoreInstance): FrameTable {
  return reader.withFrameTable((view, layout) => new FrameTable(view, layout));
}
const allIndices = (n: number) => Array.from({ length: n }, (_, i) => i);
