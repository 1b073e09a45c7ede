/// <reference lib="dom" preserve="true" />
/** WebGL2 plumbing shared by the slide and volume views: context, programs, a unit quad. */
import { ErrorCode, LazydcmError } from '../core/errors.js';

function renderError(message: string): LazydcmError {
  return new LazydcmError(ErrorCode.renderError, 'renderError', message);
}

/** A WebGL2 context of the canvas, or a renderError saying why not. */
export function webgl2(canvas: HTMLCanvasElement | OffscreenCanvas, attributes: WebGLContextAttributes = {}): WebGL2RenderingContext {
  const gl = canvas.getContext('webgl2', { antialias: false, premultipliedAlpha: false, ...attributes }) as WebGL2RenderingContext | null;
  if (!gl) throw renderError('WebGL2 is not available in this browser (or the canvas already has another context)');
  return gl;
}

/** Compiles and links a program; shader logs become the error message. */
export function program(gl: WebGL2RenderingContext, vertex: string, fragment: string): WebGLProgram {
  const shader = (type: number, source: string) => {
    const s = gl.createShader(type)!;
    gl.shaderSource(s, source);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw renderError(`shader: ${gl.getShaderInfoLog(s)}`);
    return s;
  };
  const p = gl.createProgram()!;
  gl.attachShader(p, shader(gl.VERTEX_SHADER, vertex));
  gl.attachShader(p, shader(gl.FRAGMENT_SHADER, fragment));
  gl.linkProgram(p);
  if (!gl.getProgramParameter(p, gl.LINK_STATUS)) throw renderError(`program: ${gl.getProgramInfoLog(p)}`);
  return p;
}

/** A vertex array with the unit square (two triangles) at attribute 0. */
export function unitQuad(gl: WebGL2RenderingContext): WebGLVertexArrayObject {
  const vao = gl.createVertexArray()!;
  gl.bindVertexArray(vao);
  const buf = gl.createBuffer();
  gl.bindBuffer(gl.ARRAY_BUFFER, buf);
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([0, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1]), gl.STATIC_DRAW);
  gl.enableVertexAttribArray(0);
  gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
  gl.bindVertexArray(null);
  return vao;
}

/** Uniform locations of a program by name. */
export function uniforms<K extends string>(gl: WebGL2RenderingContext, p: WebGLProgram, names: readonly K[]): Record<K, WebGLUniformLocation | null> {
  return Object.fromEntries(names.map((n) => [n, gl.getUniformLocation(p, n)])) as Record<K, WebGLUniformLocation | null>;
}

/**
 * The vertex shader both views use: the unit quad placed at `u_rect` (x, y, width, height in
 * canvas pixels, y down) of a `u_canvas`-sized canvas; `v_uv` runs 0..1 across the rectangle.
 */
export const RECT_VERTEX = `#version 300 es
layout(location = 0) in vec2 a_pos;
uniform vec4 u_rect;
uniform vec2 u_canvas;
out vec2 v_uv;
void main() {
  v_uv = a_pos;
  vec2 px = u_rect.xy + a_pos * u_rect.zw;
  gl_Position = vec4(px.x / u_canvas.x * 2.0 - 1.0, 1.0 - px.y / u_canvas.y * 2.0, 0.0, 1.0);
}`;
