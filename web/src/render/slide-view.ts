/// <reference lib="dom" preserve="true" />
/**
 * A WebGL2 pan/zoom view of a whole-slide pyramid: the visible tiles of the level that suits the
 * zoom are fetched as one request plan (nearest the centre first), kept as textures (LRU) and
 * drawn over whatever coarser tiles are already loaded, so the picture sharpens in place. Reads a
 * newer view no longer needs are aborted; once a view is drawn, the ring of tiles around it is
 * read at low priority, so the next pan costs no request. `lastView` says what a view cost.
 */
import type { LazydcmError } from '../core/errors.js';
import type { PatchOptions, Slide, SlideLevel } from '../model/slide.js';
import { program, RECT_VERTEX, uniforms, unitQuad, webgl2 } from './gl.js';

/** Centre (x, y) in level-0 pixels; zoom in canvas pixels per level-0 pixel. */
export interface SlideViewState {
  x: number;
  y: number;
  zoom: number;
}

export interface SlideViewOptions {
  focalPlane?: number;
  /** Colour management of the tiles (see PatchOptions.icc). Default off. */
  icc?: PatchOptions['icc'];
  /** Tile textures kept (LRU). Default 512. */
  maxTextures?: number;
  /** Tiles fetched at once. Default 6. */
  concurrency?: number;
  /** Texture filtering. Default 'linear'. */
  interpolation?: 'linear' | 'nearest';
  /**
   * A view needing more tiles than this (a slide without coarse enough levels, zoomed out) fetches
   * none of that level and sets `tooManyTiles`. Default 1024.
   */
  maxTilesPerView?: number;
  /** Canvas colour where no tile is drawn, 0..255. Default [240, 240, 240]. */
  background?: [number, number, number];
  /**
   * Tiles around the view read (into the encoded frame cache, at low priority) once the view is
   * drawn: the next pan or zoom by up to this many tiles costs no request. 0: none. Default 1.
   */
  prefetchRing?: number;
  /** Called after every draw (tiles arriving, view changes): update counters here. */
  onDraw?: (view: SlideView) => void;
  /** A tile failed (it is not retried until `retry()`). */
  onError?: (error: LazydcmError | Error, tile: TileAddress) => void;
}

/** What one view cost, from its last change until its last tile was drawn. */
export interface ViewStats {
  /** Requests and bytes of the slide's sources in that time (an earlier view's ring prefetch still running included). */
  requests: number;
  bytes: number;
  /** Tiles drawn for it. */
  tiles: number;
  /** Milliseconds to the full view (every visible tile of the level drawn or failed). */
  ms: number;
  /** Reads of earlier views aborted because this one no longer needed them. */
  cancelled: number;
}

/** A tile: its level and its column / row in the level's tile grid. */
export interface TileAddress {
  level: number;
  column: number;
  row: number;
}

const FRAGMENT = `#version 300 es
precision highp float;
uniform sampler2D u_tex;
uniform bool u_grey;
in vec2 v_uv;
out vec4 o;
void main() {
  vec4 c = texture(u_tex, v_uv);
  o = u_grey ? vec4(c.rrr, 1.0) : vec4(c.rgb, 1.0);
}`;

export class SlideView {
  /** Tile loads finished (textures uploaded) since the view was made. */
  tilesLoaded = 0;
  /** The last draw wanted more tiles of one level than `maxTilesPerView` (zoom in, or add pyramid levels). */
  tooManyTiles = false;
  /** The tiles that failed, by key 'level/column/row'. */
  readonly failed = new Map<string, Error>();
  /** Reads (a view's batches, tile loads, ring prefetches) aborted because the view moved on. */
  cancelledReads = 0;
  /** The cost of the last view drawn in full (see ViewStats); undefined before the first. */
  lastView: ViewStats | undefined;
  private readonly gl: WebGL2RenderingContext;
  private readonly prog: WebGLProgram;
  private readonly quad: WebGLVertexArrayObject;
  private readonly u;
  private readonly textures = new Map<string, { tex: WebGLTexture; grey: boolean; tile: TileAddress }>();
  /** Tiles being loaded, with what aborts them. */
  private readonly inflight = new Map<string, AbortController>();
  /** Tiles whose frames were asked for in a view's batch (requestView), by key: the batch. */
  private readonly batched = new Map<string, { controller: AbortController; keys: string[] }>();
  /** The ring prefetch of the current view, once started. */
  private ring: { controller: AbortController; keys: Set<string> } | undefined;
  /** Tiles the current view wants (visible tiles of the backdrop and target levels). */
  private wanted = new Set<string>();
  /** The view being filled: when it changed and the counters then. */
  private viewStart: { t: number; requests: number; bytes: number; tiles: number; cancelled: number } | undefined;
  private queue: TileAddress[] = [];
  private view: SlideViewState;
  private frame = 0;
  private idleWaiters: (() => void)[] = [];
  private destroyed = false;

  constructor(readonly canvas: HTMLCanvasElement, readonly slide: Slide, private readonly options: SlideViewOptions = {}) {
    this.gl = webgl2(canvas);
    this.prog = program(this.gl, RECT_VERTEX, FRAGMENT);
    this.quad = unitQuad(this.gl);
    this.u = uniforms(this.gl, this.prog, ['u_rect', 'u_canvas', 'u_tex', 'u_grey'] as const);
    this.view = this.fitState();
    this.viewChanged();
  }

  /** The current centre and zoom. */
  get state(): SlideViewState {
    return { ...this.view };
  }

  /** The pyramid level drawn at the current zoom: the coarsest whose pixels are no larger than the screen's. */
  get level(): SlideLevel {
    return this.levelFor(this.view.zoom);
  }

  /** Tiles queued or being fetched. */
  get pendingTiles(): number {
    return this.queue.length + this.inflight.size;
  }

  levelFor(zoom: number): SlideLevel {
    const levels = this.slide.levels;
    let best = levels[0];
    for (const l of levels) {
      if (this.scale(l).fx <= 1 / zoom + 1e-9 && this.scale(l).fx > this.scale(best).fx) best = l;
    }
    return best;
  }

  /** Moves to a centre / zoom (missing fields unchanged). */
  setView(view: Partial<SlideViewState>): void {
    const next = { ...this.view, ...view };
    next.zoom = Math.min(64, Math.max(1e-4, next.zoom));
    this.view = next;
    this.viewChanged();
  }

  /** The whole slide, centred. */
  fit(): void {
    this.view = this.fitState();
    this.viewChanged();
  }

  /** Pans by canvas pixels. */
  panBy(dx: number, dy: number): void {
    this.setView({ x: this.view.x - dx / this.view.zoom, y: this.view.y - dy / this.view.zoom });
  }

  /** Zooms by `factor` keeping the level-0 point under canvas pixel (cx, cy) in place. */
  zoomAt(factor: number, cx = this.canvas.width / 2, cy = this.canvas.height / 2): void {
    const { x, y, zoom } = this.view;
    const z = Math.min(64, Math.max(1e-4, zoom * factor));
    const px = x + (cx - this.canvas.width / 2) / zoom, py = y + (cy - this.canvas.height / 2) / zoom;
    this.setView({ zoom: z, x: px - (cx - this.canvas.width / 2) / z, y: py - (cy - this.canvas.height / 2) / z });
  }

  /** Level-0 pixel under a canvas pixel. */
  canvasToSlide(cx: number, cy: number): { x: number; y: number } {
    const { x, y, zoom } = this.view;
    return { x: x + (cx - this.canvas.width / 2) / zoom, y: y + (cy - this.canvas.height / 2) / zoom };
  }

  /** Resolves once every visible tile of the current level is drawn (or failed). */
  idle(): Promise<void> {
    if (!this.pendingTiles && !this.frame) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Forgets failed tiles so they are fetched again. */
  retry(): void {
    this.failed.clear();
    this.requestDraw();
  }

  /** Mouse / touch: drag to pan, wheel or double-click to zoom. Returns a function that removes the handlers. */
  attachControls(): () => void {
    const c = this.canvas;
    const scale = () => c.width / (c.clientWidth || c.width);
    let drag: { x: number; y: number } | null = null;
    const down = (e: PointerEvent) => {
      drag = { x: e.clientX, y: e.clientY };
      c.setPointerCapture(e.pointerId);
    };
    const move = (e: PointerEvent) => {
      if (!drag) return;
      this.panBy((e.clientX - drag.x) * scale(), (e.clientY - drag.y) * scale());
      drag = { x: e.clientX, y: e.clientY };
    };
    const up = () => { drag = null; };
    const wheel = (e: WheelEvent) => {
      e.preventDefault();
      this.zoomAt(Math.exp(-e.deltaY * 0.0015), e.offsetX * scale(), e.offsetY * scale());
    };
    const dbl = (e: MouseEvent) => this.zoomAt(e.shiftKey ? 0.5 : 2, e.offsetX * scale(), e.offsetY * scale());
    c.addEventListener('pointerdown', down);
    c.addEventListener('pointermove', move);
    c.addEventListener('pointerup', up);
    c.addEventListener('pointercancel', up);
    c.addEventListener('wheel', wheel, { passive: false });
    c.addEventListener('dblclick', dbl);
    return () => {
      c.removeEventListener('pointerdown', down);
      c.removeEventListener('pointermove', move);
      c.removeEventListener('pointerup', up);
      c.removeEventListener('pointercancel', up);
      c.removeEventListener('wheel', wheel);
      c.removeEventListener('dblclick', dbl);
    };
  }

  /** Frees the textures; the slide stays open (the caller owns it). */
  destroy(): void {
    this.destroyed = true;
    if (this.frame && typeof cancelAnimationFrame !== 'undefined') cancelAnimationFrame(this.frame);
    for (const t of this.textures.values()) this.gl.deleteTexture(t.tex);
    this.textures.clear();
    this.queue = [];
    for (const c of this.inflight.values()) c.abort();
    for (const b of new Set(this.batched.values())) b.controller.abort();
    this.ring?.controller.abort();
    this.resolveIdle();
  }

  /** Draws now (normally called for you on the next animation frame). */
  draw(): void {
    this.frame = 0;
    if (this.destroyed) return;
    const gl = this.gl;
    const [br, bg, bb] = this.options.background ?? [240, 240, 240];
    gl.viewport(0, 0, this.canvas.width, this.canvas.height);
    gl.clearColor(br / 255, bg / 255, bb / 255, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    gl.useProgram(this.prog);
    gl.bindVertexArray(this.quad);
    gl.uniform2f(this.u.u_canvas, this.canvas.width, this.canvas.height);
    gl.uniform1i(this.u.u_tex, 0);
    gl.activeTexture(gl.TEXTURE0);
    const target = this.level;
    const levels = this.slide.levels;
    // The loaded tiles of the target and coarser levels that are on screen, coarsest first so the
    // target's tiles end up on top (bounded by maxTextures, whatever the level's tile count).
    const onScreen = [...this.textures.entries()]
      .map(([key, t]) => ({ key, t, r: this.screenRect(t.tile) }))
      .filter(({ t, r }) => t.tile.level >= target.index && r.x < this.canvas.width && r.y < this.canvas.height && r.x + r.width > 0 && r.y + r.height > 0)
      .sort((a, b) => b.t.tile.level - a.t.tile.level);
    for (const { key, t, r } of onScreen) {
      this.textures.delete(key);  // LRU: most recently drawn last
      this.textures.set(key, t);
      gl.bindTexture(gl.TEXTURE_2D, t.tex);
      gl.uniform1i(this.u.u_grey, t.grey ? 1 : 0);
      gl.uniform4f(this.u.u_rect, r.x, r.y, r.width, r.height);
      gl.drawArrays(gl.TRIANGLES, 0, 6);
    }
    gl.bindVertexArray(null);
    // What to fetch: the coarsest level (a backdrop), then the target's visible tiles, centre first.
    // A level needing more than the cap is not fetched (a single-level slide zoomed out would
    // otherwise queue every tile of the image).
    const cap = this.options.maxTilesPerView ?? 1024;
    const backdrop = this.visible(levels[levels.length - 1], cap);
    const focus = target.index === levels.length - 1 ? [] : this.visible(target, cap);
    this.tooManyTiles = !backdrop || !focus;
    const distance = (t: TileAddress) => {
      const r = this.screenRect(t);
      return Math.hypot(r.x + r.width / 2 - this.canvas.width / 2, r.y + r.height / 2 - this.canvas.height / 2);
    };
    const wanted = [...(backdrop ?? []), ...(focus ?? [])];
    const keys = new Set(wanted.map((t) => this.key(t)));
    if (keys.size !== this.wanted.size || [...keys].some((k) => !this.wanted.has(k))) {
      this.wanted = keys;
      this.cancelStale();
    }
    this.queue = wanted
      .filter((t) => { const k = this.key(t); return !this.textures.has(k) && !this.inflight.has(k) && !this.failed.has(k); })
      .map((t) => ({ t, d: distance(t) }))
      .sort((a, b) => (b.t.level - a.t.level) || a.d - b.d)
      .map(({ t }) => t);
    this.requestView();
    this.pump();
    this.options.onDraw?.(this);
    if (!this.pendingTiles) this.viewDrawn();
  }

  // ---- internals ----

  private fitState(): SlideViewState {
    const l0 = this.slide.levels[0];
    const zoom = Math.min(this.canvas.width / l0.columns, this.canvas.height / l0.rows);
    return { x: l0.columns / 2, y: l0.rows / 2, zoom };
  }

  /** Level-0 pixels per pixel of `level`, per axis. */
  private scale(level: SlideLevel): { fx: number; fy: number } {
    const l0 = this.slide.levels[0];
    return { fx: l0.columns / level.columns, fy: l0.rows / level.rows };
  }

  private key(t: TileAddress): string {
    return `${t.level}/${t.column}/${t.row}`;
  }

  /** A tile's rectangle in canvas pixels. */
  private screenRect(t: TileAddress) {
    const level = this.slide.levels[t.level];
    const { fx, fy } = this.scale(level);
    const { x, y, zoom } = this.view;
    const w = Math.min(level.tileColumns, level.columns - t.column * level.tileColumns);
    const h = Math.min(level.tileRows, level.rows - t.row * level.tileRows);
    return {
      x: (t.column * level.tileColumns * fx - x) * zoom + this.canvas.width / 2,
      y: (t.row * level.tileRows * fy - y) * zoom + this.canvas.height / 2,
      width: w * fx * zoom, height: h * fy * zoom,
    };
  }

  /** The level's tiles that intersect the canvas (and `margin` tiles around it), or null when there are more than `cap`. */
  private visible(level: SlideLevel, cap: number, margin = 0): TileAddress[] | null {
    const a = this.canvasToSlide(0, 0), b = this.canvasToSlide(this.canvas.width, this.canvas.height);
    const { fx, fy } = this.scale(level);
    const across = Math.ceil(level.columns / level.tileColumns), down = Math.ceil(level.rows / level.tileRows);
    const c0 = Math.max(0, Math.floor(a.x / fx / level.tileColumns) - margin), c1 = Math.min(across - 1, Math.floor(b.x / fx / level.tileColumns) + margin);
    const r0 = Math.max(0, Math.floor(a.y / fy / level.tileRows) - margin), r1 = Math.min(down - 1, Math.floor(b.y / fy / level.tileRows) + margin);
    if (Math.max(0, c1 - c0 + 1) * Math.max(0, r1 - r0 + 1) > cap) return null;
    const out: TileAddress[] = [];
    for (let row = r0; row <= r1; row++) for (let column = c0; column <= c1; column++) out.push({ level: level.index, column, row });
    return out;
  }

  /** The counters of a view start at its last change (a drag: where the user let go). */
  private viewChanged(): void {
    const s = this.slide.stats;
    this.viewStart = { t: performance.now(), requests: s.requests, bytes: s.bytes, tiles: this.tilesLoaded, cancelled: this.cancelledReads };
    this.requestDraw();
  }

  /**
   * The wanted tiles changed: aborts what the view no longer needs — tile loads, view batches none
   * of whose tiles it wants, the last view's ring prefetch unless the view moved into it (a batch
   * shared with wanted tiles goes on) — and lets a new ring start once this view is drawn.
   */
  private cancelStale(): void {
    for (const [key, controller] of this.inflight) {
      if (this.wanted.has(key)) continue;
      controller.abort();
      this.inflight.delete(key);
      this.cancelledReads++;
    }
    for (const batch of new Set(this.batched.values())) {
      if (batch.keys.some((k) => this.wanted.has(k))) continue;
      batch.controller.abort();
      for (const k of batch.keys) if (this.batched.get(k) === batch) this.batched.delete(k);
      this.cancelledReads++;
    }
    if (this.ring && ![...this.wanted].some((k) => this.ring!.keys.has(k))) {
      this.ring.controller.abort();
      this.cancelledReads++;
    }
    this.ring = undefined;
  }

  /** Every visible tile is drawn (or failed): the view's counters, then the ring around it. */
  private viewDrawn(): void {
    this.resolveIdle();
    if (this.viewStart) {
      const s = this.slide.stats, v = this.viewStart;
      this.lastView = { requests: s.requests - v.requests, bytes: s.bytes - v.bytes, tiles: this.tilesLoaded - v.tiles,
        ms: performance.now() - v.t, cancelled: this.cancelledReads - v.cancelled };
      this.viewStart = undefined;
    }
    this.requestRing();
  }

  /** The ring of `prefetchRing` tiles around the view, read into the frame cache at low priority. */
  private requestRing(): void {
    const margin = this.options.prefetchRing ?? 1;
    if (!margin || this.ring || this.tooManyTiles || this.destroyed) return;
    const level = this.level;
    const tiles = this.visible(level, this.options.maxTilesPerView ?? 1024, margin)?.filter((t) => {
      const k = this.key(t);
      return !this.wanted.has(k) && !this.textures.has(k);
    });
    if (!tiles?.length) return;
    const controller = new AbortController();
    this.ring = { controller, keys: new Set(tiles.map((t) => this.key(t))) };
    const boxes = tiles.map((t) => ({ x: t.column * level.tileColumns, y: t.row * level.tileRows, width: level.tileColumns, height: level.tileRows }));
    this.slide.prefetch(level, boxes, { focalPlane: this.options.focalPlane, priority: -1, signal: controller.signal }).catch(() => undefined);
  }

  private requestDraw(): void {
    if (this.frame || this.destroyed) return;
    this.frame = typeof requestAnimationFrame !== 'undefined' ? requestAnimationFrame(() => this.draw()) : (setTimeout(() => this.draw(), 0) as unknown as number);
  }

  /**
   * The view as one request plan: every queued tile not yet asked for goes to the slide at once,
   * per level, so tiles adjacent in the file arrive in one Range read (a row of a view: one request,
   * not one per tile); the tile loads then decode from the frame cache or join those reads.
   */
  private requestView(): void {
    const byLevel = new Map<number, TileAddress[]>();
    for (const t of this.queue) {
      if (this.batched.has(this.key(t))) continue;
      byLevel.set(t.level, [...(byLevel.get(t.level) ?? []), t]);
    }
    for (const [index, tiles] of byLevel) {
      const level = this.slide.levels[index];
      const batch = { controller: new AbortController(), keys: tiles.map((t) => this.key(t)) };
      for (const k of batch.keys) this.batched.set(k, batch);
      const boxes = tiles.map((t) => ({ x: t.column * level.tileColumns, y: t.row * level.tileRows, width: level.tileColumns, height: level.tileRows }));
      // Errors are the tiles' to report (their own loads fail with them).
      this.slide.prefetch(level, boxes, { focalPlane: this.options.focalPlane, priority: 1, signal: batch.controller.signal }).catch(() => undefined);
    }
  }

  private pump(): void {
    const limit = this.options.concurrency ?? 6;
    while (this.inflight.size < limit && this.queue.length) {
      const t = this.queue.shift()!;
      const key = this.key(t);
      const controller = new AbortController();
      this.inflight.set(key, controller);
      this.load(t, controller.signal).catch((e: Error) => {
        if (controller.signal.aborted) return;  // the view moved on: not a failure
        this.failed.set(key, e);
        this.options.onError?.(e, t);
      }).finally(() => {
        if (this.inflight.get(key) === controller) this.inflight.delete(key);
        this.batched.delete(key);
        this.requestDraw();
        this.pump();
      });
    }
  }

  private async load(t: TileAddress, signal: AbortSignal): Promise<void> {
    const level = this.slide.levels[t.level];
    const x = t.column * level.tileColumns, y = t.row * level.tileRows;
    const w = Math.min(level.tileColumns, level.columns - x), h = Math.min(level.tileRows, level.rows - y);
    const patch = await this.slide.getPatch(level, x, y, w, h, { focalPlane: this.options.focalPlane, icc: this.options.icc, priority: 1, signal });
    if (this.destroyed || signal.aborted) return;
    const gl = this.gl;
    const tex = gl.createTexture()!;
    gl.bindTexture(gl.TEXTURE_2D, tex);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    const grey = patch.samplesPerPixel === 1;
    gl.texImage2D(gl.TEXTURE_2D, 0, grey ? gl.R8 : gl.RGB8, w, h, 0, grey ? gl.RED : gl.RGB, gl.UNSIGNED_BYTE, patch.data);
    const filter = this.options.interpolation === 'nearest' ? gl.NEAREST : gl.LINEAR;
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, filter);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, filter);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    this.textures.set(this.key(t), { tex, grey, tile: t });
    this.tilesLoaded++;
    const max = this.options.maxTextures ?? 512;
    for (const [k, v] of this.textures) {
      if (this.textures.size <= max) break;
      gl.deleteTexture(v.tex);
      this.textures.delete(k);
    }
  }

  private resolveIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }
}
