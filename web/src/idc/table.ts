/**
 * A Parquet table read by range (hyparquet over a ByteSource): the footer once, then per query only
 * the column chunks it needs — row groups whose statistics exclude the filter are skipped, the
 * filter's columns are read for the others, and the result columns only for row groups with a match.
 */
import type { FileMetaData } from 'hyparquet';
import { ErrorCode, LazydcmError } from '../core/errors.js';
import type { ByteSource } from '../sources/source.js';

/** What one query read (`Idc.lastQuery`). */
export interface QueryCost {
  requests: number;
  bytes: number;
  rowGroups: number;
  rowGroupsRead: number;
  /** The table file's size, for the fraction read. */
  fileBytes: number;
}

/** Equality filters: a column equals the value, or one of the values. */
export type Filter = Record<string, string | string[] | undefined>;

type Row = Record<string, unknown>;
type Hyparquet = typeof import('hyparquet');

export class ParquetTable {
  private opened?: Promise<{ file: { byteLength: number; slice(start: number, end?: number): Promise<ArrayBuffer> }; metadata: FileMetaData; columns: string[];
    compressors?: Record<string, unknown>; hp: Hyparquet }>;

  constructor(readonly source: ByteSource) {}

  /** The table's column names (reads the footer). */
  async columns(): Promise<string[]> {
    return (await this.open()).columns;
  }

  /** Rows where every filter holds, with `columns` (those the table has); `limit` rows at most. */
  async select(filter: Filter, columns: string[], limit = Infinity): Promise<{ rows: Row[]; cost: QueryCost }> {
    const before = { requests: this.source.stats.requests, bytes: this.source.stats.bytes };
    const { file, metadata, columns: have, compressors, hp } = await this.open();
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
      if (wanted.length) {
        const keys = await hp.parquetReadObjects({ file, metadata, columns: wanted.map(([k]) => k), rowStart: g0, rowEnd: g1, compressors });
        matched = keys.flatMap((r, i) => (wanted.every(([k, values]) => values.has(String(r[k]))) ? [i] : []));
      } else {
        matched = Array.from({ length: g1 - g0 }, (_, i) => i);
      }
      if (!matched.length) continue;
      const last = matched[matched.length - 1];
      const values = await hp.parquetReadObjects({ file, metadata, columns: out, rowStart: g0 + matched[0], rowEnd: g0 + last + 1, compressors, useOffsetIndex: true });
      for (const i of matched) {
        if (rows.length >= limit) break;
        rows.push(plain(values[i - matched[0]]));
      }
    }
    return {
      rows,
      cost: { requests: this.source.stats.requests - before.requests, bytes: this.source.stats.bytes - before.bytes, rowGroups: metadata.row_groups.length,
        rowGroupsRead: read, fileBytes: file.byteLength },
    };
  }

  private open() {
    this.opened ??= (async () => {
      const hp = await import('hyparquet');
      const { size } = await this.source.open(1);
      const source = this.source;
      const file = {
        byteLength: size,
        async slice(start: number, end = size): Promise<ArrayBuffer> {
          const b = await source.read(start, end - start);
          return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b.buffer as ArrayBuffer : b.slice().buffer;
        },
      };
      let metadata: FileMetaData;
      try {
        metadata = await hp.parquetMetadataAsync(file, { initialFetchSize: 64 * 1024 });
      } catch (e) {
        throw new LazydcmError(ErrorCode.invalidValue, 'invalidValue', `${this.source.name} is not a Parquet table: ${(e as Error).message}`);
      }
      const columns = hp.parquetSchema(metadata).children.map((c) => c.element.name);
      // Snappy is built in; other codecs (ZSTD, GZIP, Brotli, LZ4) load hyparquet-compressors.
      const codecs = new Set(metadata.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec)));
      const compressors = [...codecs].some((c) => c && c !== 'UNCOMPRESSED' && c !== 'SNAPPY')
        ? (await import('hyparquet-compressors')).compressors as Record<string, unknown> : undefined;
      return { file, metadata, columns, compressors, hp };
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
