import { ioError } from '../core/errors.js';

/** `bytes a-b/n` or `bytes a-b/*` (RFC 9110 §14.4), or null for anything else (multi-range, garbage). */
export function parseContentRange(value: string | null): { start: number; end: number; total: number } | null {
  const m = value ? /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15}|\*)$/i.exec(value.trim()) : null;
  if (!m) return null;
  const range = { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? -1 : Number(m[3]) };
  if (range.end < range.start || (range.total >= 0 && range.end >= range.total)) return null;  // unsatisfiable as written
  return range;
}

/**
 * Checks a 206 answer to `Range: bytes=offset-(offset+length-1)`: with a Content-Range, its bytes
 * must start at `offset` and the body must hold exactly the range it names; without one (a header
 * CORS does not expose), the body must not be longer than asked. Returns the file size the answer
 * tells (-1: unknown) or throws httpError / network (a truncated body: worth a retry).
 */
export function checkPartialContent(offset: number, length: number, contentRange: string | null, bodyLength: number,
  source: string): number {
  const range = parseContentRange(contentRange);
  if (contentRange !== null && contentRange.trim() !== '' && !range) {
    throw ioError('httpError', `unreadable Content-Range "${contentRange}" for bytes ${offset}-${offset + length - 1}`, source);
  }
  if (!range) {
    if (bodyLength > length) throw ioError('httpError', `206 without Content-Range and ${bodyLength} bytes for ${length} asked`, source);
    return -1;
  }
  if (range.start !== offset) throw ioError('httpError', `asked for bytes from ${offset}, got ${range.start}`, source);
  const expected = range.end - range.start + 1;
  if (bodyLength !== expected) throw ioError('network', `truncated body: ${bodyLength} of ${expected} bytes`, source);
  return range.total;
}
