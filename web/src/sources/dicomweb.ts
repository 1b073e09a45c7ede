import { ErrorCode, ioError, LazydcmError } from '../core/errors.js';
import { IoStats } from '../io/stats.js';
import type { DicomJson } from '../core/dicom-json.js';
import { httpStatusError, withRetries } from '../io/retry.js';
import type { FrameSource } from './source.js';

/** How to reach a DICOMweb server. */
export interface DicomWebOptions {
  /** Extra request headers, e.g. `{ Authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
  /**
   * Returns a bearer token; called before the first request and again (with `refresh: true`)
   * after a 401, once per request.
   */
  token?: (refresh: boolean) => string | Promise<string>;
  /** Attempts for 429 / 5xx / network failures (Retry-After honoured). Default 4. */
  retries?: number;
  /** First backoff in ms, doubled per attempt. Default 250. */
  retryDelayMs?: number;
  /** Frame numbers per WADO-RS frames request (EZ-WSI uses 400). Default 100. */
  framesPerRequest?: number;
  /**
   * The `transfer-syntax` asked for frames: '*' (default: as stored, no transcoding) or a UID
   * (the server transcodes, e.g. '1.2.840.10008.1.2.1' for servers that cannot send JPEG 2000).
   */
  transferSyntax?: string;
  fetch?: typeof fetch;
}

/** Study, series and instance of a DICOMweb URL: `<base>/studies/S[/series/R[/instances/I]]`. */
export interface DicomWebPath {
  base: string;
  study: string;
  series?: string;
  instance?: string;
}

const PATH = /^(.*?)\/studies\/([0-9.]+)(?:\/series\/([0-9.]+)(?:\/instances\/([0-9.]+))?)?\/?$/;

/** Parses a DICOMweb study/series/instance URL; null when the URL is not one. */
export function parseDicomWebUrl(url: string): DicomWebPath | null {
  if (!/^https?:\/\//i.test(url)) return null;
  const m = PATH.exec(url.split(/[?#]/)[0]);
  return m ? { base: m[1], study: m[2], series: m[3], instance: m[4] } : null;
}

/**
 * A DICOMweb client: QIDO-RS searches, WADO-RS metadata, frames (multipart/related, batched) and
 * bulk data. Errors are LazydcmErrors (`httpError` with the status, `network`, `aborted`); 429 and
 * 5xx are retried with exponential backoff.
 */
export class DicomWebClient {
  readonly stats = new IoStats();
  private readonly fetchFn: typeof fetch;
  private token: string | undefined;

  constructor(readonly base: string, readonly options: DicomWebOptions = {}) {
    this.base = base.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** QIDO-RS: studies matching `query` (e.g. `{ PatientID: 'X', limit: '10' }`). */
  searchStudies(query: Record<string, string> = {}, signal?: AbortSignal): Promise<DicomJson[]> {
    return this.json(`/studies${queryString(query)}`, signal);
  }

  /** QIDO-RS: series (of a study, or of all studies). */
  searchSeries(study?: string, query: Record<string, string> = {}, signal?: AbortSignal): Promise<DicomJson[]> {
    return this.json(`${study ? `/studies/${study}` : ''}/series${queryString(query)}`, signal);
  }

  /** QIDO-RS: instances of a series (or of a study). */
  searchInstances(study: string, series?: string, query: Record<string, string> = {}, signal?: AbortSignal): Promise<DicomJson[]> {
    return this.json(`/studies/${study}${series ? `/series/${series}` : ''}/instances${queryString(query)}`, signal);
  }

  /** WADO-RS metadata of every instance of a series. */
  seriesMetadata(study: string, series: string, signal?: AbortSignal): Promise<DicomJson[]> {
    return this.json(`/studies/${study}/series/${series}/metadata`, signal);
  }

  /** WADO-RS metadata of one instance. */
  async instanceMetadata(study: string, series: string, instance: string, signal?: AbortSignal): Promise<DicomJson> {
    const [m] = await this.json<DicomJson[]>(`/studies/${study}/series/${series}/instances/${instance}/metadata`, signal);
    if (!m) throw new LazydcmError(ErrorCode.httpError, 'httpError', 'empty metadata response', undefined, this.base);
    return m;
  }

  /**
   * WADO-RS frames (1-based numbers) in one request: the frames' bytes in the order asked, and
   * the transfer syntax the server says they are in.
   */
  async frames(study: string, series: string, instance: string, numbers: number[], signal?: AbortSignal): Promise<{ frames: Uint8Array[]; transferSyntaxUid: string }> {
    const ts = this.options.transferSyntax ?? '*';
    const path = `/studies/${study}/series/${series}/instances/${instance}/frames/${numbers.join(',')}`;
    const response = await this.request(path, `multipart/related; type="application/octet-stream"; transfer-syntax=${ts}`, signal);
    const body = new Uint8Array(await response.arrayBuffer());
    this.stats.bytes += body.length;
    const parts = parseMultipart(body, response.headers.get('Content-Type') ?? '', this.base + path);
    if (parts.length !== numbers.length) {
      throw new LazydcmError(ErrorCode.httpError, 'httpError', `${parts.length} parts for ${numbers.length} frames`, undefined, this.base + path);
    }
    const syntax = parts[0] ? transferSyntaxOf(parts[0].contentType) ?? transferSyntaxOf(response.headers.get('Content-Type') ?? '') : undefined;
    return { frames: parts.map((p) => p.body), transferSyntaxUid: syntax ?? (ts === '*' ? '' : ts) };
  }

  /**
   * Where a BulkDataURI is fetched: relative URIs against `relativeTo`; absolute ones under the
   * server's DICOMweb path are rebased onto this client's base, since servers behind proxies (and
   * Orthanc) write their own host into them (as OHIF does).
   */
  bulkDataUrl(uri: string, relativeTo?: string): string {
    const base = new URL(this.base);
    const u = new URL(uri, relativeTo ?? `${this.base}/`);
    const at = u.pathname.indexOf(base.pathname);
    if (base.pathname !== '/' && at >= 0 && u.origin !== base.origin) return base.origin + u.pathname.slice(at) + u.search;
    return u.href;
  }

  /** The bytes behind a BulkDataURI (multipart or plain octet-stream answers). */
  async bulkData(uri: string, signal?: AbortSignal, relativeTo?: string): Promise<Uint8Array> {
    uri = this.bulkDataUrl(uri, relativeTo);
    const response = await this.request(uri, 'multipart/related; type="application/octet-stream"', signal);
    const body = new Uint8Array(await response.arrayBuffer());
    this.stats.bytes += body.length;
    const type = response.headers.get('Content-Type') ?? '';
    if (!/^multipart\//i.test(type)) return body;
    const [part] = parseMultipart(body, type, uri);
    return part?.body ?? new Uint8Array(0);
  }

  private async json<T = DicomJson[]>(path: string, signal?: AbortSignal): Promise<T> {
    const response = await this.request(path, 'application/dicom+json, application/json', signal);
    const text = await response.text();
    this.stats.bytes += text.length;
    if (response.status === 204 || !text.trim()) return [] as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new LazydcmError(ErrorCode.invalidJson, 'invalidJson', 'the server answered with invalid JSON', undefined, this.base + path);
    }
  }

  /** One GET with retries (429, 5xx, network: io/retry.ts) and a token refresh after a 401. @internal */
  request(pathOrUrl: string, accept: string, signal?: AbortSignal): Promise<Response> {
    const url = /^https?:\/\//i.test(pathOrUrl) ? pathOrUrl : this.base + pathOrUrl;
    return withRetries(() => this.requestOnce(url, accept, signal), {
      attempts: this.options.retries ?? 4, delayMs: this.options.retryDelayMs ?? 250, signal,
      note: (e) => this.stats.note(e.codeName === 'network' ? `retried after a network error: ${e.message}` : `retried after ${e.message.split(':')[0]}`),
    });
  }

  private async requestOnce(url: string, accept: string, signal: AbortSignal | undefined, refreshed = false): Promise<Response> {
    if (signal?.aborted) throw ioError('aborted', 'aborted', url);
    if (this.options.token && this.token === undefined) this.token = await this.options.token(false);
    const headers: Record<string, string> = { Accept: accept, ...this.options.headers };
    if (this.token !== undefined) headers.Authorization = `Bearer ${this.token}`;
    const t0 = performance.now();
    let response: Response;
    try {
      this.stats.requests++;
      response = await this.fetchFn(url, { headers, signal });
    } catch (e) {
      if (signal?.aborted) throw ioError('aborted', 'aborted', url);
      throw ioError('network', `network error: ${(e as Error).message}`, url);
    } finally {
      this.stats.waitMs += performance.now() - t0;
    }
    if (response.ok) return response;
    if (response.status === 401 && this.options.token && !refreshed) {
      await response.body?.cancel();
      this.token = await this.options.token(true);
      return this.requestOnce(url, accept, signal, true);  // the refresh is not a retry
    }
    const detail = (await response.text().catch(() => '')).slice(0, 200).replace(/\s+/g, ' ').trim();
    throw httpStatusError(response, `HTTP ${response.status} ${statusMeaning(response.status)}${detail ? `: ${detail}` : ''}`, url);
  }
}

/** The transfer syntaxes learned from frames, per cache key (so cached frames decode right). */
const learnedSyntax = new Map<string, string>();

/**
 * One instance on a DICOMweb server, as the Instance model sees it: no bytes by range, frames by
 * number (batched up to `framesPerRequest`), bulk data by URI. Frames are immutable per SOP
 * Instance UID, so they are cached under the instance URL (and the syntax asked) across opens.
 */
export class DicomWebInstanceSource implements FrameSource {
  readonly name: string;

  constructor(readonly client: DicomWebClient, readonly study: string, readonly series: string, readonly instance: string) {
    this.name = `${client.base}/studies/${study}/series/${series}/instances/${instance}`;
  }

  get stats(): IoStats {
    return this.client.stats;
  }

  get framesPerRequest(): number {
    return Math.max(1, this.client.options.framesPerRequest ?? 100);
  }

  /** The transfer syntax earlier frames (asked in the same syntax) came in, if any. */
  get knownTransferSyntax(): string | undefined {
    return learnedSyntax.get(this.cacheKey());
  }

  async readFrames(numbers: number[], signal?: AbortSignal): Promise<{ frames: Uint8Array[]; transferSyntaxUid: string }> {
    const out = await this.client.frames(this.study, this.series, this.instance, numbers, signal);
    if (out.transferSyntaxUid) learnedSyntax.set(this.cacheKey(), out.transferSyntaxUid);
    return out;
  }

  bulkData(uri: string, signal?: AbortSignal): Promise<Uint8Array> {
    return this.client.bulkData(uri, signal, `${this.name}/`);
  }

  /** Frames differ by the transfer syntax asked for (as stored, or transcoded by the server). */
  cacheKey(): string {
    return `${this.name}|${this.client.options.transferSyntax ?? '*'}`;
  }
}

function queryString(query: Record<string, string>): string {
  const q = new URLSearchParams(query).toString();
  return q ? `?${q}` : '';
}

function transferSyntaxOf(contentType: string): string | undefined {
  return /transfer-syntax\s*=\s*"?([0-9.]+)/i.exec(contentType)?.[1];
}

function statusMeaning(status: number): string {
  return ({ 400: '(bad request)', 401: '(unauthorized)', 403: '(forbidden)', 404: '(not found)', 406: '(not acceptable: the server cannot send this transfer syntax or media type)',
    429: '(too many requests)', 500: '(server error)', 502: '(bad gateway)', 503: '(unavailable)', 504: '(gateway timeout)' } as Record<number, string>)[status] ?? '';
}

/** Parts of a multipart/related body: each part's Content-Type and bytes. */
export function parseMultipart(body: Uint8Array, contentType: string, name?: string): { contentType: string; body: Uint8Array }[] {
  const m = /boundary\s*=\s*"?([^";]+)"?/i.exec(contentType);
  if (!m) throw new LazydcmError(ErrorCode.httpError, 'httpError', `not a multipart answer (Content-Type: ${contentType || 'none'})`, undefined, name);
  const delimiter = new TextEncoder().encode(`--${m[1]}`);
  const parts: { contentType: string; body: Uint8Array }[] = [];
  let pos = indexOf(body, delimiter, 0);
  while (pos >= 0) {
    let start = pos + delimiter.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break;  // closing delimiter
    const headerEnd = indexOf(body, CRLFCRLF, start);
    if (headerEnd < 0) break;
    const headers = new TextDecoder().decode(body.subarray(start, headerEnd));
    start = headerEnd + 4;
    const length = /content-length\s*:\s*(\d+)/i.exec(headers);
    let end: number;
    let next: number;
    if (length && start + Number(length[1]) <= body.length) {
      end = start + Number(length[1]);
      next = indexOf(body, delimiter, end);
    } else {
      next = indexOf(body, delimiter, start);
      end = next < 0 ? body.length : next;
      if (body[end - 2] === 0x0d && body[end - 1] === 0x0a) end -= 2;  // the CRLF before the delimiter
    }
    parts.push({ contentType: /content-type\s*:\s*([^\r\n]+)/i.exec(headers)?.[1].trim() ?? '', body: body.subarray(start, end) });
    pos = next;
  }
  if (!parts.length && body.length) {
    throw new LazydcmError(ErrorCode.httpError, 'httpError', 'no parts in the multipart answer', undefined, name);
  }
  return parts;
}

const CRLFCRLF = new Uint8Array([13, 10, 13, 10]);

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  outer: for (let i = hay.indexOf(first, from); i >= 0 && i + needle.length <= hay.length; i = hay.indexOf(first, i + 1)) {
    for (let k = 1; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}
