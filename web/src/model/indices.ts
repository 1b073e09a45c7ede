import { ErrorCode, LazydcmError } from '../core/errors.js';

/**
 * highdicom's row/column/slice conventions to 0-based half-open [start, end): 1-based with an
 * exclusive end by default (`asIndices: true`: 0-based); omitted start = first, omitted end = past
 * the last; negative values count from the end (-1 = the last); 0 is an error unless asIndices.
 */
export function standardizeRange(start: number | undefined, end: number | undefined, count: number,
  asIndices: boolean, what: string): [number, number] {
  const bad = (why: string) => new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', `${what}: ${why}`);
  const convert = (v: number, name: string) => {
    if (!Number.isInteger(v)) throw bad(`${name} ${v} is not an integer`);
    if (v < 0) return count + v;
    if (v === 0 && !asIndices) throw bad(`${name} 0 is not valid with 1-based numbers (did you mean asIndices: true?)`);
    return asIndices ? v : v - 1;
  };
  const s = start === undefined ? 0 : convert(start, 'start');
  const e = end === undefined ? count : convert(end, 'end');
  if (s < 0 || s >= count) throw bad(`start is outside 1..${count}`);
  if (e <= s || e > count) throw bad(`end must be after start and at most ${asIndices ? count : count + 1}`);
  return [s, e];
}
