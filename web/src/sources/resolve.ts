import { ErrorCode, LazydcmError } from '../core/errors.js';
import { BlobSource } from './blob.js';
import { HttpSource, type HttpOptions } from './http.js';
import { platform } from '../platform/platform.js';
import type { ByteSource } from './source.js';

/**
 * What `open()` accepts: a URL (http, https, gs, s3), a Node path (in a browser: a URL relative to
 * the page), a File/Blob, or a ByteSource.
 */
export type Source = string | URL | Blob | ByteSource;

export function isByteSource(x: unknown): x is ByteSource {
  return typeof x === 'object' && x !== null && 'read' in x && 'open' in x && 'stats' in x;
}

export function toByteSource(src: Source, http: HttpOptions = {}): ByteSource {
  if (isByteSource(src)) return src;
  if (typeof Blob !== 'undefined' && src instanceof Blob) return new BlobSource(src);
  const text = src instanceof URL ? src.href : (src as string);
  if (/^(https?|gs|s3):\/\//i.test(text)) return new HttpSource(text, http);
  const file = platform().fileSource(text);
  if (!file) {
    // Browsers have no file paths: a relative or absolute path is a URL on the page's server.
    const base = globalThis.location?.href;
    if (!base || /^[a-z][a-z0-9+.-]*:/i.test(text)) {
      throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', `'${text}': not an http(s), gs or s3 URL, and file paths exist only in Node`);
    }
    return new HttpSource(new URL(text, base).href, http);
  }
  return file;
}
