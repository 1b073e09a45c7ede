/** Byte ranges merged when the gap between them is at most `maxGap`: fewer, larger reads. */
export interface Span {
  offset: number;
  length: number;
}

export function coalesce<T extends Span>(items: T[], maxGap: number): { offset: number; length: number; items: T[] }[] {
  const sorted = [...items].sort((a, b) => a.offset - b.offset);
  const out: { offset: number; length: number; items: T[] }[] = [];
  for (const it of sorted) {
    const last = out[out.length - 1];
    if (last && it.offset - (last.offset + last.length) <= maxGap) {
      last.length = Math.max(last.length, it.offset + it.length - last.offset);
      last.items.push(it);
    } else {
      out.push({ offset: it.offset, length: it.length, items: [it] });
    }
  }
  return out;
}
