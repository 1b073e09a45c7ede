/// <reference lib="dom" preserve="true" />
/**
 * A lazydcm slide as an OpenSeadragon tile source: OpenSeadragon asks for tiles of its power-of-two
 * pyramid; each is read from the DICOM level of the same resolution (one frame, usually), or area-
 * resampled from the nearest finer level when the slide has no such level.
 *
 * ```js
 * const slide = await openSlide(url);
 * OpenSeadragon({ id: 'viewer', tileSources: slideTileSource(slide) });
 * ```
 */
import type { PatchOptions, ResizedLevel, Slide, SlideLevel } from '../model/slide.js';
import { EIGHT_BIT, toImageData } from './pixels.js';

export interface TileSourceOptions {
  focalPlane?: number;
  icc?: PatchOptions['icc'];
  /** Called with every tile error (OpenSeadragon itself only logs them). */
  onError?: (error: Error, tile: { level: number; x: number; y: number }) => void;
}

/** Fields OpenSeadragon's ImageJob gives downloadTileStart. */
interface TileJob {
  src: string;
  userData: { aborted?: boolean };
  finish(data: unknown, request: unknown, dataType: string): void;
  fail(message: string, request: unknown): void;
}

/**
 * An inline OpenSeadragon tile source (pass it as `tileSources`, or to `viewer.open`). It needs
 * OpenSeadragon 5 or later (custom `downloadTileStart` with typed tile data).
 */
export function slideTileSource(slide: Slide, options: TileSourceOptions = {}) {
  const l0 = slide.levels[0];
  const width = l0.columns, height = l0.rows;
  const tileSize = l0.tileColumns;
  const maxLevel = Math.ceil(Math.log2(Math.max(width, height)));
  // Below the level where the image fits one tile there is nothing to gain.
  const minLevel = Math.max(0, maxLevel - Math.ceil(Math.log2(Math.max(width, height) / tileSize)));
  const cache = new Map<number, SlideLevel | ResizedLevel>();

  /** What an OpenSeadragon level is read from: a DICOM level of that size, or a finer one resampled. */
  const source = (level: number): SlideLevel | ResizedLevel => {
    let s = cache.get(level);
    if (s) return s;
    const d = 2 ** (maxLevel - level);
    const down = (l: SlideLevel) => width / l.columns;
    const exact = slide.levels.find((l) => Math.abs(down(l) / d - 1) < 0.01);
    if (exact) {
      s = exact;
    } else {
      const finer = slide.levels.filter((l) => down(l) < d).sort((a, b) => down(b) - down(a))[0] ?? l0;
      const rows = Math.ceil(height / d), columns = Math.ceil(width / d);
      const spacing = finer.spacing ? { row: finer.spacing.row * finer.rows / rows, column: finer.spacing.column * finer.columns / columns }
        : { row: finer.rows / rows, column: finer.columns / columns };
      s = { source: finer, rows, columns, spacing, scaleRow: finer.rows / rows, scaleColumn: finer.columns / columns };
    }
    cache.set(level, s);
    return s;
  };

  // OpenSeadragon asks for a view's tiles one call at a time, in one go: the calls of one task are
  // gathered and their frames read as one request plan (Slide.prefetch: a row of adjacent tiles,
  // one Range read), then each tile is decoded from the cache or by joining those reads.
  const waiting: (() => void)[] = [];
  const boxes = new Map<SlideLevel, { x: number; y: number; width: number; height: number }[]>();
  const gather = (s: SlideLevel | ResizedLevel, box: { x: number; y: number; width: number; height: number }, start: () => void) => {
    if ('tileColumns' in s) boxes.set(s, [...(boxes.get(s) ?? []), box]);  // resized levels read through their source
    waiting.push(start);
    if (waiting.length > 1) return;
    setTimeout(() => {
      for (const [level, b] of boxes) slide.prefetch(level, b, { focalPlane: options.focalPlane, priority: 1 }).catch(() => undefined);
      boxes.clear();
      for (const f of waiting.splice(0)) f();
    }, 0);
  };

  return {
    width, height, tileSize, tileOverlap: 0, minLevel, maxLevel,
    getTileUrl(level: number, x: number, y: number): string {
      return `lazydcm:${slide.instances[0]?.summary.sopInstanceUid ?? ''}/${options.focalPlane ?? 0}/${level}/${x}/${y}`;
    },
    hasTransparency(): boolean {
      return false;
    },
    downloadTileStart(job: TileJob): void {
      const [level, x, y] = job.src.split('/').slice(-3).map(Number);
      const s = source(level);
      const d = 2 ** (maxLevel - level);
      // OpenSeadragon's level size is ceil(size / d); the DICOM level's may differ by a pixel (filled).
      const w = Math.min(tileSize, Math.ceil(width / d) - x * tileSize), h = Math.min(tileSize, Math.ceil(height / d) - y * tileSize);
      gather(s, { x: x * tileSize, y: y * tileSize, width: w, height: h }, () => load(job, s, level, x, y, w, h));
    },
    downloadTileAbort(job: TileJob): void {
      job.userData.aborted = true;
    },
  };

  function load(job: TileJob, s: SlideLevel | ResizedLevel, level: number, x: number, y: number, w: number, h: number): void {
    if (job.userData.aborted) return;
    slide.getPatch(s, x * tileSize, y * tileSize, w, h, { focalPlane: options.focalPlane, icc: options.icc, fill: 255 }).then((patch) => {
      if (job.userData.aborted) return;
      const canvas = document.createElement('canvas');
      [canvas.width, canvas.height] = [w, h];
      const ctx = canvas.getContext('2d')!;
      ctx.putImageData(toImageData(patch, { window: EIGHT_BIT }), 0, 0);
      job.finish(ctx, null, 'context2d');
    }, (e: Error) => {
      options.onError?.(e, { level, x, y });
      if (!job.userData.aborted) job.fail(`lazydcm: ${e.message}`, null);
    });
  }
}
