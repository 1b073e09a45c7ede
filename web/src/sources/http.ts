import { ioError } from '../core/errors.js';
import { checkPartialContent } from '../io/content-range.js';
import { httpStatusError, withRetries } from '../io/retry.js';
import { IoStats } from '../io/stats.js';
import type { ByteSource } from './source.js';

export interface HttpOptions {
  /** Extra request headers, e.g. `{ Authorization: 'Bearer …' }` (non-simple headers make browsers send a CORS preflight). */
  headers?: Record<string, string>;
  /** Attempts for network errors, 5xx and truncated bodies. Default 3. */
  retries?: number;
  /** First backoff in ms, doubled per attempt. Default 200. */
  retryDelayMs?: number;
  /**
   * Requests in flight per origin, shared by every instance read from it (default 6: HTTP/1.1
   * browsers' connections per origin; more for HTTP/2 servers). The first open of an origin sets it.
   */
  connections?: number;
  /** Public endpoints that `gs://` and `s3://` map to. */
  gcsEndpoint?: string;
  s3Endpoint?: string;
  fetch?: typeof fetch;
  /** Sent with every request (`'include'`: the browser's cookies for another origin, e.g. an XNAT session). */
  credentials?: RequestCredentials;
  /** @internal Count into this IoStats (the two mirrors of one IDC object count as one source). */
  stats?: IoStats;
}

/** `gs://b/k` → `https://storage.googleapis.com/b/k`; `s3://b/k` → `https://b.s3.amazonaws.com/k`. */
export function resolveUrl(url: string, options: HttpOptions = {}): string {
  const gs = /^gs:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (gs) return `${(options.gcsEndpoint ?? 'https://storage.googleapis.com').replace(/\/$/, '')}/${gs[1]}/${gs[2]}`;
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (s3) {
    if (options.s3Endpoint) return `${options.s3Endpoint.replace(/\/$/, '')}/${s3[1]}/${s3[2]}`;
    return `https://${s3[1]}.s3.amazonaws.com/${s3[2]}`;
  }
  return url;
}

/**
 * An object behind HTTP(S) Range requests (GCS, S3, nginx, any static server).
 * Single `bytes=a-b` ranges only, so browsers send no CORS preflight. A server that ignores Range
 * (200) is read once, whole, and served from memory afterwards (noted in the stats). A changed
 * ETag or Last-Modified between requests is an error rather than a mix of two files' bytes.
 */
export class HttpSource implements ByteSource {
  readonly stats: IoStats;
  readonly name: string;
  readonly origin: string;
  readonly connections: number;
  private size = -1;
  private validator: string | null = null;
  /** The link to this origin as measured (shared by every source of the origin: a series' files). */
  private readonly measured: { rttMs: number; bytesPerMs: number };
  private whole?: Uint8Array;
  private readonly fetchFn: typeof fetch;

  constructor(url: string, private readonly options: HttpOptions = {}) {
    this.name = resolveUrl(url, options);
    this.stats = options.stats ?? new IoStats();
    this.origin = new URL(this.name).origin;
    this.measured = linkOf(this.origin);
    this.connections = options.connections ?? 6;
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  cacheKey(): string | undefined {
    return this.validator ? `${this.name}|${this.validator}` : undefined;
  }

  link() {
    const m = this.measured;
    return Number.isFinite(m.rttMs) && Number.isFinite(m.bytesPerMs) ? { rttMs: m.rttMs, bytesPerMs: m.bytesPerMs } : undefined;
  }

  persistence() {
    return this.whole ? undefined : { key: this.name, validator: this.validator };
  }

  assume(size: number, validator: string): void {
    this.size = size;
    this.validator = validator;
  }

  async open(length: number, signal?: AbortSignal) {
    const head = await this.fetchRange(0, Math.max(1, length), signal, true);
    if (this.size < 0) this.size = await this.headSize(signal);
    return { size: this.size, head: head.subarray(0, Math.min(head.length, this.size)) };
  }

  async read(offset: number, length: number, signal?: AbortSignal) {
    const end = Math.min(offset + length, this.size);
    if (end <= offset) return new Uint8Array(0);
    if (this.whole) {
      this.stats.cacheHits++;
      return this.whole.subarray(offset, end);
    }
    return this.fetchRange(offset, end - offset, signal, false);
  }

  private fetchRange(offset: number, length: number, signal: AbortSignal | undefined, first: boolean): Promise<Uint8Array> {
    return withRetries(() => this.fetchOnce(offset, length, signal, first), {
      attempts: this.options.retries ?? 3, delayMs: this.options.retryDelayMs ?? 200, signal,
      note: (e) => this.stats.note(`retried after: ${e.message}`),
    });
  }

  private async fetchOnce(offset: number, length: number, signal: AbortSignal | undefined, first: boolean): Promise<Uint8Array> {
    const last = offset + length - 1;
    const t0 = performance.now();
    let response: Response;
    try {
      response = await this.fetchFn(this.name, {
        headers: { ...this.options.headers, Range: `bytes=${offset}-${last}` },
        signal, credentials: this.options.credentials,
      });
    } catch (e) {
      if (signal?.aborted) throw ioError('aborted', 'aborted', this.name);
      throw ioError('network', `fetch ${this.name} failed: ${(e as Error).message}`, this.name);
    }
    this.stats.requests++;
    const headersAt = performance.now();
    this.measured.rttMs = ewma(this.measured.rttMs, headersAt - t0);
    this.checkValidator(response);
    if (response.status === 416 && first) {
      this.size = 0;
      await response.body?.cancel();
      return new Uint8Array(0);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw httpStatusError(response, `HTTP ${response.status} ${response.statusText} for ${this.name}`, this.name);
    }
    let body: Uint8Array;
    try {
      body = new Uint8Array(await response.arrayBuffer());
    } catch (e) {
      if (signal?.aborted) throw ioError('aborted', 'aborted', this.name);
      throw ioError('network', `reading the body of ${this.name} failed: ${(e as Error).message}`, this.name);
    }
    this.stats.bytes += body.length;
    const done = performance.now();
    this.stats.waitMs += done - t0;
    // Bandwidth from bodies large enough to say something (a few KB are all latency).
    if (body.length >= 32 * 1024) this.measured.bytesPerMs = ewma(this.measured.bytesPerMs, body.length / Math.max(0.05, done - headersAt));
    if (response.status === 200) {
      // The server ignored Range: this is the whole file. Keep it; never fetch it again.
      const declared = Number(response.headers.get('Content-Length') ?? body.length);
      if (body.length < declared) throw ioError('network', `truncated body: ${body.length} of ${declared} bytes`, this.name);
      this.whole = body;
      this.size = body.length;
      this.stats.note(`server ignored Range and sent the whole file (${body.length} bytes)`);
      return body.subarray(offset, Math.min(offset + length, body.length));
    }
    if (response.status !== 206) throw ioError('httpError', `unexpected HTTP ${response.status} for a Range request`, this.name);
    const total = checkPartialContent(offset, length, response.headers.get('Content-Range'), body.length, this.name);
    if (total >= 0) this.size = total;
    return body;
  }

  /** Cross-origin responses may hide Content-Range; Content-Length of a HEAD is always visible. */
  private async headSize(signal?: AbortSignal): Promise<number> {
    const response = await this.fetchFn(this.name, { method: 'HEAD', headers: this.options.headers, signal, credentials: this.options.credentials });
    this.stats.requests++;
    const n = Number(response.headers.get('Content-Length'));
    if (!response.ok || !Number.isFinite(n)) throw ioError('httpError', `cannot learn the size of ${this.name}`, this.name);
    this.checkValidator(response);
    return n;
  }

  private checkValidator(response: Response) {
    const v = response.headers.get('ETag') ?? response.headers.get('Last-Modified');
    if (!v || response.status >= 400) return;
    if (this.validator === null) this.validator = v;
    else if (this.validator !== v) {
      throw ioError('sourceChanged', `${this.name} changed while being read (ETag ${this.validator} → ${v})`, this.name);
    }
  }
}

/**
 * A request (GET unless `init` says otherwise) with the options' headers, credentials and fetch
 * that answered 2xx: a network failure or an HTTP status is a LazydcmError naming `what` and the
 * URL (5xx and 429 marked retriable).
 */
export async function fetchOk(url: string, options: HttpOptions, what: string, init: RequestInit = {}): Promise<Response> {
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  let response: Response;
  try {
    response = await fetchFn(url, { headers: options.headers, credentials: options.credentials, ...init });
  } catch (e) {
    throw ioError('network', `${what} ${url} failed: ${(e as Error).message}`, url);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw httpStatusError(response, `HTTP ${response.status} ${response.statusText} ${what} ${url}`, url);
  }
  return response;
}

/** An exponentially weighted mean (the first sample as is). */
function ewma(mean: number, sample: number): number {
  return Number.isFinite(mean) ? 0.7 * mean + 0.3 * sample : sample;
}

const links = new Map<string, { rttMs: number; bytesPerMs: number }>();
function linkOf(origin: string) {
  let l = links.get(origin);
  if (!l) links.set(origin, (l = { rttMs: NaN, bytesPerMs: NaN }));
  return l;
}
