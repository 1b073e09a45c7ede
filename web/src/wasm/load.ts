/**
 * Locates and instantiates the WASM core once per realm (page, worker or Node process).
 * The .wasm sits next to this module (`lazydcm/wasm/lazydcm-core.wasm`); bundlers that move it
 * can point at it with setWasmBaseUrl().
 */
export interface CoreReader {
  inputBuffer(n: number): Uint8Array;
  feedInput(offset: number, n: number): void;
  step(): number;
  needOffset(): number;
  needLength(): number;
  errorJson(): string;
  summaryJson(): string;
  datasetJson(): string;
  frameTable(): Float64Array;
  decodeInput(index: number, n: number, reduce: number): number;
  rawInput(index: number, n: number): number;
  outputView(): Uint8Array;
  reportJson(): string;
  releaseOutput(): void;
  frameErrorJson(): string;
  delete(): void;
}

export interface CoreModule {
  Reader: new (fileSize: number, optionsJson: string) => CoreReader;
  HEAPU8: Uint8Array;
}

let baseUrl: string | URL | undefined;
let modulePromise: Promise<CoreModule> | undefined;

/** Where `lazydcm-core.mjs` and `lazydcm-core.wasm` are served from (a folder URL ending in '/'). */
export function setWasmBaseUrl(url: string | URL): void {
  baseUrl = url;
  modulePromise = undefined;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

export function loadCore(): Promise<CoreModule> {
  modulePromise ??= instantiate();
  return modulePromise;
}

async function instantiate(): Promise<CoreModule> {
  const base = baseUrl ? new URL(String(baseUrl), isNode ? 'file:///' : globalThis.location?.href) : new URL('./', import.meta.url);
  const jsUrl = new URL('lazydcm-core.mjs', base);
  const wasmUrl = new URL('lazydcm-core.wasm', base);
  const factory = (await import(/* @vite-ignore */ jsUrl.href)).default as (m: object) => Promise<CoreModule>;
  if (isNode && wasmUrl.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return factory({ wasmBinary: await readFile(wasmUrl) });
  }
  return factory({ locateFile: (path: string) => new URL(path, base).href });
}
