/**
 * The Imaging Data Commons by identifier: the idc-index tables (Parquet, read by range — only the
 * row groups and columns a query needs) map collections, patients, studies and series to the
 * `<crdc_series_uuid>/<file>` objects of the public buckets, which are then read by range from
 * either mirror (AWS S3 or GCS), failing over between them.
 *
 * ```ts
 * const idc = new Idc();
 * const rows = await idc.series({ collection: 'nlst', modality: 'CT' });
 * const ct = await openSeries(await idc.seriesUid(rows[0].SeriesInstanceUID));
 * const slide = await openSlide(await idc.slide(smSeriesUid));
 * ```
 */
import { ErrorCode, LazydcmError } from '../core/errors.js';
import type { PersistentCache } from '../io/persistent.js';
import { IoStats, sumStats } from '../io/stats.js';
import type { HttpOptions } from '../sources/http.js';
import { listObjects } from '../sources/listing.js';
import { toByteSource, type Source } from '../sources/resolve.js';
import { gcsBucket, MirroredSource, mirrorUrl, MirrorState, type Mirror, type MirrorEndpoints } from './mirror.js';
import { ParquetTable, type Filter, type QueryCost } from './table.js';

export type { Mirror, MirrorEndpoints } from './mirror.js';
export type { QueryCost } from './table.js';

/** The idc-index-data release artifacts, "with unrestricted CORS access". */
const RELEASE = 'https://storage.googleapis.com/idc-index-data-artifacts/current/release_artifacts';

export interface IdcOptions {
  /**
   * The idc-index tables: URLs, paths (Node) or ByteSources. Default: the current public release
   * (`idc_index.parquet`, `sm_index.parquet`, `sm_instance_index.parquet`).
   */
  tables?: { index?: Source; sm_index?: Source; sm_instance_index?: Source };
  /**
   * The mirror objects are read from first: 'aws' (S3, the default — as idc-index), 'gcs', or
   * 'auto' (the one that answers a small request sooner). Either way a failing mirror (network,
   * CORS, 5xx) is left for the other, noted in `stats.notes`.
   */
  mirror?: Mirror | 'auto';
  /** Other endpoints for the mirrors (tests, proxies); the GCS listing API with `gcsApi`. */
  endpoints?: MirrorEndpoints & { gcsApi?: string };
  /** For every request (headers, retries, connections). */
  http?: HttpOptions;
  /**
   * Table footers and query results kept across sessions (keyed by the table's URL and ETag /
   * Last-Modified; with `trustMs`, used without asking the server). Not for local tables.
   */
  persistentCache?: PersistentCache;
}

/** A row of the `index` table: one series. Columns the table lacks are absent. */
export interface IdcSeries {
  collection_id: string;
  PatientID: string;
  StudyInstanceUID: string;
  SeriesInstanceUID: string;
  Modality: string;
  SeriesDescription?: string;
  instanceCount?: number;
  series_size_MB?: number;
  crdc_series_uuid: string;
  aws_bucket?: string;
  series_aws_url?: string;
  [column: string]: unknown;
}

/** A study: its series grouped. */
export interface IdcStudy {
  StudyInstanceUID: string;
  PatientID: string;
  collection_id: string;
  modalities: string[];
  series: number;
  size_MB: number;
}

export interface SeriesQuery {
  collection?: string | string[];
  patient?: string | string[];
  study?: string | string[];
  series?: string | string[];
  modality?: string | string[];
  /** Extra columns of the index table to return. */
  columns?: string[];
  limit?: number;
}

const SERIES_COLUMNS = ['collection_id', 'PatientID', 'StudyInstanceUID', 'SeriesInstanceUID', 'Modality', 'SeriesDescription', 'instanceCount',
  'series_size_MB', 'crdc_series_uuid', 'aws_bucket', 'series_aws_url'];

const SM_COLUMNS = ['SeriesInstanceUID', 'ObjectiveLensPower', 'max_TotalPixelMatrixColumns', 'max_TotalPixelMatrixRows', 'min_PixelSpacing_2sf',
  'primaryAnatomicStructure_CodeMeaning', 'ContainerIdentifier'];

export class Idc {
  private readonly tables = new Map<string, ParquetTable>();
  private mirror?: Promise<MirrorState>;
  /** Table reads and mirror switches. */
  readonly stats = new IoStats();
  /** What the last query read of its table. */
  lastQuery?: QueryCost;

  constructor(private readonly options: IdcOptions = {}) {}

  /** Series of the index table matching every given field (collection, patient, study, series UIDs, modality). */
  async series(q: SeriesQuery = {}): Promise<IdcSeries[]> {
    const filter: Filter = { collection_id: q.collection, PatientID: q.patient, StudyInstanceUID: q.study, SeriesInstanceUID: q.series, Modality: q.modality };
    if (Object.values(filter).every((v) => v === undefined) && q.limit === undefined) {
      throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', 'a series query needs a collection, patient, study, series or modality (or a limit)');
    }
    const { rows, cost } = await this.table('index').select(filter, [...SERIES_COLUMNS, ...(q.columns ?? [])], q.limit);
    this.lastQuery = cost;
    return rows as IdcSeries[];
  }

  /**
   * Slide series (Modality SM) matching the query, each with its sm_index row: the finest level's
   * size (`max_TotalPixelMatrixColumns`/`Rows`), pixel spacing, objective power, anatomy.
   */
  async slides(q: Omit<SeriesQuery, 'modality'> = {}): Promise<(IdcSeries & Record<string, unknown>)[]> {
    const series = await this.series({ ...q, modality: 'SM' });
    if (!series.length) return [];
    const { rows, cost } = await this.table('sm_index').select({ SeriesInstanceUID: series.map((s) => s.SeriesInstanceUID) }, SM_COLUMNS);
    this.lastQuery = cost;
    const by = new Map(rows.map((r) => [r.SeriesInstanceUID as string, r]));
    return series.map((s) => ({ ...by.get(s.SeriesInstanceUID), ...s }));
  }

  /** Studies with series matching the query: modalities, series count and size per study. */
  async studies(q: Omit<SeriesQuery, 'columns'> = {}): Promise<IdcStudy[]> {
    const by = new Map<string, IdcStudy>();
    for (const s of await this.series({ ...q, limit: undefined })) {
      let st = by.get(s.StudyInstanceUID);
      if (!st) by.set(s.StudyInstanceUID, (st = { StudyInstanceUID: s.StudyInstanceUID, PatientID: s.PatientID, collection_id: s.collection_id, modalities: [], series: 0, size_MB: 0 }));
      st.series++;
      st.size_MB += Number(s.series_size_MB ?? 0);
      if (!st.modalities.includes(s.Modality)) st.modalities.push(s.Modality);
    }
    const out = [...by.values()];
    return q.limit === undefined ? out : out.slice(0, q.limit);
  }

  /** The series' row (looked up once per client), or an invalidArgument error. */
  seriesRow(uid: string): Promise<IdcSeries> {
    let p = this.rows.get(uid);
    if (!p) {
      this.rows.set(uid, (p = this.series({ series: uid, limit: 1 }).then(([row]) => {
        if (!row) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', `series ${uid} is not in the IDC index`);
        return row;
      })));
      p.catch(() => this.rows.delete(uid));
    }
    return p;
  }
  private readonly rows = new Map<string, Promise<IdcSeries>>();

  /**
   * The series' DICOM files as sources for openSeries / openSlide: listed from the mirror in use
   * (only `*.dcm` objects, as idc-index), each read by range with failover to the other mirror.
   */
  async seriesUid(uid: string): Promise<MirroredSource[]> {
    const row = await this.seriesRow(uid);
    const bucket = bucketOf(row);
    const state = await this.mirrors();
    const keys = await this.list(state, bucket, `${row.crdc_series_uuid}/`);
    return keys.map((k) => this.object(state, bucket, k));
  }

  /**
   * A slide's instances without listing: sm_instance_index gives each instance's
   * crdc_instance_uuid, the object `<crdc_series_uuid>/<crdc_instance_uuid>.dcm`.
   */
  async slide(seriesUid: string): Promise<MirroredSource[]> {
    const row = await this.seriesRow(seriesUid);
    const { rows, cost } = await this.table('sm_instance_index').select({ SeriesInstanceUID: seriesUid }, ['SOPInstanceUID', 'crdc_instance_uuid']);
    this.lastQuery = cost;
    if (!rows.length) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', `series ${seriesUid} has no slide instances in sm_instance_index`);
    const state = await this.mirrors();
    return rows.map((r) => this.object(state, bucketOf(row), `${row.crdc_series_uuid}/${String(r.crdc_instance_uuid)}.dcm`));
  }

  /** The series' files as `s3://` URLs (idc-index's get_series_file_URLs). */
  async files(uid: string): Promise<string[]> {
    const row = await this.seriesRow(uid);
    const bucket = bucketOf(row);
    const keys = await this.list(await this.mirrors(), bucket, `${row.crdc_series_uuid}/`);
    return keys.map((k) => `s3://${bucket}/${k}`);
  }

  /** Which mirror reads go to now. */
  async currentMirror(): Promise<Mirror> {
    return (await this.mirrors()).current;
  }

  /** Requests and bytes of the tables and the objects' sources made so far are in their own stats; this sums the tables'. */
  get tableStats(): IoStats {
    return sumStats([...this.tables.values()].map((t) => t.source.stats));
  }

  private table(name: 'index' | 'sm_index' | 'sm_instance_index'): ParquetTable {
    let t = this.tables.get(name);
    if (!t) {
      const src = this.options.tables?.[name] ?? `${RELEASE}/${name === 'index' ? 'idc_index' : name}.parquet`;
      this.tables.set(name, (t = new ParquetTable(toByteSource(src, this.options.http), this.options.persistentCache)));
    }
    return t;
  }

  private object(state: MirrorState, bucket: string, key: string): MirroredSource {
    const e = this.options.endpoints;
    return new MirroredSource({ aws: mirrorUrl('aws', bucket, key, e), gcs: mirrorUrl('gcs', bucket, key, e) }, state, this.options.http);
  }

  /** Object keys under a prefix, listed from the mirror in use (the other one when it fails). */
  private async list(state: MirrorState, bucket: string, prefix: string): Promise<string[]> {
    const urls = await state.run((m) => this.listing(m, bucket, prefix), this.stats, ` listing ${prefix}`);
    const keys = urls.map((u) => u.replace(/^[a-z0-9]+:\/\/[^/]+\//, '')).filter((k) => k.endsWith('.dcm'));
    if (!keys.length) throw new LazydcmError(ErrorCode.notDicom, 'notDicom', `no .dcm objects under ${bucket}/${prefix}`);
    return keys;
  }

  /** The objects under a prefix of an IDC bucket (named as on AWS), listed from one mirror. */
  private listing(m: Mirror, bucket: string, prefix: string, http: HttpOptions = {}): Promise<string[]> {
    const e = this.options.endpoints ?? {};
    return listObjects(m === 'aws' ? `s3://${bucket}/${prefix}` : `gs://${gcsBucket(bucket)}/${prefix}`,
      { ...this.options.http, ...http, s3Endpoint: e.aws, gcsApiEndpoint: e.gcsApi ?? e.gcs });
  }

  private mirrors(): Promise<MirrorState> {
    this.mirror ??= (async () => {
      const choice = this.options.mirror ?? 'aws';
      if (choice !== 'auto') return new MirrorState(choice);
      // The mirror that answers a listing of nothing sooner (one small request each, in parallel).
      const probe = async (m: Mirror) => {
        await this.listing(m, 'idc-open-data', 'lazydcm-probe/', { retries: 0 });
        return m;
      };
      const winner = await Promise.any([probe('aws'), probe('gcs')]).catch(() => 'aws' as Mirror);
      this.stats.note(`IDC mirror chosen by latency: ${winner}`);
      return new MirrorState(winner);
    })();
    return this.mirror;
  }
}

function bucketOf(row: IdcSeries): string {
  if (row.aws_bucket) return row.aws_bucket;
  const m = /^s3:\/\/([^/]+)\//.exec(row.series_aws_url ?? '');
  return m?.[1] ?? 'idc-open-data';
}
