/**
 * Locates and instantiates the WASM core once per realm (page, worker or Node process).
 * The Emscripten loaders and .wasm files sit next to this module and are referenced by literal
 * specifiers (`import('./lazydcm-core.mjs')`, `new URL('./lazydcm-core.wasm', import.meta.url)`),
 * so Vite, webpack and other bundlers find and emit them with no configuration.
 * setWasmBaseUrl() serves them from elsewhere (a CDN, unusual hosting); decode workers get the
 * same settings from their pool.
 */
import { ErrorCode, LazydcmError } from '../core/errors.js';
import { platform } from '../platform/platform.js';
export interface CoreReader {
  inputBuffer(n: number): Uint8Array;
  feedInput(offset: number, n: number): void;
  step(): number;
  reindex(why: string): boolean;
  needOffset(): number;
  needLength(): number;
  errorJson(): string;
  summaryJson(): string;
  datasetJson(): string;
  /** The core's frame_location structs (layout: Reader.frameTableLayout()); valid until the next call. */
  frameTable(): Uint8Array;
  decodeInput(index: number, n: number, reduce: number, rgb: boolean): number;
  setTransferSyntax(uid: string): void;
  wsiImageJson(name: string): string;
  iccProfileJson(opticalPath: number): string;
  iccView(opticalPath: number): Uint8Array;
  rawInput(index: number, n: number): number;
  valuesView(): Float64Array;
  transformJson(): string;
  planRegion(r0: number, r1: number, c0: number, c1: number, focalPlane: number, opticalPath: number): string;
  regionView(): Uint8Array;
  regionFramesJson(boxesJson: string, focalPlane: number, opticalPath: number): string;
  transformRegion(optionsJson: string): number;
  releaseRegion(): void;
  outputView(): Uint8Array;
  reportJson(): string;
  releaseOutput(): void;
  frameErrorJson(): string;
  geometryJson(framesJson: string, optionsJson: string): string;
  seriesMemberJson(name: string): string;
  segmentationJson(): string;
  findSegmentsJson(filterJson: string): string;
  planSegments(requestJson: string, referenceJson: string): string;
  segmentVolumeView(): Uint8Array;
  releaseSegments(): void;
  transformStored(index: number, n: number, reportJson: string, optionsJson: string): number;
  pasteStored(index: number, n: number, reportJson: string): number;
  pasteSegmentStored(index: number, n: number, reportJson: string): number;
  frameInfoJson(index: number): string;
  delete(): void;
}

export interface CoreDecoder {
  inputBuffer(n: number): Uint8Array;
  decode(transferSyntaxUid: string, frameJson: string, n: number): number;
  outputView(): Uint8Array;
  errorJson(): string;
  reportJson(): string;
  delete(): void;
}

export interface CorePixelOps {
  inputBuffer(n: number): Uint8Array;
  resize(kind: number, srcRows: number, srcColumns: number, samples: number, originX: number, originY: number, scaleX: number,
    scaleY: number, dstRows: number, dstColumns: number): Uint8Array;
  rgbToGray(pixels: number): void;
  patchGridJson(maskRows: number, maskColumns: number, rows: number, columns: number, optionsJson: string): string;
  createIcc(n: number, target: number, intent: number): number;
  iccDescription(): string;
  applyIcc(pixels: number): Uint8Array;
  errorJson(): string;
  delete(): void;
}

export interface CoreModule {
  Reader: (new (fileSize: number, optionsJson: string) => CoreReader) & {
    fromMetadata(json: string, transferSyntaxUid: string): CoreReader;
    frameTableLayout(): string;
  };
  PixelOps: new () => CorePixelOps;
  buildPyramidJson(imagesJson: string): string;
  levelBySpacing(spacingsJson: string, target: number, threshold: number, maximumDownsample: number): number;
  magnificationJson(text: string): string;
  magnificationString(spacing: number): string;
  nominalMagnification(spacing: number): string;
  resizeLevelJson(rows: number, columns: number, sourceRow: number, sourceColumn: number, targetRow: number, targetColumn: number): string;
  Decoder: new () => CoreDecoder;
  seriesGeometryJson(membersJson: string, optionsJson: string): string;
  HEAPU8: Uint8Array;
}

let baseUrl: string | undefined;
let simdChoice: boolean | 'auto' = 'auto';
let modulePromise: Promise<CoreModule> | undefined;
let loadedFlavour: 'simd' | 'baseline' | undefined;

/** Which build to load: 'auto' (default) takes the SIMD build where WebAssembly SIMD validates. */
export function setWasmSimd(choice: boolean | 'auto'): void {
  simdChoice = choice;
  modulePromise = undefined;
}

/** The build in use, once loaded. */
export function wasmFlavour(): 'simd' | 'baseline' | undefined {
  return loadedFlavour;
}

/**
 * Where `lazydcm-core[-simd].{mjs,wasm}` are served from instead of next to this module (a folder
 * URL; relative URLs resolve against the page). Decode pools created afterwards use it too.
 */
export function setWasmBaseUrl(url: string | URL | undefined): void {
  baseUrl = url === undefined ? undefined : String(url);
  modulePromise = undefined;
}

/** The settings a decode worker needs to load the same build (sent in its first message). */
export interface WasmSettings {
  baseUrl?: string;
  simd: boolean | 'auto';
}

export function wasmSettings(): WasmSettings {
  const base = baseUrl === undefined ? undefined : new URL(baseUrl, platform().isNode ? 'file:///' : globalThis.location?.href).href;
  return { baseUrl: base, simd: simdChoice };
}

export function applyWasmSettings(s: WasmSettings): void {
  setWasmBaseUrl(s.baseUrl);
  setWasmSimd(s.simd);
}

// The smallest module using a v128 instruction (as wasm-feature-detect tests it).
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

function simdSupported(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

export function loadCore(): Promise<CoreModule> {
  modulePromise ??= instantiate();
  return modulePromise;
}

async function instantiate(): Promise<CoreModule> {
  const wantSimd = simdChoice === 'auto' ? simdSupported() : simdChoice;
  if (wantSimd) {
    try {
      const m = await instantiateFlavour(true);
      loadedFlavour = 'simd';
      return m;
    } catch (e) {
      if (simdChoice === true) throw e;  // asked for explicitly: say why it failed
    }
  }
  const m = await instantiateFlavour(false);
  loadedFlavour = 'baseline';
  return m;
}

type Factory = (m: object) => Promise<CoreModule>;

/** The Emscripten loader and the .wasm URL of a flavour: literal specifiers unless a base URL is set. */
async function locate(simd: boolean): Promise<{ factory: Factory; wasmUrl: URL }> {
  const name = simd ? 'lazydcm-core-simd' : 'lazydcm-core';
  if (baseUrl !== undefined) {
    const base = new URL(wasmSettings().baseUrl!.replace(/\/?$/, '/'));
    const factory = (await import(/* webpackIgnore: true */ /* @vite-ignore */ new URL(`${name}.mjs`, base).href)).default as Factory;
    return { factory, wasmUrl: new URL(`${name}.wasm`, base) };
  }
  return simd
    ? { factory: (await import('./lazydcm-core-simd.mjs')).default as Factory, wasmUrl: new URL('./lazydcm-core-simd.wasm', import.meta.url) }
    : { factory: (await import('./lazydcm-core.mjs')).default as Factory, wasmUrl: new URL('./lazydcm-core.wasm', import.meta.url) };
}

async function instantiateFlavour(simd: boolean): Promise<CoreModule> {
  const name = simd ? 'lazydcm-core-simd' : 'lazydcm-core';
  let where = baseUrl === undefined ? `${name}.mjs next to lazydcm's load.js` : `${name}.mjs under ${baseUrl}`;
  try {
    const { factory, wasmUrl } = await locate(simd);
    where = wasmUrl.href;
    const bytes = platform().readFileUrl(wasmUrl);
    // The core throws errors it cannot return (outOfMemory, wasm/bindings.cpp) through this.
    const lazydcmError = (code: number, name: string, message: string) => new LazydcmError(code, name, message);
    if (bytes) return await factory({ wasmBinary: await bytes, lazydcmError });
    return await factory({ locateFile: () => wasmUrl.href, lazydcmError });
  } catch (e) {
    throw new LazydcmError(ErrorCode.wasmLoadError, 'wasmLoadError', `could not load ${where}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
