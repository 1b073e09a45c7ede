import type { DicomJson } from '../core/dicom-json.js';
import { codeName, ioError } from '../core/errors.js';
import { IoStats } from '../io/stats.js';
import { isFrameSource, type ByteSource, type FrameSource, type InstanceSource } from '../sources/source.js';
import { core as wasmCore, type CoreInstance, type CorePixels } from '../wasm/core.js';
import { FrameDecoding, type DecodeReadOptions, type UseEncoded } from './decoding.js';
import { storedFrame, transformedFrame } from './pixel-host.js';
import { readRegion } from './region.js';
import { FrameIndex, readHeader } from './frame-index.js';
import { sharedFrameCaches, type DecodedFrame, type FrameCaches } from '../io/cache.js';
import { frameOrigin, FrameStore, type HeldBytes, type ReadOptions } from '../io/frame-store.js';
import { originScheduler, RequestScheduler } from '../io/scheduler.js';
import { FrameTable, type FrameLocation } from './frame-table.js';
import { geometryOptions, readFrameVolume, type GeometryOptions, type Volume, type VolumeGeometry, type VolumeOptions } from './volume.js';

export type { IndexKind, InstanceSummary } from '../wasm/values.js';
import type { InstanceSummary, SeriesMember, WsiImage } from '../wasm/values.js';

export type { FrameLocation } from './frame-table.js';

export type {
  DicomJson, Frame, FrameOptions, OpenOptions, PixelArray, Progress, ReadOptions, Region, RegionOptions, SegmentVolumeRequest, StoredFrame,
  TransformOptions,
} from './types.js';
export type { VolumeOptions } from './volume.js';
import type { Frame, FrameOptions, OpenOptions, Region, RegionOptions, StoredFrame, TransformOptions } from './types.js';

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
  private readonly index: FrameIndex;
  private get frameTable(): FrameTable {
    return this.index.table;
  }
  private framesArray?: { table: FrameTable; array: FrameLocation[] };

  private readonly caches: FrameCaches | null;
  private readonly scheduler: RequestScheduler;
  /** Encoded frames: cache, joined reads, coalesced requests, prefetch (io/frame-store.ts). */
  private readonly store: FrameStore;
  /** Decoded frames: cache, where frames are decoded (model/decoding.ts). */
  private readonly decoding: FrameDecoding;
  /** Cache keys: the URL and its validator for HTTP (shared across opens), else unique to this instance. */
  private readonly keyPrefix: string;
  private readonly uniqueKeys: boolean;

  private constructor(
    readonly source: InstanceSource,
    private reader: CoreInstance | null,
    options: OpenOptions,
  ) {
    unclosedReaders.register(this, reader!, this);
    this.caches = cachesOf(options);
    // Given, else the origin's (HTTP), else this instance's own.
    const http = !isFrameSource(source) && source.origin ? source : undefined;
    this.scheduler = options.scheduler ?? (http ? originScheduler(http.origin!, http.connections) : new RequestScheduler(6));
    const shared = source.cacheKey?.();
    this.uniqueKeys = !shared;
    this.keyPrefix = shared ? `${shared}#` : `\0${++instanceCount}#`;
    this.summary = reader!.summary();
    if (this.summary.frameIndexError) {
      this.summary.frameIndexError.name = codeName(this.summary.frameIndexError.name);
    }
    this.index = new FrameIndex({
      reader: () => this.open_(), name: source.name, ranges: isFrameSource(source) ? undefined : source, summary: this.summary, stats: source.stats,
      holdBytes: this.caches ? this.caches.encoded.maxBytes : 0, minRead: options.minRead,
      dropFrames: () => {
        this.store.reset();  // cached and in-flight frames of the old table
        this.caches?.decoded.deletePrefix(this.keyPrefix);
      },
      seed: (held) => this.seedFrames(held),
    });
    const s = this.summary;
    const frameBytes = (s.rows ?? 0) * (s.columns ?? 0) * (s.samplesPerPixel ?? 1) * Math.ceil((s.bitsAllocated ?? 8) / 8);
    this.store = new FrameStore(frameOrigin(source, () => this.frameTable, frameBytes, (uid) => this.adoptTransferSyntax(uid)),
      this.caches, this.keyPrefix, this.scheduler, source.stats, options);
    this.decoding = new FrameDecoding(() => this.pixels(), this.store, this.caches, this.keyPrefix, source.stats, options.decodePool,
      source.name, () => !!this.summary.pixelData?.inInflatedStream);
  }

  /** Frames in bytes the open already read go to the encoded cache (FrameStore.seed). */
  private seedFrames(held: HeldBytes): void {
    if (!this.summary.pixelData?.inInflatedStream) this.store.seed(held);
  }

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
    return this.index.withReindex(options, async () => this.rawAt(index, (await this.fetchFrames([index], options)).get(index)!));
  }

  /**
   * The original JPEG of a JPEG XL frame that recompresses one (transfer syntax 1.2.840.10008.1.2.4.111),
   * byte for byte as it was before recompression (libjxl's JPEG reconstruction, in the JPEG XL module).
   */
  async getOriginalJpeg(frame: number, options: FrameOptions = {}): Promise<Uint8Array> {
    const codestream = await this.getRawFrame(frame, options);
    return (await wasmCore()).jpegFromJxl(codestream, this.source.name);
  }

  /** A decoded frame's stored values (no rescale, LUTs or colour conversion beyond the codec's). */
  async getStoredFrame(frame: number, options: FrameOptions = {}): Promise<StoredFrame> {
    const index = this.checkFrame(frame, options.asIndex ?? false);
    return storedFrame(this.summary, (await this.decodedFrames([index], options)).get(index)!);
  }

  /** A frame with pixel transforms applied (highdicom's `get_frame`): float64 by default. */
  async getFrame(frame: number, options: FrameOptions & TransformOptions = {}): Promise<Frame> {
    const index = this.checkFrame(frame, options.asIndex ?? false);
    return transformedFrame(this.pixels(), index, (await this.decodedFrames([index], options)).get(index)!, options);
  }

  /**
   * Several frames at once (all when `frames` is omitted), in the order asked; their byte ranges
   * are fetched together where they are adjacent.
   */
  async getStoredFrames(frames?: number[], options: FrameOptions = {}): Promise<StoredFrame[]> {
    const indices = this.indicesOf(frames, options);
    const decoded = await this.decodedFrames(indices, options);
    return indices.map((i) => storedFrame(this.summary, decoded.get(i)!));
  }

  /** Several frames with the pixel transforms applied (highdicom's `get_frames`). */
  async getFrames(frames?: number[], options: FrameOptions & TransformOptions = {}): Promise<Frame[]> {
    const indices = this.indicesOf(frames, options);
    const decoded = await this.decodedFrames(indices, options);
    return indices.map((i) => transformedFrame(this.pixels(), i, decoded.get(i)!, options));
  }

  /**
   * A region of the total pixel matrix of a tiled image (TILED_FULL or TILED_SPARSE): only the
   * frames it touches are fetched (adjacent ones in one read) and decoded. Pixels no tile covers
   * are 0, as highdicom fills them.
   */
  async getTotalPixelMatrix(options: RegionOptions = {}): Promise<Region> {
    return readRegion(this, options);
  }

  /**
   * The frames of a multi-frame image (enhanced CT/MR/PT) as a volume: sorted along the slice
   * normal, spacing checked, the affine (LPS) from the functional groups (highdicom's get_volume).
   * Only the frames of the selected slices are fetched.
   */
  async getVolume(options: VolumeOptions = {}): Promise<Volume> {
    return readFrameVolume(this, this.volumeGeometry(options), options);
  }

  /** The volume grid of this image's frames (all of them, or the given 0-based indices). */
  volumeGeometry(options: GeometryOptions & { frames?: number[] } = {}): VolumeGeometry {
    return this.pixels().geometry(options.frames ?? [], geometryOptions(options));
  }

  /** This instance's place in a series (UIDs, size, plane), for Series. @internal */
  seriesMember(): SeriesMember {
    return this.open_().seriesMember();
  }

  /** The byte budgets of the frame caches this instance uses (0: none). @internal */
  cacheBudget(): { encoded: number; decoded: number } {
    return { encoded: this.caches?.encoded.maxBytes ?? 0, decoded: this.caches?.decoded.maxBytes ?? 0 };
  }

  /** The core's pixels of this instance. @internal */
  pixels(): CorePixels {
    return this.open_().pixels();
  }

  /** Each frame once (FrameDecoding.each), re-indexing once when an offset table lies. @internal */
  forEachFrame(indices: number[], options: DecodeReadOptions, use: (i: number, d: DecodedFrame) => void, useEncoded?: UseEncoded): Promise<void> {
    return this.index.withReindex(options, () => this.decoding.each(indices, options, use, useEncoded));
  }

  // Regions and segment volumes are assembled one at a time per instance (each has one buffer in
  // the core); frames may be read meanwhile.
  private exclusive: Promise<unknown> = Promise.resolve();

  /** @internal */
  exclusively<T>(work: () => Promise<T>): Promise<T> {
    const run = this.exclusive.then(work);
    this.exclusive = run.catch(() => undefined);
    return run;
  }

  // ---- frames: encoded bytes -> decoded (cached) -> stored values / transforms ----

  private rawAt(index: number, bytes: Uint8Array): Uint8Array {
    return this.pixels().encoded(index, bytes);
  }

  /**
   * Decoded frames (stored values), from the decoded cache or fetched (through the encoded cache)
   * and decoded (then cached). @internal
   */
  async decodedFrames(indices: number[], options: DecodeReadOptions = {}): Promise<Map<number, DecodedFrame>> {
    const out = new Map<number, DecodedFrame>();
    await this.forEachFrame(indices, options, (i, d) => out.set(i, d));
    return out;
  }

  /** The bytes of frames' indexed ranges (FrameDecoding.fetch). @internal */
  fetchFrames(indices: number[], options: ReadOptions = {}, prefetch = true): Promise<Map<number, Uint8Array>> {
    return this.decoding.fetch(indices, options, prefetch);
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
    return isFrameSource(this.source) ? this.source.bulkData(info.bulkUri!, signal) : this.source.read(info.offset!, info.length!, signal);
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
    return this.index.check(frame, asIndex);
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
  static async fromMetadata(metadata: DicomJson, source: FrameSource, options: OpenOptions = {}): Promise<Instance> {
    const core = await wasmCore();
    const declared = (metadata['00020010']?.Value?.[0] as string | undefined) ?? source.knownTransferSyntax ?? '';
    return new Instance(source, core.instanceFromMetadata(metadata, declared, source.name), options);
  }

  /** Parses the header and builds the frame index, fetching only what the core asks for. */
  static async read(source: ByteSource, options: OpenOptions = {}): Promise<Instance> {
    const { reader, held } = await readHeader(await wasmCore(), source, options, cachesOf(options)?.encoded.maxBytes ?? 0);
    try {
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

let instanceCount = 0;

/** The frame caches an open uses: its own, none (`false`), or the shared ones. */
function cachesOf(options: OpenOptions): FrameCaches | null {
  return options.caches === false ? null : options.caches ?? sharedFrameCaches();
}

// An Instance dropped without close() frees its WASM reader when collected.
const unclosedReaders = new FinalizationRegistry<CoreInstance>((reader) => reader.delete());

const allIndices = (n: number) => Array.from({ length: n }, (_, i) => i);
