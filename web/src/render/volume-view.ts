/// <reference lib="dom" preserve="true" />
/**
 * A WebGL2 multiplanar view of a volume: the volume in a 3D texture (16-bit integers when the
 * values are, else float32), window/level in the fragment shader, each pane a plane in patient
 * space (see mpr.ts) sampled through the inverse affine — so oblique volumes and a segmentation on
 * its own grid line up by their affines, not by their indices. A label volume draws as a coloured
 * overlay from a colour table (labelColourTable: recommended display colours, hidden segments).
 * A volume larger than the GPU's 3D texture size is bricked: several textures, overlapping by one
 * voxel so linear sampling across a seam is exact, each pane drawn once per brick.
 */
import { ErrorCode, LazydcmError } from '../core/errors.js';
import { program, RECT_VERTEX, uniforms, unitQuad, webgl2 } from './gl.js';
import { invertAffine, type Volume } from '../model/volume.js';
import { planeGeometry, type PlaneGeometry, type PlaneName } from './mpr.js';
import { fullRangeWindow, type Window } from './pixels.js';

/** One pane: a plane at a slice, drawn into a rectangle of the canvas (pixels, y down). */
export interface VolumePane {
  plane: PlaneName;
  slice: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface VolumeViewOptions {
  /** Sampling of the volume (labels are always nearest). Default 'linear'. */
  interpolation?: 'linear' | 'nearest';
  /** 0..255. Default black. */
  background?: [number, number, number];
  /** Largest 3D texture edge used (default and maximum: the GPU's MAX_3D_TEXTURE_SIZE); bigger volumes are bricked. */
  maxTextureSize?: number;
}

const fragment = (intVolume: boolean) => `#version 300 es
precision highp float;
precision highp int;
precision highp ${intVolume ? 'isampler3D' : 'sampler3D'};
precision highp usampler3D;
uniform highp ${intVolume ? 'isampler3D' : 'sampler3D'} u_vol;
uniform highp usampler3D u_labels;
uniform sampler2D u_lut;
uniform bool u_hasLabels, u_linear;
uniform vec3 u_origin, u_right, u_down, u_shape, u_labShape, u_background;
uniform mat4 u_toVox, u_toLab;
uniform vec2 u_window;
uniform float u_opacity, u_canvasH;
uniform vec4 u_pane;
uniform ivec3 u_brick0, u_brickOwn, u_brickTex, u_lab0, u_labOwn;
uniform bool u_labFirst;
out vec4 o;

// i: a voxel of the whole volume (texture x, y, z = column, row, slice); the brick holds
// [u_brick0, u_brick0 + u_brickTex) of it.
float fetchV(ivec3 i) {
  i = clamp(i, ivec3(0), ivec3(u_shape) - 1);
  return float(texelFetch(u_vol, clamp(i - u_brick0, ivec3(0), u_brickTex - 1), 0).r);
}

void main() {
  vec2 px = vec2(gl_FragCoord.x - u_pane.x, u_canvasH - gl_FragCoord.y - u_pane.y) - 0.5;
  vec3 p = u_origin + px.x * u_right + px.y * u_down;
  vec3 t = (u_toVox * vec4(p, 1.0)).zyx;  // (column, row, slice): texture x, y, z
  if (any(lessThan(t, vec3(-0.5))) || any(greaterThanEqual(t, u_shape - 0.5))) { o = vec4(u_background, 1.0); return; }
  // Another brick draws this fragment (the one owning the voxel sampling starts from).
  ivec3 key = clamp(ivec3(floor(u_linear ? t : t + 0.5)), ivec3(0), ivec3(u_shape) - 1);
  if (any(lessThan(key, u_brick0)) || any(greaterThanEqual(key, u_brick0 + u_brickOwn))) discard;
  float v;
  if (u_linear) {
    vec3 f = t - floor(t);
    ivec3 i = ivec3(floor(t));
    v = mix(mix(mix(fetchV(i), fetchV(i + ivec3(1, 0, 0)), f.x), mix(fetchV(i + ivec3(0, 1, 0)), fetchV(i + ivec3(1, 1, 0)), f.x), f.y),
            mix(mix(fetchV(i + ivec3(0, 0, 1)), fetchV(i + ivec3(1, 0, 1)), f.x), mix(fetchV(i + ivec3(0, 1, 1)), fetchV(i + ivec3(1, 1, 1)), f.x), f.y), f.z);
  } else {
    v = fetchV(ivec3(floor(t + 0.5)));
  }
  // DICOM LINEAR VOI: centre c, width w.
  float c = u_window.x, w = u_window.y;
  float g = v <= c - 0.5 - (w - 1.0) / 2.0 ? 0.0 : v > c - 0.5 + (w - 1.0) / 2.0 ? 1.0 : (v - (c - 0.5)) / max(w - 1.0, 1.0) + 0.5;
  vec3 col = vec3(g);
  if (u_hasLabels) {
    vec3 l = (u_toLab * vec4(p, 1.0)).zyx;
    if (all(greaterThanEqual(l, vec3(-0.5))) && all(lessThan(l, u_labShape - 0.5))) {
      ivec3 li = ivec3(floor(l + 0.5));
      if (any(lessThan(li, u_lab0)) || any(greaterThanEqual(li, u_lab0 + u_labOwn))) discard;  // another label brick's
      uint label = texelFetch(u_labels, li - u_lab0, 0).r;
      if (label > 0u) {
        vec4 s = texelFetch(u_lut, ivec2(int(label % 256u), int(label / 256u)), 0);
        col = mix(col, s.rgb, s.a * u_opacity);
      }
    } else if (!u_labFirst) {
      discard;  // outside the labels: drawn with the first label brick
    }
  }
  o = vec4(col, 1.0);
}`;

const NAMES = ['u_rect', 'u_canvas', 'u_vol', 'u_labels', 'u_lut', 'u_hasLabels', 'u_linear', 'u_origin', 'u_right', 'u_down',
  'u_shape', 'u_labShape', 'u_background', 'u_toVox', 'u_toLab', 'u_window', 'u_opacity', 'u_canvasH', 'u_pane',
  'u_brick0', 'u_brickOwn', 'u_brickTex', 'u_lab0', 'u_labOwn', 'u_labFirst'] as const;

/** A brick: texture x, y, z (column, row, slice) start, voxels it owns, voxels it holds (own + 1 overlap, clipped). */
interface Brick {
  tex: WebGLTexture;
  start: [number, number, number];
  own: [number, number, number];
  held: [number, number, number];
}

/**
 * Bricks of a volume of `size` (x, y, z) for textures of at most `max` a side: per axis one brick
 * when it fits, else bricks owning `max - overlap` voxels each and holding `overlap` of the next.
 */
function brickGrid(size: number[], max: number, overlap: number): Omit<Brick, 'tex'>[] {
  const axes = size.map((n) => {
    const own = n <= max ? n : max - overlap;
    return Array.from({ length: Math.ceil(n / own) }, (_, k) => ({ start: k * own, own: Math.min(own, n - k * own) }));
  });
  const out: Omit<Brick, 'tex'>[] = [];
  for (const z of axes[2]) for (const y of axes[1]) for (const x of axes[0]) {
    const start: [number, number, number] = [x.start, y.start, z.start], own: [number, number, number] = [x.own, y.own, z.own];
    out.push({ start, own, held: [0, 1, 2].map((a) => Math.min(own[a] + overlap, size[a] - start[a])) as [number, number, number] });
  }
  return out;
}

/** The box [start, start + held) of a C-order volume of `size` (x, y, z) as a new array of `Ctor`. */
type BrickArray = Int16Array | Float32Array | Uint8Array | Uint16Array;
function copyBrick(data: ArrayLike<number>, size: number[], start: number[], held: number[], Ctor: new (n: number) => BrickArray): BrickArray {
  const part = new Ctor(held[0] * held[1] * held[2]);
  let at = 0;
  for (let z = start[2]; z < start[2] + held[2]; z++) for (let y = start[1]; y < start[1] + held[1]; y++) {
    const row = (z * size[1] + y) * size[0] + start[0];
    for (let x = 0; x < held[0]; x++) part[at++] = data[row + x];
  }
  return part;
}

/** Column-major 4x4 for uniformMatrix4fv. */
const columnMajor = (m: number[][]) => new Float32Array([0, 1, 2, 3].flatMap((c) => [0, 1, 2, 3].map((r) => m[r][c])));

export class VolumeView {
  /** The window applied to the volume's values (HU for CT). */
  window: Window = { center: 40, width: 400 };
  /** Overlay opacity, 0..1. */
  opacity = 0.5;
  private readonly gl: WebGL2RenderingContext;
  private readonly quad: WebGLVertexArrayObject;
  private progs = new Map<boolean, { prog: WebGLProgram; u: Record<(typeof NAMES)[number], WebGLUniformLocation | null> }>();
  private volume?: { shape: number[]; affine: number[][]; toVox: number[][]; bricks: Brick[]; int: boolean };
  private labels?: { shape: number[]; toLab: number[][]; bricks: Brick[]; wide: boolean };
  private lut: WebGLTexture;

  constructor(readonly canvas: HTMLCanvasElement | OffscreenCanvas, private readonly options: VolumeViewOptions = {}) {
    this.gl = webgl2(canvas);
    this.quad = unitQuad(this.gl);
    this.lut = this.gl.createTexture()!;
    this.setColours(new Uint8Array(4));
  }

  /** 3D textures the volume is drawn from (1 unless it is larger than the texture size: bricks). */
  get bricks(): number {
    return this.volume?.bricks.length ?? 0;
  }

  /**
   * Uploads a scalar volume (shape [slices, rows, columns]); sets the window to its range. Brick
   * by brick: the extra memory is one brick's copy, not the volume's.
   */
  setVolume(volume: Volume, window?: Window, options: {
    /**
     * 16-bit integer texture (true) or float32 (false); default: whether every value is a 16-bit
     * integer.
     */
    integer?: boolean;
  } = {}): void {
    if (volume.shape.length !== 3) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', `volume of shape [${volume.shape}]: one channel only`);
    const data = volume.data as ArrayLike<number>;
    let int = options.integer ?? true;
    if (options.integer === undefined) {
      for (let i = 0; i < data.length && int; i++) int = Number.isInteger(data[i]) && data[i] >= -32768 && data[i] <= 32767;
    }
    this.upload(volume.shape, volume.affine, int, data);
    this.window = window ?? fullRangeWindow(data);
  }

  /**
   * An empty volume on a grid (zeros), to be filled slice by slice with updateSlice — a volume
   * shown as it is read, without a second copy of it (getVolume's onSlice hands each slice).
   */
  setGrid(grid: { shape: number[]; affine: number[][] }, window: Window, options: { integer: boolean }): void {
    this.upload(grid.shape, grid.affine, options.integer);
    this.window = window;
  }

  private upload(shape: number[], affine: number[][], int: boolean, data?: ArrayLike<number>): void {
    const [s, r, c] = shape;
    const gl = this.gl;
    const max3d = this.maxTexture();
    this.deleteVolume();
    const bricks: Brick[] = [];
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    // Per axis (x = column, y = row, z = slice): one brick when it fits, else bricks owning
    // max3d - 1 voxels each plus one voxel of the next (linear sampling across the seam).
    for (const { start, own, held } of brickGrid([c, r, s], max3d, 1)) {
      const part = data && copyBrick(data, [c, r, s], start, held, int ? Int16Array : Float32Array);
      const tex = gl.createTexture()!;
      gl.bindTexture(gl.TEXTURE_3D, tex);
      if (int) gl.texImage3D(gl.TEXTURE_3D, 0, gl.R16I, held[0], held[1], held[2], 0, gl.RED_INTEGER, gl.SHORT, part ?? null);
      else gl.texImage3D(gl.TEXTURE_3D, 0, gl.R32F, held[0], held[1], held[2], 0, gl.RED, gl.FLOAT, part ?? null);
      this.nearest(gl.TEXTURE_3D);
      bricks.push({ tex, start, own, held });
    }
    this.volume = { shape: [s, r, c], affine, toVox: invertAffine(affine), bricks, int };
  }

  private maxTexture(): number {
    const gl = this.gl;
    const max3d = Math.min(gl.getParameter(gl.MAX_3D_TEXTURE_SIZE) as number, this.options.maxTextureSize ?? Infinity);
    if (max3d < 2) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', `a 3D texture size of ${max3d}`);
    return max3d;
  }

  /**
   * Replaces slice `k` (rows x columns values, as Series.getVolume's onSlice gives them) in every
   * brick holding it: a volume shown as it fills.
   */
  updateSlice(k: number, values: ArrayLike<number>): void {
    const v = this.volume;
    if (!v) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', 'no volume: call setVolume first');
    const c = v.shape[2];
    const gl = this.gl;
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    for (const b of v.bricks) {
      const z = k - b.start[2];
      if (z < 0 || z >= b.held[2]) continue;
      const [w, h] = b.held;
      const part = copyBrick(values, [c, v.shape[1], 1], [b.start[0], b.start[1], 0], [w, h, 1], v.int ? Int16Array : Float32Array);
      gl.bindTexture(gl.TEXTURE_3D, b.tex);
      if (v.int) gl.texSubImage3D(gl.TEXTURE_3D, 0, 0, 0, z, w, h, 1, gl.RED_INTEGER, gl.SHORT, part);
      else gl.texSubImage3D(gl.TEXTURE_3D, 0, 0, 0, z, w, h, 1, gl.RED, gl.FLOAT, part);
    }
  }

  private deleteVolume(): void {
    for (const b of this.volume?.bricks ?? []) this.gl.deleteTexture(b.tex);
    this.volume = undefined;
  }

  /**
   * A label volume (integers: segment numbers) on its own grid, or null to remove; colours from
   * labelColourTable. Bricked like the volume when larger than the texture size (labels are
   * sampled nearest: bricks do not overlap).
   */
  setLabels(labels: Volume | null, colours?: Uint8Array): void {
    const gl = this.gl;
    this.deleteLabels();
    if (colours) this.setColours(colours);
    if (!labels) return;
    const [s, r, c] = labels.shape;
    const data = labels.data as ArrayLike<number>;
    let max = 0;
    for (let i = 0; i < data.length; i++) if (data[i] > max) max = data[i];
    const wide = max >= 256 || data instanceof Uint16Array;
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    const bricks: Brick[] = [];
    for (const { start, own, held } of brickGrid([c, r, s], this.maxTexture(), 0)) {
      const part = copyBrick(data, [c, r, s], start, held, wide ? Uint16Array : Uint8Array);
      const tex = gl.createTexture()!;
      gl.bindTexture(gl.TEXTURE_3D, tex);
      if (!wide) gl.texImage3D(gl.TEXTURE_3D, 0, gl.R8UI, held[0], held[1], held[2], 0, gl.RED_INTEGER, gl.UNSIGNED_BYTE, part);
      else gl.texImage3D(gl.TEXTURE_3D, 0, gl.R16UI, held[0], held[1], held[2], 0, gl.RED_INTEGER, gl.UNSIGNED_SHORT, part);
      this.nearest(gl.TEXTURE_3D);
      bricks.push({ tex, start, own, held });
    }
    this.labels = { shape: [s, r, c], toLab: invertAffine(labels.affine), bricks, wide };
  }

  /** 3D textures the label volume is drawn from (0 without one). */
  get labelBricks(): number {
    return this.labels?.bricks.length ?? 0;
  }

  /**
   * Replaces slice `k` of the label volume (rows x columns labels): an overlay filled slice by
   * slice as it is read (SegmentOverlay). A Uint16Array label volume takes labels above 255.
   */
  setLabelSlice(k: number, data: Uint8Array | Uint16Array): void {
    const l = this.labels;
    if (!l) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', 'setLabelSlice before setLabels');
    const [, r, c] = l.shape;
    const gl = this.gl;
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    for (const b of l.bricks) {
      const z = k - b.start[2];
      if (z < 0 || z >= b.held[2]) continue;
      const [w, h] = b.held;
      const part = copyBrick(data, [c, r, 1], [b.start[0], b.start[1], 0], [w, h, 1], l.wide ? Uint16Array : Uint8Array);
      gl.bindTexture(gl.TEXTURE_3D, b.tex);
      if (l.wide) gl.texSubImage3D(gl.TEXTURE_3D, 0, 0, 0, z, w, h, 1, gl.RED_INTEGER, gl.UNSIGNED_SHORT, part);
      else gl.texSubImage3D(gl.TEXTURE_3D, 0, 0, 0, z, w, h, 1, gl.RED_INTEGER, gl.UNSIGNED_BYTE, part);
    }
  }

  private deleteLabels(): void {
    for (const b of this.labels?.bricks ?? []) this.gl.deleteTexture(b.tex);
    this.labels = undefined;
  }

  /** Replaces the colour table (RGBA per label; alpha 0 hides a segment) — cheap, for toggling segments. */
  setColours(colours: Uint8Array): void {
    const gl = this.gl;
    const n = Math.max(1, colours.length / 4), w = Math.min(256, n), h = Math.ceil(n / 256);
    const padded = new Uint8Array(w * h * 4);
    padded.set(colours.subarray(0, padded.length));
    gl.bindTexture(gl.TEXTURE_2D, this.lut);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, w, h, 0, gl.RGBA, gl.UNSIGNED_BYTE, padded);
    this.nearest(gl.TEXTURE_2D);
  }

  /** How many slices a plane has (steps along the volume axis nearest its normal). */
  slices(plane: PlaneName): number {
    return this.geometry({ plane, slice: 0, x: 0, y: 0, width: 1, height: 1 }).slices;
  }

  /** The patient-space geometry of a pane. */
  geometry(pane: VolumePane): PlaneGeometry {
    if (!this.volume) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', 'no volume: call setVolume first');
    return planeGeometry(this.volume.shape, this.volume.affine, pane.plane, pane.slice, pane.width, pane.height);
  }

  /** The LPS point at the centre of canvas pixel (cx, cy), which is inside `pane`. */
  canvasToPatient(pane: VolumePane, cx: number, cy: number): [number, number, number] {
    const g = this.geometry(pane);
    const i = cx - pane.x, j = cy - pane.y;
    return [0, 1, 2].map((k) => g.origin[k] + i * g.right[k] + j * g.down[k]) as [number, number, number];
  }

  /** Draws the panes (the rest of the canvas is left as it is). */
  draw(panes: VolumePane[]): void {
    if (!this.volume) throw new LazydcmError(ErrorCode.invalidArgument, 'invalidArgument', 'no volume: call setVolume first');
    const gl = this.gl, v = this.volume;
    const { prog, u } = this.program(v.int);
    gl.useProgram(prog);
    gl.bindVertexArray(this.quad);
    gl.viewport(0, 0, this.canvas.width, this.canvas.height);
    gl.uniform1i(u.u_vol, 0);
    gl.uniform1i(u.u_labels, 1);
    gl.activeTexture(gl.TEXTURE2);
    gl.bindTexture(gl.TEXTURE_2D, this.lut);
    gl.uniform1i(u.u_lut, 2);
    const labels = this.opacity > 0 ? this.labels : undefined;  // at opacity 0 the labels change nothing
    gl.uniform1i(u.u_hasLabels, labels ? 1 : 0);
    gl.uniform1i(u.u_linear, this.options.interpolation === 'nearest' ? 0 : 1);
    gl.uniform3f(u.u_shape, v.shape[2], v.shape[1], v.shape[0]);
    if (labels) gl.uniform3f(u.u_labShape, labels.shape[2], labels.shape[1], labels.shape[0]);
    gl.uniformMatrix4fv(u.u_toVox, false, columnMajor(v.toVox));
    if (labels) gl.uniformMatrix4fv(u.u_toLab, false, columnMajor(labels.toLab));
    const [br, bg, bb] = this.options.background ?? [0, 0, 0];
    gl.uniform3f(u.u_background, br / 255, bg / 255, bb / 255);
    gl.uniform2f(u.u_window, this.window.center, Math.max(1, this.window.width));
    gl.uniform1f(u.u_opacity, this.opacity);
    gl.uniform1f(u.u_canvasH, this.canvas.height);
    gl.uniform2f(u.u_canvas, this.canvas.width, this.canvas.height);
    for (const pane of panes) {
      const g = this.geometry(pane);
      gl.uniform4f(u.u_rect, pane.x, pane.y, pane.width, pane.height);
      gl.uniform4f(u.u_pane, pane.x, pane.y, pane.width, pane.height);
      gl.uniform3fv(u.u_origin, g.origin);
      gl.uniform3fv(u.u_right, g.right);
      gl.uniform3fv(u.u_down, g.down);
      // Each fragment is drawn by the one pair of bricks owning it: the volume brick owning the
      // voxel its sampling starts from, the label brick owning its label voxel (the first when
      // the point is outside the label volume).
      for (const b of v.bricks) {
        gl.activeTexture(gl.TEXTURE0);
        gl.bindTexture(gl.TEXTURE_3D, b.tex);
        gl.uniform3i(u.u_brick0, ...b.start);
        gl.uniform3i(u.u_brickOwn, ...b.own);
        gl.uniform3i(u.u_brickTex, ...b.held);
        for (const [i, l] of (labels?.bricks ?? [undefined]).entries()) {
          gl.activeTexture(gl.TEXTURE1);
          gl.bindTexture(gl.TEXTURE_3D, l?.tex ?? null);
          if (l) {
            gl.uniform3i(u.u_lab0, ...l.start);
            gl.uniform3i(u.u_labOwn, ...l.own);
            gl.uniform1i(u.u_labFirst, i === 0 ? 1 : 0);
          }
          gl.drawArrays(gl.TRIANGLES, 0, 6);
        }
      }
    }
    gl.bindVertexArray(null);
  }

  destroy(): void {
    const gl = this.gl;
    this.deleteVolume();
    this.deleteLabels();
    gl.deleteTexture(this.lut);
    for (const p of this.progs.values()) gl.deleteProgram(p.prog);
  }

  private program(int: boolean) {
    let p = this.progs.get(int);
    if (!p) {
      const prog = program(this.gl, RECT_VERTEX, fragment(int));
      p = { prog, u: uniforms(this.gl, prog, NAMES) };
      this.progs.set(int, p);
    }
    return p;
  }

  private nearest(target: number): void {
    const gl = this.gl;
    gl.texParameteri(target, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(target, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    for (const p of [gl.TEXTURE_WRAP_S, gl.TEXTURE_WRAP_T, gl.TEXTURE_WRAP_R]) gl.texParameteri(target, p, gl.CLAMP_TO_EDGE);
  }
}
