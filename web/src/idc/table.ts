/**
 * A Parquet table read by range (hyparquet over a ByteSource): the footer once, then per query only
 * the column chunks it needs — row groups whose statistics exclude the filter are skipped, the
 * filter's columns are read for the others, and the result columns only for row groups with a match.
 */
import type { FileMetaData } from 'hyparquet';
import { ErrorCode, LazydcmError } from '../core/errors.js';
import type { PersistentCache } from '../io/persistent.js';
import type { ByteSource } from '../sources/source.js';

/** What one query read (`Idc.lastQuery`). */
export interface QueryCost {
  requests: number;
  bytes: number;
  rowGroups: number;
  rowGroupsRead: number;
  /** The table file's size, for the fraction read. */
  fileBytes: number;
  /** Answered from the persistent cache. */
  cached?: boolean;
}

/** Equality filters: a column equals the value, or one of the values. */
export type Filter = Record<string, string | string[] | undefined>;

type Row = Record<string, unknown>;
type Hyparquet = typeof import('hyparquet');

interface Opened {
  file: { byteLength: number; slice(start: number, end?: number): Promise<ArrayBuffer> };
  metadata: FileMetaData;
  columns: string[];
  compressors?: Record<string, unknown>;
  hp: Hyparquet;
  /** The table's ETag / Last-Modified (null: unknown, nothing is kept persistently). */
  validator: string | null;
}

/** A footer kept in the persistent cache: JSON {size, validator, savedAt} + the footer's bytes. */
function encodeFooter(meta: { size: number; validator: string; savedAt: number }, footer: Uint8Array): Uint8Array {
  const head = new TextEncoder().encode(JSON.stringify(meta));
  const out = new Uint8Array(4 + head.length + footer.length);
  new DataView(out.buffer).setUint32(0, head.length);
  out.set(head, 4);
  out.set(footer, 4 + head.length);
  return out;
}
function decodeFooter(bytes: Uint8Array | undefined): { size: number; validator: string; savedAt: number; footer: Uint8Array } | undefined {
  try {
    if (!bytes || bytes.length < 4) return undefined;
    const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
    const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + n))) as { size: number; validator: string; savedAt: number };
    return typeof meta.size === 'number' && typeof meta.validator === 'string' ? { ...meta, footer: bytes.subarray(4 + n) } : undefined;
  } catch {
    return undefined;
  }
}

export class ParquetTable {
  private opened?: Promise<Opened>;

  /** `persistent`: footers and query results kept across sessions, keyed by URL and validator. */
  constructor(readonly source: ByteSource, private readonly persistent?: PersistentCache) {}

  /** The table's column names (reads the footer). */
  async columns(): Promise<string[]> {
    return (await this.open()).columns;
  }

  /** Rows where every filter holds, with `columns` (those the table has); `limit` rows at most. */
  async select(filter: Filter, columns: string[], limit = Infinity): Promise<{ rows: Row[]; cost: QueryCost }> {
    const before = { requests: this.source.stats.requests, bytes: this.source.stats.bytes };
    const { file, metadata, columns: have, compressors, hp, validator } = await this.open();
    const url = this.source.persistence?.()?.key;
    const key = this.persistent && url && validator ? `idc-query:${url}|${validator}|${JSON.stringify([filter, columns, limit === Infinity ? null : limit])}` : undefined;
    const cost = (rowGroupsRead: number, cached = false) => ({ requests: this.source.stats.requests - before.requests, bytes: this.source.stats.bytes - before.bytes,
      rowGroups: metadata.row_groups.length, rowGroupsRead, fileBytes: file.byteLength, cached });
    if (key) {
      const hit = await this.persistent!.store.get(key).catch(() => undefined);
      if (hit) {
        this.source.stats.persistentHits++;
        return { rows: JSON.parse(new TextDecoder().decode(hit)) as Row[], cost: cost(0, true) };
      }
    }
    const wanted = Object.entries(filter).flatMap(([k, v]) => (v === undefined ? [] : [[k, new Set(Array.isArray(v) ? v : [v])] as const]));
    for (const [k] of wanted) {
      if (!have.includes(k)) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', `the table ${this.source.name} has no column ${k}`);
    }
    const out = columns.filter((c) => have.includes(c));
    const rows: Row[] = [];
    let start = 0, read = 0;
    for (const group of metadata.row_groups) {
      const g0 = start, g1 = start + Number(group.num_rows);
      start = g1;
      if (rows.length >= limit) break;
      // Statistics: a group whose [min, max] of a filter column holds none of the values is skipped.
      const excluded = wanted.some(([k, values]) => {
        const st = group.columns.find((c) => c.meta_data?.path_in_schema.join('.') === k)?.meta_data?.statistics;
        const min = st?.min_value ?? st?.min, max = st?.max_value ?? st?.max;
        if (typeof min !== 'string' || typeof max !== 'string') return false;
        return ![...values].some((v) => v >= min && v <= max);
      });
      if (excluded) continue;
      read++;
      let matched: number[];
      let keys: Row[] = [];
      if (wanted.length) {
        keys = await hp.parquetReadObjects({ file, metadata, columns: wanted.map(([k]) => k), rowStart: g0, rowEnd: g1, compressors });
        matched = keys.flatMap((r, i) => (wanted.every(([k, values]) => values.has(String(r[k]))) ? [i] : []));
      } else {
        matched = Array.from({ length: g1 - g0 }, (_, i) => i);
      }
      if (!matched.length) continue;
      // The result's other columns, for the matched rows' span; the filter's are read already.
      const last = matched[matched.length - 1];
      const kept = out.filter((c) => wanted.some(([k]) => k === c)), rest = out.filter((c) => !kept.includes(c));
      const values = rest.length
        ? await hp.parquetReadObjects({ file, metadata, columns: rest, rowStart: g0 + matched[0], rowEnd: g0 + last + 1, compressors, useOffsetIndex: true })
        : [];
      for (const i of matched) {
        if (rows.length >= limit) break;
        const row: Row = {};
        for (const c of out) row[c] = kept.includes(c) ? keys[i][c] : values[i - matched[0]][c];
        rows.push(plain(row));
      }
    }
    if (key) {
      this.source.stats.persistentMisses++;
      await this.persistent!.store.put(key, new TextEncoder().encode(JSON.stringify(rows))).catch(() => undefined);
    }
    return { rows, cost: cost(read) };
  }

  private open(): Promise<Opened> {
    this.opened ??= (async () => {
      const hp = await import('hyparquet');
      const source = this.source, url = source.persistence?.()?.key;
      const footerKey = this.persistent && url ? `idc-footer:${url}` : undefined;
      const kept = footerKey ? decodeFooter(await this.persistent!.store.get(footerKey).catch(() => undefined)) : undefined;
      let size: number, validator: string | null;
      if (kept && this.persistent!.trustMs > 0 && Date.now() - kept.savedAt < this.persistent!.trustMs) {
        source.assume?.(kept.size, kept.validator);  // trusted: no request (a changed table is caught by the next read's validator)
        [size, validator] = [kept.size, kept.validator];
      } else {
        size = (await source.open(1)).size;
        validator = source.persistence?.()?.validator ?? null;
      }
      // The footer's bytes as read (kept for the next session).
      const tail: { start: number; bytes: Uint8Array }[] = [];
      const file = {
        byteLength: size,
        async slice(start: number, end = size): Promise<ArrayBuffer> {
          const b = await source.read(start, end - start);
          if (end === size || tail.some((t) => t.start === end)) tail.push({ start, bytes: b });
          return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b.buffer as ArrayBuffer : b.slice().buffer;
        },
      };
      let metadata: FileMetaData;
      try {
        if (kept && kept.validator === validator && kept.size === size) {
          metadata = hp.parquetMetadata(kept.footer.slice().buffer);
          source.stats.persistentHits++;
        } else {
          metadata = await hp.parquetMetadataAsync(file, { initialFetchSize: 64 * 1024 });
          if (footerKey && validator) {
            tail.sort((a, b) => a.start - b.start);
            const footer = new Uint8Array(size - tail[0].start);
            for (const t of tail) footer.set(t.bytes, t.start - tail[0].start);
            const start = size - Number(metadata.metadata_length) - 8;
            source.stats.persistentMisses++;
            await this.persistent!.store.put(footerKey, encodeFooter({ size, validator, savedAt: Date.now() }, footer.subarray(start - tail[0].start)))
              .catch(() => undefined);
          }
        }
      } catch (e) {
        throw new LazydcmError(ErrorCode.invalidValue, 'invalidValue', `${this.source.name} is not a Parquet table: ${(e as Error).message}`);
      }
      const columns = hp.parquetSchema(metadata).children.map((c) => c.element.name);
      // Snappy is built in; other codecs (ZSTD, GZIP, Brotli, LZ4) load hyparquet-compressors.
      const codecs = new Set(metadata.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec)));
      const compressors = [...codecs].some((c) => c && c !== 'UNCOMPRESSED' && c !== 'SNAPPY')
        ? (await import('hyparquet-compressors')).compressors as Record<string, unknown> : undefined;
      return { file, metadata, columns, compressors, hp, validator };
    })();
    this.opened.catch(() => { this.opened = undefined; });
    return this.opened;
  }
}

/** BigInt (INT64 columns) as numbers; everything else as it is. */
function plain(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'bigint' ? Number(v) : v;
  return out;
}
