import { ioError } from '../core/errors.js';
import { fetchOk, type HttpOptions } from './http.js';

/**
 * Bucket listings through the public APIs, so a series folder can be opened by its prefix:
 * `s3://bucket/prefix/` (S3 ListObjectsV2, paged by continuation token) and `gs://bucket/prefix/`
 * (GCS JSON API `storage/v1/b/<bucket>/o?prefix=`, paged by page token). A trailing `*` (as in the
 * `s5cmd` lines the IDC portal exports) means the same as a trailing `/`.
 */
export interface ListingOptions extends HttpOptions {
  /** Where the GCS JSON API lives. Default https://storage.googleapis.com. */
  gcsApiEndpoint?: string;
  /** Keys per listing page (S3 max-keys, GCS maxResults). Default 1000. */
  pageSize?: number;
}

/** A bucket URL that names a prefix rather than one object: it ends with `/` or `*`. */
export function isPrefixUrl(url: string): boolean {
  return /^(s3|gs):\/\/[^/]+(\/.*)?[/*]$/.test(url) || /^(s3|gs):\/\/[^/]+$/.test(url);
}

function splitBucketUrl(url: string): { scheme: 's3' | 'gs'; bucket: string; prefix: string } {
  const m = /^(s3|gs):\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw ioError('httpError', `not a bucket URL: ${url}`);
  return { scheme: m[1] as 's3' | 'gs', bucket: m[2], prefix: m[3].replace(/\*$/, '') };
}

/** The objects under a prefix, as `s3://bucket/key` / `gs://bucket/key` URLs in key order. */
export async function listObjects(url: string, options: ListingOptions = {}): Promise<string[]> {
  const { scheme, bucket, prefix } = splitBucketUrl(url);
  const keys = scheme === 's3' ? await listS3(bucket, prefix, options) : await listGcs(bucket, prefix, options);
  return keys.filter((k) => !k.endsWith('/')).sort().map((k) => `${scheme}://${bucket}/${k}`);
}

async function getText(url: string, options: ListingOptions): Promise<string> {
  return (await fetchOk(url, options, 'listing')).text();
}

const xmlText = (s: string) =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#(\d+);/g, (_, d) => String.fromCharCode(Number(d))).replace(/&amp;/g, '&');

async function listS3(bucket: string, prefix: string, options: ListingOptions): Promise<string[]> {
  const base = options.s3Endpoint ? `${options.s3Endpoint.replace(/\/$/, '')}/${bucket}` : `https://${bucket}.s3.amazonaws.com`;
  const keys: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 100000; page++) {
    const q = new URLSearchParams({ 'list-type': '2', prefix, 'max-keys': String(options.pageSize ?? 1000) });
    if (token) q.set('continuation-token', token);
    const xml = await getText(`${base}/?${q}`, options);
    for (const m of xml.matchAll(/<Contents>[\s\S]*?<Key>([\s\S]*?)<\/Key>[\s\S]*?<\/Contents>/g)) keys.push(xmlText(m[1]));
    const truncated = /<IsTruncated>true<\/IsTruncated>/.test(xml);
    token = /<NextContinuationToken>([\s\S]*?)<\/NextContinuationToken>/.exec(xml)?.[1];
    if (!truncated) return keys;
    if (!token) throw ioError('httpError', `S3 listing of ${bucket}/${prefix} is truncated without a continuation token`);
    token = xmlText(token);
  }
  return keys;
}

async function listGcs(bucket: string, prefix: string, options: ListingOptions): Promise<string[]> {
  const base = `${(options.gcsApiEndpoint ?? 'https://storage.googleapis.com').replace(/\/$/, '')}/storage/v1/b/${encodeURIComponent(bucket)}/o`;
  const keys: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 100000; page++) {
    const q = new URLSearchParams({ prefix, maxResults: String(options.pageSize ?? 1000), fields: 'items(name),nextPageToken' });
    if (token) q.set('pageToken', token);
    const j = JSON.parse(await getText(`${base}?${q}`, options)) as { items?: { name: string }[]; nextPageToken?: string };
    for (const item of j.items ?? []) keys.push(item.name);
    token = j.nextPageToken;
    if (!token) return keys;
  }
  return keys;
}

/**
 * The sources an IDC manifest names: `s5cmd` lines (`cp s3://idc-open-data/<uuid>/* .`), or one
 * URL / bucket URL per line. Blank lines and `#` comments are skipped.
 */
export function parseManifest(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const url = /((?:s3|gs|https?):\/\/\S+)/.exec(line)?.[1];
    if (url) out.push(url.replace(/^["']|["']$/g, ''));
  }
  return out;
}

/** Bucket prefixes expanded to their objects; everything else as given. */
export async function expandSources(sources: string[], options: ListingOptions = {}): Promise<string[]> {
  const out: string[] = [];
  for (const s of sources) out.push(...(isPrefixUrl(s) ? await listObjects(s, options) : [s]));
  return out;
}
