import { BlobSource } from './blob.js';
import { HttpSource, type HttpOptions } from './http.js';
import { NodeFileSource } from './node-file.js';
import type { ByteSource } from './source.js';

/** What `open()` accepts: a URL (http, https, gs, s3), a Node path, a File/Blob, or a ByteSource. */
export type Source = string | URL | Blob | ByteSource;

export function isByteSource(x: unknown): x is ByteSource {
  return typeof x === 'object' && x !== null && 'read' in x && 'open' in x && 'stats' in x;
}

export function toByteSource(src: Source, http: HttpOptions = {}): ByteSource {
  if (isByteSource(src)) return src;
  if (typeof Blob !== 'undefined' && src instanceof Blob) return new BlobSource(src);
  const text = src instanceof URL ? src.href : (src as string);
  if (/^(https?|gs|s3):\/\//i.test(text)) return new HttpSource(text, http);
  if (text.startsWith('file://')) return new NodeFileSource(decodeURIComponent(new URL(text).pathname));
  return new NodeFileSource(text);
}
