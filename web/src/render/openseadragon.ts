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

  // A batch of tiles asked for together (the downloadTileStart calls of one task): their frames are read as one request plan
  // (Slide.prefetch: a row of adjacent tiles, one Range read), then each tile is decoded from those
  // reads. The batch's reads are aborted once no tile of it is still waiting; a tile's own read
  // when OpenSeadragon aborts it.
  const stats = { batches: 0, tiles: 0, aborted: 0 };
  const live = new Set<AbortController>();
  interface Batch { controller: AbortController; open: number }
  interface Data { aborted?: boolean; batch?: Batch; controller?: AbortController; settled?: boolean }
  const data = (job: TileJob) => job.userData as Data;

  const settle = (job: TileJob) => {
    const d = data(job);
    if (d.settled) return;
    d.settled = true;
    if (d.controller) live.delete(d.controller);
    if (d.batch && --d.batch.open === 0) {
      d.batch.controller.abort();  // nothing of it is waited for any more (a no-op once it is read)
      live.delete(d.batch.controller);
    }
  };

  const startBatch = (jobs: TileJob[]) => {
    jobs = jobs.filter((job) => !data(job).aborted);
    if (!jobs.length) return;
    const batch: Batch = { controller: new AbortController(), open: jobs.length };
    live.add(batch.controller);
    stats.batches++;
    stats.tiles += jobs.length;
    const boxes = new Map<SlideLevel, { x: number; y: number; width: number; height: number }[]>();
    const tiles = jobs.map((job) => {
      const [level, x, y] = job.src.split('/').slice(-3).map(Number);
      const s = source(level);
      const d = 2 ** (maxLevel - level);
      // OpenSeadragon's level size is ceil(size / d); the DICOM level's may differ by a pixel (filled).
      const w = Math.min(tileSize, Math.ceil(width / d) - x * tileSize), h = Math.min(tileSize, Math.ceil(height / d) - y * tileSize);
      const target = 'tileColumns' in s ? s : s.source;  // resized levels read through their source's tiles
      const box = 'tileColumns' in s ? { x: x * tileSize, y: y * tileSize, width: w, height: h }
        : { x: Math.floor(x * tileSize * s.scaleColumn), y: Math.floor(y * tileSize * s.scaleRow), width: Math.ceil(w * s.scaleColumn), height: Math.ceil(h * s.scaleRow) };
      boxes.set(target, [...(boxes.get(target) ?? []), box]);
      data(job).batch = batch;
      return { job, s, level, x, y, w, h };
    });
    for (const [level, b] of boxes) {
      slide.prefetch(level, b, { focalPlane: options.focalPlane, priority: 1, signal: batch.controller.signal }).catch(() => undefined);
    }
    for (const t of tiles) load(t.job, t.s, t.level, t.x, t.y, t.w, t.h);
  };

  const abort = (job: TileJob) => {
    const d = data(job);
    if (d.aborted || d.settled) return;
    d.aborted = true;
    stats.aborted++;
    d.controller?.abort();
    settle(job);
  };

  // One call per tile; those of one task make a batch. (OpenSeadragon 6.1's own batch jobs are not
  // used: its ImageLoader.clear(), called on every draw, drops batch buckets before their timer
  // flushes them, so a batch-enabled source is never asked for a tile.)
  let gathered: TileJob[] = [];
  const gather = (job: TileJob) => {
    gathered.push(job);
    if (gathered.length > 1) return;
    setTimeout(() => {
      const jobs = gathered;
      gathered = [];
      startBatch(jobs);
    }, 0);
  };

  return {
    width, height, tileSize, tileOverlap: 0, minLevel, maxLevel,
    /** Batches and tiles started, tiles aborted (by OpenSeadragon, or by cancel()). */
    stats,
    getTileUrl(level: number, x: number, y: number): string {
      return `lazydcm:${slide.instances[0]?.summary.sopInstanceUid ?? ''}/${options.focalPlane ?? 0}/${level}/${x}/${y}`;
    },
    hasTransparency(): boolean {
      return false;
    },
    downloadTileStart(job: TileJob): void {
      gather(job);
    },
    downloadTileAbort(job: TileJob): void {
      abort(job);
    },
    /**
     * Aborts every read in flight (OpenSeadragon aborts only loads that time out: call this when
     * the viewer closes or opens another slide). Aborted tiles are not reported as errors.
     */
    cancel(): void {
      for (const c of live) c.abort();
      live.clear();
    },
  };

  function load(job: TileJob, s: SlideLevel | ResizedLevel, level: number, x: number, y: number, w: number, h: number): void {
    const d = data(job);
    if (d.aborted) return;
    d.controller = new AbortController();
    live.add(d.controller);
    slide.getPatch(s, x * tileSize, y * tileSize, w, h, { focalPlane: options.focalPlane, icc: options.icc, fill: 255, signal: d.controller.signal }).then((patch) => {
      settle(job);
      if (d.aborted) return;
      const canvas = document.createElement('canvas');
      [canvas.width, canvas.height] = [w, h];
      const ctx = canvas.getContext('2d')!;
      ctx.putImageData(toImageData(patch, { window: EIGHT_BIT }), 0, 0);
      job.finish(ctx, null, 'context2d');
    }, (e: Error) => {
      settle(job);
      if (d.aborted || d.controller!.signal.aborted) {
        stats.aborted += d.aborted ? 0 : 1;
        d.aborted = true;
        return;  // aborted: neither an error nor a failed tile (OpenSeadragon dropped it)
      }
      options.onError?.(e, { level, x, y });
      job.fail(`lazydcm: ${e.message}`, null);
    });
  }
}
