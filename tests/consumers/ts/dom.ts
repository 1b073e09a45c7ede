// A TypeScript --strict consumer with DOM types (bundler resolution): the browser typings.
import { DecodePool, open, SlideView, type Region } from 'lazydcm';

export async function region(url: string, canvas: HTMLCanvasElement): Promise<Region> {
  const pool = await DecodePool.create(1);
  const inst = await open(url, { decodePool: pool });
  const r = await inst.getTotalPixelMatrix({ rowEnd: 10, columnEnd: 10 });
  void SlideView;
  void canvas;
  return r;
}
