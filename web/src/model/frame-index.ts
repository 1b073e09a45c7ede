/**
 * An instance's frame index over its life: built at open by driving the core (it says which bytes
 * it needs, they are fetched), and rebuilt once when a frame read proves an offset table wrong
 * (the core falls back to the next method: TIFF tile table, fragment scan), with the frames
 * cached under the old table dropped. Frame numbers are checked against it.
 */
import { ErrorCode, ioError, LazydcmError } from '../core/errors.js';
import { HeldBytes, type ReadOptions } from '../io/frame-store.js';
import type { IoStats } from '../io/stats.js';
import type { ByteSource } from '../sources/source.js';
import type { Core, CoreInstance, InstanceSummary } from '../wasm/core.js';
import type { PersistentCache } from '../io/persistent.js';
import type { OpenOptions } from './types.js';
import { FrameTable } from './frame-table.js';

/**
 * Steps the core until the header and index are read, fetching (and keeping in `held`) what it
 * asks for; each read is also handed to `onRead` (the persistent cache records the header's).
 */
export async function drive(reader: CoreInstance, source: ByteSource, size: number, options: ReadOptions & { minRead?: number },
  held: HeldBytes, onRead?: (offset: number, bytes: Uint8Array) => void): Promise<void> {
  const minRead = options.minRead ?? 16 * 1024;
  while (reader.step() === 'needBytes') {
    const { offset, length } = reader.need();
    if (options.signal?.aborted) throw ioError('aborted', 'aborted', source.name);
    const bytes = await source.read(offset, Math.min(Math.max(length, minRead), size - offset), options.signal);
    held.add(offset, bytes);
    onRead?.(offset, bytes);
    reader.feed(offset, bytes);
  }
}

/**
 * Opens `source` and reads the header and frame index through the core, fetching only what it
 * asks for; the bytes read are kept in `held` (up to `holdBytes`) for the frame caches. With a
 * persistent cache, an object opened before (same URL, same validator) is reopened from what that
 * open saved: its header bytes and its index, with no request beyond the first read (none when
 * the cache trusts the entry).
 */
export async function readHeader(core: Core, source: ByteSource, options: OpenOptions, holdBytes: number): Promise<{ reader: CoreInstance; held: HeldBytes }> {
  if (options.signal?.aborted) throw ioError('aborted', 'aborted', source.name);
  const persistent = options.persistentCache || undefined;
  const url = persistent && source.persistence?.()?.key;
  let saved = url ? await persistent.load(url) : undefined;
  let opened: { size: number; head: Uint8Array };
  try {
    if (saved && persistent!.trusted(saved) && source.assume) {
      source.assume(saved.size, saved.validator);
      opened = { size: saved.size, head: new Uint8Array(0) };
    } else {
      opened = await source.open(options.firstRead ?? 64 * 1024, options.signal);
      if (saved && (saved.size !== opened.size || saved.validator !== source.persistence?.()?.validator)) {
        source.stats.note(`${source.name} changed since it was cached: read again`);
        saved = undefined;
      }
    }
  } catch (e) {
    await source.close?.();  // e.g. a directory opened as a file: no handle left behind
    throw e;
  }
  const { size, head } = opened;
  const reader = core.openInstance(size, { maxInlineValue: options.maxInlineValue, strictOddLength: options.strictOddLength,
    scanBatch: options.scanBatch, buildIndex: saved ? false : undefined }, source.name);
  try {
    const held = new HeldBytes(holdBytes);
    const reads: { offset: number; bytes: Uint8Array }[] = [];
    const record = url && !saved ? (offset: number, bytes: Uint8Array) => reads.push({ offset, bytes }) : undefined;
    held.add(0, head);
    record?.(0, head);
    if (saved) for (const c of saved.header) reader.feed(c.offset, c.bytes);
    reader.feed(0, head);
    await drive(reader, source, size, options, held, record);
    if (saved) {
      try {
        if (saved.index.length) reader.restoreIndex(saved.index);
        source.stats.persistentHits++;
      } catch (e) {
        source.stats.note(`the cached index of ${source.name} was not used (${(e as Error).message}): indexed again`);
        reader.buildIndex();
        await drive(reader, source, size, options, held);
        save(persistent!, url!, source, reader, saved.header);  // the header bytes were right: keep them with the new index
      }
    } else if (url) {
      source.stats.persistentMisses++;
      save(persistent!, url, source, reader, reads);
    }
    return { reader, held };
  } catch (e) {
    reader.delete();
    await source.close?.();
    throw e;
  }
}

/** Keeps what this open read of the header (up to the pixel data's value) and the index built. */
function save(persistent: PersistentCache, url: string, source: ByteSource, reader: CoreInstance, reads: { offset: number; bytes: Uint8Array }[]) {
  const validator = source.persistence?.()?.validator;
  const s = reader.summary();
  if (!validator || s.pixelData?.inInflatedStream || s.frameIndexError) return;
  const index = s.pixelData ? reader.indexSnapshot() : new Uint8Array(0);
  if (s.pixelData && !index.length) return;
  const end = s.pixelData ? s.pixelData.valueOffset : s.fileSize;
  const header = reads.filter((c) => c.offset < end && c.bytes.length).map((c) => ({ offset: c.offset, bytes: c.bytes.slice(0, end - c.offset) }));
  void persistent.save(url, { size: s.fileSize, validator, savedAt: Date.now(), header, index });
}

export function frameTableOf(reader: CoreInstance): FrameTable {
  return reader.withFrameTable((view, layout) => new FrameTable(view, layout));
}

/** What the index needs from its instance. */
export interface IndexOwner {
  reader(): CoreInstance;
  readonly name: string;
  /** Where a rebuilt index reads; none for frames by number (no table to distrust). */
  readonly ranges?: ByteSource;
  readonly summary: InstanceSummary;
  readonly stats: IoStats;
  /** Bytes to keep of what a rebuild reads (the encoded cache's budget). */
  readonly holdBytes: number;
  readonly minRead?: number;
  /** The old table's frames are wrong: drop them from the caches and the in-flight reads. */
  dropFrames(): void;
  /** Frames in the bytes a rebuild read go to the encoded cache. */
  seed(held: HeldBytes): void;
}

export class FrameIndex {
  table: FrameTable;
  /** A re-index whose fetches failed: the next read resumes it. */
  private pending = false;
  private rebuilding: Promise<boolean> | null = null;

  constructor(private readonly owner: IndexOwner) {
    this.table = frameTableOf(owner.reader());
  }

  /** 0-based index of frame `frame` (1-based unless asIndex), checked; the index error when there is none. */
  check(frame: number, asIndex: boolean): number {
    const index = asIndex ? frame : frame - 1;
    const n = this.table.length;
    // No index (Number of Frames above the cap, a table and a scan that failed): say why.
    const indexError = n === 0 ? this.owner.summary.frameIndexError : undefined;
    if (indexError) throw LazydcmError.fromJson(indexError, this.owner.name);
    if (!Number.isInteger(index) || index < 0 || index >= n) {
      throw new LazydcmError(ErrorCode.frameOutOfRange, 'frameOutOfRange', `frame ${frame} is not in 1..${n}${asIndex ? ' (0-based)' : ''}`,
        undefined, this.owner.name);
    }
    return index;
  }

  /**
   * Runs a frame read; when it proves the offset table wrong, re-indexes once and runs it again.
   * Concurrent reads that fail together share one re-index.
   */
  async withReindex<T>(options: ReadOptions, work: () => Promise<T>): Promise<T> {
    if (this.pending && !this.rebuilding) {
      this.rebuilding = this.finish(options).then(() => true).finally(() => { this.rebuilding = null; });
    }
    if (this.rebuilding) await this.rebuilding;
    const table = this.table;
    try {
      return await work();
    } catch (e) {
      if (!(e instanceof LazydcmError)) throw e;
      if (this.rebuilding || this.table !== table) {
        // The index was rebuilt under this read (another read found the table wrong): read again.
        await this.rebuilding;
        if (this.table !== table) return work();
        throw e;
      }
      if (e.code !== ErrorCode.invalidOffsetTable) throw e;
      this.rebuilding = this.reindex(e, options).finally(() => { this.rebuilding = null; });
      if (!(await this.rebuilding)) throw e;
      return work();
    }
  }

  /**
   * The index points at the wrong bytes (an offset table that lies): the core rebuilds it with the
   * next method, fetching what that needs. False when there is no other method.
   */
  private async reindex(cause: LazydcmError, options: ReadOptions): Promise<boolean> {
    const o = this.owner;
    if (!o.ranges) return false;
    const kind = o.summary.frameIndex?.kind;
    if (kind !== 'extended_offset_table' && kind !== 'basic_offset_table' && kind !== 'tiff_tile_table') return false;
    if (!o.reader().reindex(cause.message)) return false;
    o.stats.note(`${o.name}: the ${kind.replace(/_/g, ' ')} points at the wrong bytes (${cause.message}); re-indexed`);
    o.dropFrames();
    this.pending = true;
    await this.finish(options);
    return true;
  }

  /** The index being rebuilt: fetch what the core asks for until it is done (again after a failed fetch). */
  private async finish(options: ReadOptions): Promise<void> {
    const o = this.owner;
    const reader = o.reader();
    const held = new HeldBytes(o.holdBytes);
    if (!o.ranges) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', 'frames by number have no index to rebuild', undefined, o.name);
    await drive(reader, o.ranges, o.summary.fileSize, { minRead: o.minRead, signal: options.signal }, held);
    const s = reader.summary();
    if (s.frameIndexError) throw LazydcmError.fromJson(s.frameIndexError, o.name);
    Object.assign(o.summary, { frameIndex: s.frameIndex, warnings: s.warnings });
    this.table = frameTableOf(reader);
    this.pending = false;
    o.seed(held);
  }
}
