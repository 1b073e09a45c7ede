/**
 * IDC objects exist in two public mirrors under the same `<crdc_series_uuid>/<file>` names: AWS S3
 * (`idc-open-data`, HTTP/1.1) and Google Cloud Storage (HTTP/2; some buckets under other names).
 * A MirroredSource reads one object from the mirror its MirrorState names and, on a network or CORS
 * error or a 5xx, switches that state to the other mirror (for every object sharing it) and goes
 * on there, with the switch in `stats.notes`.
 */
import { LazydcmError } from '../core/errors.js';
import { IoStats } from '../io/stats.js';
import { HttpSource, type HttpOptions } from '../sources/http.js';
import type { ByteSource } from '../sources/source.js';

export type Mirror = 'aws' | 'gcs';

/** GCS names of the IDC buckets whose AWS names differ (idc-index's mapping). */
const GCS_BUCKETS: Record<string, string> = { 'idc-open-data-two': 'idc-open-idc1', 'idc-open-data-cr': 'idc-open-cr' };

export interface MirrorEndpoints {
  /** Path-style S3 endpoint (`<endpoint>/<bucket>/<key>`); default `https://<bucket>.s3.amazonaws.com/<key>`. */
  aws?: string;
  /** GCS endpoint (`<endpoint>/<bucket>/<key>`); default `https://storage.googleapis.com`. */
  gcs?: string;
}

/** The GCS name of an IDC bucket (named as on AWS). */
export function gcsBucket(awsBucket: string): string {
  return GCS_BUCKETS[awsBucket] ?? awsBucket;
}

/** The HTTPS URL of `key` in an IDC bucket (named as on AWS) on one mirror. */
export function mirrorUrl(mirror: Mirror, awsBucket: string, key: string, endpoints: MirrorEndpoints = {}): string {
  if (mirror === 'aws') {
    return endpoints.aws ? `${endpoints.aws.replace(/\/$/, '')}/${awsBucket}/${key}` : `https://${awsBucket}.s3.amazonaws.com/${key}`;
  }
  return `${(endpoints.gcs ?? 'https://storage.googleapis.com').replace(/\/$/, '')}/${gcsBucket(awsBucket)}/${key}`;
}

/** Which mirror objects are read from now; shared by every object (and listing) of one Idc client. */
export class MirrorState {
  constructor(public current: Mirror) {}

  /**
   * `fn` on the mirror in use; on an error another mirror may not have, every object sharing this
   * state switches to the other mirror and `fn` runs there, the switch noted in `stats`.
   */
  async run<T>(fn: (m: Mirror) => Promise<T>, stats: IoStats, what: string, signal?: AbortSignal): Promise<T> {
    const m = this.current;
    try {
      return await fn(m);
    } catch (e) {
      if (!failoverWorthy(e) || signal?.aborted) throw e;
      const other = otherMirror(m);
      this.current = other;
      stats.note(`IDC mirror ${m} failed${what} (${(e as Error).message}): reading from ${other}`);
      return fn(other);
    }
  }
}

/** Errors another mirror may not have: network (CORS included: browsers report it as one) and 5xx. */
export function failoverWorthy(e: unknown): boolean {
  if (!(e instanceof LazydcmError)) return false;
  return e.codeName === 'network' || (e.codeName === 'httpError' && (e as { retriable?: boolean }).retriable === true);
}

export const otherMirror = (m: Mirror): Mirror => (m === 'aws' ? 'gcs' : 'aws');

export class MirroredSource implements ByteSource {
  readonly stats = new IoStats();
  private readonly sources = new Map<Mirror, HttpSource>();
  private opened = new Set<Mirror>();
  private headLength = 1;

  constructor(private readonly urls: Record<Mirror, string>, private readonly state: MirrorState, private readonly http: HttpOptions = {}) {}

  get name(): string {
    return this.urls[this.state.current];
  }
  get origin(): string {
    return this.source(this.state.current).origin;
  }
  get connections(): number {
    return this.source(this.state.current).connections;
  }

  open(length: number, signal?: AbortSignal): Promise<{ size: number; head: Uint8Array }> {
    this.headLength = length;
    return this.attempt(async (s, m) => {
      const r = await s.open(length, signal);
      this.opened.add(m);
      return r;
    }, signal);
  }

  read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    return this.attempt(async (s, m) => {
      if (!this.opened.has(m)) {
        await s.open(Math.min(this.headLength, 4096), signal);  // learns the size on this mirror
        this.opened.add(m);
      }
      return s.read(offset, length, signal);
    }, signal);
  }

  cacheKey(): string | undefined {
    return this.source(this.state.current).cacheKey();
  }
  persistence() {
    return this.source(this.state.current).persistence();
  }
  assume(size: number, validator: string): void {
    this.source(this.state.current).assume(size, validator);
    this.opened.add(this.state.current);
  }
  link() {
    return this.source(this.state.current).link();
  }

  private source(m: Mirror): HttpSource {
    let s = this.sources.get(m);
    if (!s) this.sources.set(m, (s = new HttpSource(this.urls[m], { ...this.http, stats: this.stats })));
    return s;
  }

  private attempt<T>(fn: (s: HttpSource, m: Mirror) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.state.run((m) => fn(this.source(m), m), this.stats, '', signal);
  }
}
