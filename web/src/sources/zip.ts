import { ErrorCode, ioError, LazydcmError } from '../core/errors.js';
import { IoStats } from '../io/stats.js';
import type { ByteSource } from './source.js';

/** One file of a zip archive, as its central directory describes it. */
export interface ZipEntry {
  name: string;
  /** 0: stored, 8: deflated (others are not supported). */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  encrypted: boolean;
}

const bad = (message: string, source: string) => new LazydcmError(ErrorCode.invalidArchive, 'invalidArchive', message, undefined, source);

/**
 * A zip archive read by ranges (imagedata's zip sources, lazily): the end of central directory
 * record and the central directory (zip64 too) in one or two reads from the end, stored entries
 * read by range inside the archive, deflated entries fetched whole and inflated. Entries are
 * ByteSources, so `open()` and `openSeries()` read them like files.
 */
export class ZipArchive {
  private constructor(
    readonly source: ByteSource,
    readonly size: number,
    readonly entries: ZipEntry[],
  ) {}

  static async open(source: ByteSource, signal?: AbortSignal): Promise<ZipArchive> {
    const { size } = await source.open(1, signal);
    // The end of central directory record is in the last 22 bytes unless the archive has a
    // comment (up to 64 KiB): read 8 KiB first, the whole possible window only if needed.
    let tailLength = Math.min(size, 8192);
    let tail = await source.read(size - tailLength, tailLength, signal);
    let eocd = findEocd(tail);
    if (eocd < 0 && tailLength < size) {
      tailLength = Math.min(size, 22 + 65535 + 20);
      tail = await source.read(size - tailLength, tailLength, signal);
      eocd = findEocd(tail);
    }
    if (eocd < 0) throw bad('not a zip archive (no end of central directory record)', source.name);
    let count = u16(tail, eocd + 10);
    let cdSize = u32(tail, eocd + 12);
    let cdOffset = u32(tail, eocd + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      // Zip64: the locator sits just before the end of central directory record.
      const loc = eocd - 20;
      if (loc < 0 || u32(tail, loc) !== 0x07064b50) throw bad('zip64 archive without its locator', source.name);
      const recordOffset = u64(tail, loc + 8);
      const rec = await source.read(recordOffset, 56, signal);
      if (rec.length < 56 || u32(rec, 0) !== 0x06064b50) throw bad('bad zip64 end of central directory record', source.name);
      count = u64(rec, 32);
      cdSize = u64(rec, 40);
      cdOffset = u64(rec, 48);
    }
    if (cdOffset + cdSize > size) throw bad(`central directory [${cdOffset}, ${cdOffset + cdSize}) past the end (${size} bytes)`, source.name);
    const tailStart = size - tailLength;
    const cd = cdOffset >= tailStart ? tail.subarray(cdOffset - tailStart, cdOffset - tailStart + cdSize)
      : await source.read(cdOffset, cdSize, signal);
    return new ZipArchive(source, size, parseCentralDirectory(cd, count, source.name));
  }

  /** Entries under `folder` (e.g. 'series/'), files only, in archive order. */
  list(folder = ''): ZipEntry[] {
    const prefix = folder.replace(/^\/+/, '');
    return this.entries.filter((e) => !e.name.endsWith('/') && e.name.startsWith(prefix));
  }

  entry(name: string): ZipEntry {
    const e = this.entries.find((x) => x.name === name);
    if (!e) throw bad(`no entry '${name}' in the archive`, this.source.name);
    return e;
  }

  /** A ByteSource reading one entry; with `ownsArchive` its close() closes the archive too. */
  entrySource(entry: ZipEntry, ownsArchive = false): ByteSource {
    return new ZipEntrySource(this, entry, ownsArchive);
  }

  async close(): Promise<void> {
    await this.source.close?.();
  }
}

class ZipEntrySource implements ByteSource {
  readonly name: string;
  readonly stats: IoStats;
  private dataOffset = -1;
  private inflated?: Uint8Array;

  constructor(private readonly zip: ZipArchive, private readonly entry: ZipEntry, private readonly ownsArchive: boolean) {
    this.name = `${zip.source.name}?${entry.name}`;
    this.stats = zip.source.stats;  // requests and bytes are the archive's
  }

  cacheKey(): string | undefined {
    const k = this.zip.source.cacheKey?.();
    return k ? `${k}!${this.entry.name}` : undefined;
  }

  async open(length: number, signal?: AbortSignal) {
    const e = this.entry;
    if (e.encrypted) throw bad(`entry '${e.name}' is encrypted`, this.zip.source.name);
    if (e.method !== 0 && e.method !== 8) throw bad(`entry '${e.name}' uses compression method ${e.method} (only stored and deflated)`, this.zip.source.name);
    // The local header (its extra field may differ from the central one), and for stored entries
    // the first bytes of data, in one read.
    const guess = 30 + e.name.length + 256;
    const first = await this.zip.source.read(e.localHeaderOffset, guess + (e.method === 0 ? Math.min(length, e.size) : 0), signal);
    if (first.length < 30 || u32(first, 0) !== 0x04034b50) throw bad(`no local header for '${e.name}' at byte ${e.localHeaderOffset}`, this.zip.source.name);
    this.dataOffset = e.localHeaderOffset + 30 + u16(first, 26) + u16(first, 28);
    if (this.dataOffset + e.compressedSize > this.zip.size) throw bad(`entry '${e.name}' runs past the end of the archive`, this.zip.source.name);
    if (e.method === 8) {
      const compressed = await this.zip.source.read(this.dataOffset, e.compressedSize, signal);
      this.inflated = await inflateRaw(compressed, e.size, this.name);
      return { size: e.size, head: this.inflated.subarray(0, Math.min(length, e.size)) };
    }
    const have = first.length - (this.dataOffset - e.localHeaderOffset);
    const head = have >= Math.min(length, e.size) ? first.subarray(this.dataOffset - e.localHeaderOffset).subarray(0, Math.min(length, e.size))
      : await this.read(0, length, signal);
    return { size: e.size, head };
  }

  async close(): Promise<void> {
    this.inflated = undefined;
    if (this.ownsArchive) await this.zip.close();
  }

  async read(offset: number, length: number, signal?: AbortSignal) {
    const end = Math.min(offset + length, this.entry.size);
    if (end <= offset) return new Uint8Array(0);
    if (this.inflated) return this.inflated.subarray(offset, end);
    if (this.dataOffset < 0) throw new Error('ZipEntrySource: open() first');
    return this.zip.source.read(this.dataOffset + offset, end - offset, signal);
  }
}

function findEocd(tail: Uint8Array): number {
  for (let i = tail.length - 22; i >= 0; i--) if (u32(tail, i) === 0x06054b50) return i;
  return -1;
}

function parseCentralDirectory(cd: Uint8Array, count: number, source: string): ZipEntry[] {
  const out: ZipEntry[] = [];
  const decoder = new TextDecoder();
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cd.length || u32(cd, p) !== 0x02014b50) throw bad(`central directory entry ${k} is malformed`, source);
    const flags = u16(cd, p + 8);
    const nameLength = u16(cd, p + 28), extraLength = u16(cd, p + 30), commentLength = u16(cd, p + 32);
    if (p + 46 + nameLength + extraLength + commentLength > cd.length) throw bad(`central directory entry ${k} runs past the directory`, source);
    const e: ZipEntry = {
      name: decoder.decode(cd.subarray(p + 46, p + 46 + nameLength)),
      method: u16(cd, p + 10),
      compressedSize: u32(cd, p + 20),
      size: u32(cd, p + 24),
      localHeaderOffset: u32(cd, p + 42),
      encrypted: (flags & 1) !== 0,
    };
    // Zip64 extended information: the 0xFFFFFFFF fields, in this order.
    for (let x = p + 46 + nameLength; x + 4 <= p + 46 + nameLength + extraLength;) {
      const id = u16(cd, x), len = u16(cd, x + 2);
      if (id === 0x0001) {
        let y = x + 4;
        if (e.size === 0xffffffff) { e.size = u64(cd, y); y += 8; }
        if (e.compressedSize === 0xffffffff) { e.compressedSize = u64(cd, y); y += 8; }
        if (e.localHeaderOffset === 0xffffffff) { e.localHeaderOffset = u64(cd, y); y += 8; }
      }
      x += 4 + len;
    }
    out.push(e);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}

async function inflateRaw(data: Uint8Array, size: number, name: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    const out = new Uint8Array(await new Response(stream).arrayBuffer());
    if (out.length !== size) throw new Error(`inflated to ${out.length} bytes, the directory says ${size}`);
    return out;
  } catch (e) {
    throw ioError('invalidArchive', `cannot inflate ${name}: ${(e as Error).message}`, name);
  }
}

const u16 = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8);
const u32 = (b: Uint8Array, i: number) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
const u64 = (b: Uint8Array, i: number) => u32(b, i) + u32(b, i + 4) * 2 ** 32;

/** `archive.zip?folder/` or `archive.zip?path/file.dcm`: the archive and what is selected in it. */
export function splitZipSelection(text: string): { archive: string; inside: string } | null {
  const m = /^(.*?\.zip)(?:\?(.*))?$/i.exec(text);
  return m ? { archive: m[1], inside: m[2] ?? '' } : null;
}
