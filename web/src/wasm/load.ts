/**
 * Locates and instantiates the WASM core once per realm (page, worker or Node process).
 * The .wasm sits next to this module (`lazydcm/wasm/lazydcm-core.wasm`); bundlers that move it
 * can point at it with setWasmBaseUrl().
 */
import { isNode } from '../core/env.js';
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
  frameTable(): Float64Array;
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
  Reader: (new (fileSize: number, optionsJson: string) => CoreReader) & { fromMetadata(json: string, transferSyntaxUid: string): CoreReader };
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

let baseUrl: string | URL | undefined;
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

// The smallest module using a v128 instruction (as wasm-feature-detect tests it).
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

function simdSupported(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/** Where `lazydcm-core.mjs` and `lazydcm-core.wasm` are served from (a folder URL ending in '/'). */
export function setWasmBaseUrl(url: string | URL): void {
  baseUrl = url;
  modulePromise = undefined;
}


export function loadCore(): Promise<CoreModule> {
  modulePromise ??= instantiate();
  return modulePromise;
}

async function instantiate(): Promise<CoreModule> {
  const wantSimd = simdChoice === 'auto' ? simdSupported() : simdChoice;
  if (wantSimd) {
    try {
      const m = await instantiateFlavour('lazydcm-core-simd');
      loadedFlavour = 'simd';
      return m;
    } catch (e) {
      if (simdChoice === true) throw e;  // asked for explicitly: say why it failed
    }
  }
  const m = await instantiateFlavour('lazydcm-core');
  loadedFlavour = 'baseline';
  return m;
}

async function instantiateFlavour(name: string): Promise<CoreModule> {
  const base = baseUrl ? new URL(String(baseUrl), isNode ? 'file:///' : globalThis.location?.href) : new URL('./', import.meta.url);
  const jsUrl = new URL(`${name}.mjs`, base);
  const wasmUrl = new URL(`${name}.wasm`, base);
  const factory = (await import(/* @vite-ignore */ jsUrl.href)).default as (m: object) => Promise<CoreModule>;
  if (isNode && wasmUrl.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return factory({ wasmBinary: await readFile(wasmUrl) });
  }
  return factory({ locateFile: (path: string) => new URL(path, base).href });
}
