/**
 * Locates and instantiates the WebAssembly modules once per realm (page, worker or Node process):
 * the core, and the modules loaded the first time they are needed — `j2k` (JPEG 2000, HTJ2K),
 * `jpegls` (JPEG-LS), `jxl` (JPEG XL), `icc` (ICC colour with lcms2). The Emscripten loaders and .wasm files sit
 * next to this module and are referenced by literal specifiers (`import('./lazydcm-core.mjs')`,
 * `new URL('./lazydcm-core.wasm', import.meta.url)`), so Vite, webpack and other bundlers find and
 * emit them with no configuration. setWasmBaseUrl() serves them from elsewhere (a CDN, unusual
 * hosting); decode workers get the same settings from their pool.
 */
import { ErrorCode, LazydcmError } from '../core/errors.js';
import { inlineAssets } from '../platform/inline.js';
import { platform } from '../platform/platform.js';
import type { DecodeReport, ErrorValue, FrameInfo, FrameTableLayout, IccProfileInfo, InstanceSummary, PyramidValue, RegionPlan, SegmentPlan, SegmentationValue, SeriesMember, VolumeGeometry, WsiImage } from './values.js';
// The bound classes and functions as Embind exposes them (wasm/*.cpp). Only wasm/core.ts calls
// them: it checks each call's error and copies bytes in and out explicitly.
/** @internal */
export interface RawInstance {
  inputBuffer(n: number): Uint8Array;
  feedInput(offset: number, n: number): void;
  step(): number;
  need(): { offset: number; length: number };
  reindex(why: string): boolean;
  indexSnapshot(): Uint8Array;
  restoreIndex(n: number): boolean;
  buildIndex(): void;
  setTransferSyntax(uid: string): void;
  summary(): InstanceSummary;
  datasetJson(): string;
  frameTable(): Uint8Array;
  seriesMember(name: string): SeriesMember;
  wsiImage(name: string): WsiImage;
  iccProfile(opticalPath: number): IccProfileInfo;
  iccView(opticalPath: number): Uint8Array;
  regionFrames(boxes: number[][], focalPlane: number, opticalPath: number): number[];
  delete(): void;
}
/** @internal */
export interface RawPixels {
  inputBuffer(n: number): Uint8Array;
  decode(index: number, n: number, options: object): void;
  raw(index: number, n: number): void;
  transformStored(index: number, n: number, report: object, options: object): void;
  frameInfo(index: number): FrameInfo & { transferSyntaxUid: string };
  output(): Uint8Array;
  values(): Float64Array;
  report(): DecodeReport;
  transformInfo(): { transform: string; samplesPerPixel: number };
  releaseOutput(): void;
  planRegion(r0: number, r1: number, c0: number, c1: number, focalPlane: number, opticalPath: number): RegionPlan;
  pasteStored(index: number, n: number, report: object): void;
  paste(index: number, n: number, options: object): void;
  transformRegion(options: object): void;
  region(): Uint8Array;
  releaseRegion(): void;
  geometry(frames: number[], options: object): VolumeGeometry;
  segmentation(): SegmentationValue;
  findSegments(filter: object): number[];
  planSegments(request: object, reference: object | null): SegmentPlan;
  pasteSegment(index: number, n: number): void;
  transformInto(index: number, n: number, report: object, options: object, volume: RawVolume, slice: number): void;
  decodeTransformInto(index: number, n: number, options: object, volume: RawVolume, slice: number): void;
  pasteSegmentStored(index: number, n: number, report: object): void;
  segmentVolume(): Uint8Array;
  releaseSegments(): void;
  delete(): void;
}
/** @internal */
export interface RawVolume {
  data(): Uint8Array;
  samples(): number;
  delete(): void;
}
/** @internal */
export interface RawDecoder {
  inputBuffer(n: number): Uint8Array;
  decode(transferSyntaxUid: string, frame: object, n: number, options: object): void;
  output(): Uint8Array;
  report(): DecodeReport;
  delete(): void;
}
/** @internal */
export interface RawPixelOps {
  inputBuffer(n: number): Uint8Array;
  adoptRegion(pixels: RawPixels): void;
  mergeRegion(pixels: RawPixels): void;
  invert(): void;
  place(rows: number, columns: number, samples: number, height: number, width: number, row: number, column: number, fill: number): void;
  resize(kind: number, srcRows: number, srcColumns: number, samples: number, originX: number, originY: number, scaleX: number,
    scaleY: number, dstRows: number, dstColumns: number): void;
  rgbToGray(pixels: number): void;
  patchGrid(maskRows: number, maskColumns: number, rows: number, columns: number, options: object): [number, number][];
  profileBuffer(n: number): Uint8Array;
  createIcc(n: number, target: number, intent: number): void;
  iccDescription(): string;
  applyIcc(pixels: number): void;
  current(): Uint8Array;
  release(): void;
  delete(): void;
}
/** @internal */
export interface CoreModule {
  Instance: (new (fileSize: number, options: object) => RawInstance) & {
    fromMetadata(json: string, transferSyntaxUid: string): RawInstance;
    frameTableLayout(): FrameTableLayout;
  };
  Pixels: new (instance: RawInstance) => RawPixels;
  VolumeBuffer: new (ranges: number[], rows: number, columns: number, samples: number, float32: boolean) => RawVolume;
  Decoder: new () => RawDecoder;
  PixelOps: new () => RawPixelOps;
  lastError(): ErrorValue;
  lastErrorCode(): number;
  seriesGeometry(members: object[], options: object): VolumeGeometry;
  buildPyramid(images: object[]): PyramidValue;
  levelBySpacing(spacings: (number[] | null)[], target: number, threshold: number, maximumDownsample: number): number;
  spacingOfMagnification(text: string): number;
  magnificationString(spacing: number): string;
  nominalMagnification(spacing: number): string;
  resizeLevel(rows: number, columns: number, sourceRow: number, sourceColumn: number, targetRow: number, targetColumn: number):
    { rows: number; columns: number; factorRow: number; factorColumn: number };
  codecModule(transferSyntaxUid: string): string;
  HEAPU8: Uint8Array;
}
/** @internal What every module binds: the error convention (wasm/glue.cpp). */
export interface ModuleErrors {
  lastError(): ErrorValue;
  lastErrorCode(): number;
}
/** @internal A codec module (wasm/codec_*.cpp): a Decoder for its transfer syntaxes. */
export interface CodecModule extends ModuleErrors {
  Decoder: new () => RawDecoder;
}
/** @internal */
export interface RawJpegReconstruction {
  inputBuffer(n: number): Uint8Array;
  reconstruct(n: number): void;
  output(): Uint8Array;
  delete(): void;
}
/** @internal The JPEG XL module (wasm/codec_jxl.cpp): its Decoder, and original JPEGs of .4.111 frames. */
export interface JxlModule extends CodecModule {
  JpegReconstruction: new () => RawJpegReconstruction;
}
/** @internal */
export interface RawIcc {
  profileBuffer(n: number): Uint8Array;
  create(n: number, target: number, intent: number): void;
  description(): string;
  inputBuffer(n: number): Uint8Array;
  apply(n: number): void;
  pixels(): Uint8Array;
  release(): void;
  delete(): void;
}
/** @internal The ICC module (wasm/icc_module.cpp). */
export interface IccModule extends ModuleErrors {
  Icc: new () => RawIcc;
}
/** The WebAssembly modules: the core, and those loaded the first time they are needed. */
export const MODULE_NAMES = ['core', 'j2k', 'jpegls', 'jxl', 'icc'] as const;
export type ModuleName = (typeof MODULE_NAMES)[number];
interface Modules { core: CoreModule; j2k: CodecModule; jpegls: CodecModule; jxl: JxlModule; icc: IccModule }

let baseUrl: string | undefined;
let simdChoice: boolean | 'auto' = 'auto';

/** One module's state in this realm. */
interface Loaded {
  promise?: Promise<unknown>;
  flavour?: 'simd' | 'baseline';
  from?: 'file' | 'inline' | 'given';
  /** The compiled module (browsers), for decode workers that cannot fetch it. */
  compiled?: CompiledCore;
  /** Given by the pool to a worker started from a Blob (it cannot locate the .wasm by URL). */
  given?: CompiledCore;
}
const state = new Map<ModuleName, Loaded>();
function stateOf(name: ModuleName): Loaded {
  let s = state.get(name);
  if (!s) state.set(name, (s = {}));
  return s;
}
/** A new build choice: modules load again (given ones stay given). */
function forget(): void {
  for (const s of state.values()) s.promise = undefined;
}

/** A compiled WebAssembly module and the build it is (its Emscripten loader must match). */
export interface CompiledCore {
  module: WebAssembly.Module;
  simd: boolean;
}

/** Which build to load: 'auto' (default) takes the SIMD build where WebAssembly SIMD validates. */
export function setWasmSimd(choice: boolean | 'auto'): void {
  simdChoice = choice;
  forget();
}

/** The build of the core in use, once loaded. */
export function wasmFlavour(): 'simd' | 'baseline' | undefined {
  return state.get('core')?.flavour;
}

/**
 * Where the core's WebAssembly came from: 'file' (the .wasm next to the loader, or under the base
 * URL), 'inline' (the copy inside the JavaScript, used when a bundler did not emit the .wasm — see
 * README "Using lazydcm with a bundler") or 'given' (a decode worker handed its page's module).
 */
export function wasmSource(): 'file' | 'inline' | 'given' | undefined {
  return state.get('core')?.from;
}

/** The modules loaded in this realm so far, with their build and origin (a JPEG viewer: the core only). */
export function wasmModules(): { name: ModuleName; flavour: 'simd' | 'baseline'; from: 'file' | 'inline' | 'given' }[] {
  const out = [];
  for (const [name, s] of state) if (s.flavour && s.from) out.push({ name, flavour: s.flavour, from: s.from });
  return out;
}

/**
 * Where `lazydcm-<module>.mjs` and `lazydcm-<module>[-simd].wasm` are served from instead of next to this module (a
 * folder URL; relative URLs resolve against the page). Decode pools created afterwards use it too.
 */
export function setWasmBaseUrl(url: string | URL | undefined): void {
  baseUrl = url === undefined ? undefined : String(url);
  forget();
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
  return loadModule('core');
}

/** A module of this realm, loaded once (the others take the core's build: SIMD or baseline). */
export function loadModule<N extends ModuleName>(name: N): Promise<Modules[N]> {
  const s = stateOf(name);
  s.promise ??= instantiate(name);
  return s.promise as Promise<Modules[N]>;
}

/**
 * Loads modules ahead of need (default: every module) — a viewer about to show JPEG 2000 slides
 * can fetch and compile lazydcm-j2k while the user picks one. Resolves when all are loaded.
 */
export async function preloadWasm(...names: ModuleName[]): Promise<void> {
  await Promise.all((names.length ? names : MODULE_NAMES).map((n) => loadModule(n)));
}

/** The page's compiled module and its build, loading it first (browsers; null in Node). */
export async function compiledModule(name: ModuleName): Promise<CompiledCore | null> {
  await loadModule(name);
  return stateOf(name).compiled ?? null;
}

/** The page's compiled core (browsers; null in Node). */
export function compiledCore(): Promise<CompiledCore | null> {
  return compiledModule('core');
}

/** A decode worker started from a Blob instantiates these modules instead of fetching them. */
export function useCompiledModule(name: ModuleName, compiled: CompiledCore): void {
  const s = stateOf(name);
  s.given = compiled;
  s.promise = undefined;
}
export function useCompiledCore(core: CompiledCore): void {
  useCompiledModule('core', core);
}

let provider: ((name: ModuleName) => Promise<CompiledCore>) | undefined;
/** A worker started from a Blob gets the modules after the core from its page (workers/serve.ts). */
export function setModuleProvider(p: (name: ModuleName) => Promise<CompiledCore>): void {
  provider = p;
}

async function instantiate<N extends ModuleName>(name: N): Promise<Modules[N]> {
  const s = stateOf(name);
  if (!s.given && name !== 'core' && stateOf('core').given) {
    if (!provider) throw loadError(`lazydcm-${name}`, 'this worker was started from a Blob and cannot locate the module');
    s.given = await provider(name);
  }
  if (s.given) return instantiateModule(name, await glue(name), s.given, 'given');
  // The core picks SIMD where it validates; the other modules take the build the core loaded.
  const core = name === 'core' ? undefined : await loadCore().then(() => stateOf('core').flavour);
  const wantSimd = core ? core === 'simd' : simdChoice === 'auto' ? simdSupported() : simdChoice;
  if (wantSimd) {
    try {
      return await instantiateFlavour(name, true);
    } catch (e) {
      if (simdChoice === true) throw e;  // asked for explicitly: say why it failed
    }
  }
  try {
    return await instantiateFlavour(name, false);
  } catch (e) {
    // A bundler that does not emit assets referenced by `new URL(..., import.meta.url)` (esbuild)
    // leaves the .wasm behind: the browser entry also carries the baseline builds, loaded only then.
    const inline = inlineAssets();
    if (!inline || baseUrl !== undefined || !(e instanceof LazydcmError) || !notServed.has(e)) throw e;
    return instantiateInline(name, () => inline.wasmBase64(name), e);
  }
}

type Factory = (m: object) => Promise<unknown>;

/**
 * The Emscripten loader of a module, by literal specifier (bundlers include it). One loader serves
 * both builds: the SIMD build's differs only in its .wasm file name, which is never used (the
 * module is instantiated from bytes or a compiled module); scripts/lib/inline-assets.mjs checks
 * that at build time; package.json leaves the SIMD loaders out of the package.
 */
async function glue(name: ModuleName): Promise<Factory> {
  const m = name === 'core' ? await import('./lazydcm-core.mjs')
    : name === 'j2k' ? await import('./lazydcm-j2k.mjs')
    : name === 'jpegls' ? await import('./lazydcm-jpegls.mjs')
    : name === 'jxl' ? await import('./lazydcm-jxl.mjs')
    : await import('./lazydcm-icc.mjs');
  return m.default as Factory;
}

/** A module flavour's .wasm next to this file, by literal specifier (bundlers emit it). */
function wasmUrlOf(name: ModuleName, simd: boolean): URL {
  switch (name) {
    case 'core': return simd ? new URL('./lazydcm-core-simd.wasm', import.meta.url) : new URL('./lazydcm-core.wasm', import.meta.url);
    case 'j2k': return simd ? new URL('./lazydcm-j2k-simd.wasm', import.meta.url) : new URL('./lazydcm-j2k.wasm', import.meta.url);
    case 'jpegls': return simd ? new URL('./lazydcm-jpegls-simd.wasm', import.meta.url) : new URL('./lazydcm-jpegls.wasm', import.meta.url);
    case 'jxl': return simd ? new URL('./lazydcm-jxl-simd.wasm', import.meta.url) : new URL('./lazydcm-jxl.wasm', import.meta.url);
    case 'icc': return simd ? new URL('./lazydcm-icc-simd.wasm', import.meta.url) : new URL('./lazydcm-icc.wasm', import.meta.url);
  }
}

/** The Emscripten loader and the .wasm URL of a flavour: literal specifiers unless a base URL is set. */
async function locate(name: ModuleName, simd: boolean): Promise<{ factory: Factory; wasmUrl: URL }> {
  const file = `lazydcm-${name}${simd ? '-simd' : ''}`;
  if (baseUrl !== undefined) {
    const base = new URL(wasmSettings().baseUrl!.replace(/\/?$/, '/'));
    const factory = (await import(/* webpackIgnore: true */ /* @vite-ignore */ new URL(`lazydcm-${name}.mjs`, base).href)).default as Factory;
    return { factory, wasmUrl: new URL(`${file}.wasm`, base) };
  }
  return { factory: await glue(name), wasmUrl: wasmUrlOf(name, simd) };
}

const NOT_SERVED = 'is not served';
/** Load errors where the .wasm was simply not there (HTTP error, or not WebAssembly): the inline copy may stand in. */
const notServed = new WeakSet<LazydcmError>();
function notServedError(url: URL, why: string): LazydcmError {
  const e = loadError(url.href, `it ${NOT_SERVED} (${why})`);
  notServed.add(e);
  return e;
}

function loadError(where: string, e: unknown): LazydcmError {
  return new LazydcmError(ErrorCode.wasmLoadError, 'wasmLoadError', `could not load ${where}: ${e instanceof Error ? e.message : String(e)}`);
}

async function instantiateFlavour<N extends ModuleName>(name: N, simd: boolean): Promise<Modules[N]> {
  let where = baseUrl === undefined ? `lazydcm-${name}.mjs next to lazydcm's load.js` : `lazydcm-${name}.mjs under ${baseUrl}`;
  try {
    const { factory, wasmUrl } = await locate(name, simd);
    where = wasmUrl.href;
    const bytes = platform().readFileUrl(wasmUrl);
    if (bytes) return loaded(name, await factory({ wasmBinary: await bytes }) as Modules[N], { simd }, 'file');  // Node: the file's bytes
    return await instantiateModule(name, factory, { module: await compileUrl(wasmUrl), simd }, 'file');
  } catch (e) {
    throw e instanceof LazydcmError ? e : loadError(where, e);
  }
}

/** Fetches and compiles a .wasm (streaming where the server says application/wasm). */
async function compileUrl(url: URL): Promise<WebAssembly.Module> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch (e) {
    throw loadError(url.href, e);
  }
  if (!response.ok) throw notServedError(url, `HTTP ${response.status}`);
  if (typeof WebAssembly.compileStreaming === 'function' && /^application\/wasm\b/.test(response.headers.get('content-type') ?? '')) {
    return WebAssembly.compileStreaming(response);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  // A server that answers every path with a page (a dev server's SPA fallback) sends no .wasm.
  if (!(bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d)) {
    throw notServedError(url, `HTTP ${response.status} sent ${bytes.length} bytes of ${response.headers.get('content-type') || 'unknown type'}, not WebAssembly`);
  }
  return WebAssembly.compile(bytes);
}

let inlineWarned = false;

async function instantiateInline<N extends ModuleName>(name: N, wasmBase64: () => Promise<string>, cause: LazydcmError): Promise<Modules[N]> {
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(fromBase64(await wasmBase64()));
  } catch (e) {
    throw loadError(`the lazydcm-${name} WebAssembly inlined in lazydcm`, `${e instanceof Error ? e.message : String(e)} (after: ${cause.message})`);
  }
  if (!inlineWarned) {
    inlineWarned = true;
    console.warn(`lazydcm: ${cause.message.replace(/^could not load /, '')}; using the baseline WebAssembly inlined in the JavaScript instead. ` +
      'To load the .wasm files (smaller, SIMD where supported), serve node_modules/lazydcm/web/dist/wasm/*.wasm next to your bundle or call setWasmBaseUrl() (README: "Using lazydcm with a bundler").');
  }
  return instantiateModule(name, await glue(name), { module, simd: false }, 'inline');
}

/** Runs an Emscripten loader on a compiled module (no fetch of its own). */
async function instantiateModule<N extends ModuleName>(name: N, factory: Factory, compiled: CompiledCore, from: 'file' | 'inline' | 'given'): Promise<Modules[N]> {
  let failed!: (e: unknown) => void;
  const failure = new Promise<never>((_, reject) => { failed = reject; });
  const m = await Promise.race([
    factory({
      locateFile: (path: string) => path,  // never fetched: instantiateWasm below supplies the instance
      instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) {
        WebAssembly.instantiate(compiled.module, imports).then((instance) => receive(instance, compiled.module), failed);
        return {};
      },
    }),
    failure,
  ]).catch((e: unknown) => { throw loadError(`the ${compiled.simd ? 'SIMD' : 'baseline'} lazydcm-${name} WebAssembly module`, e); });
  stateOf(name).compiled = compiled;
  return loaded(name, m as Modules[N], compiled, from);
}

/** Records which build a realm loaded, and from where. */
function loaded<T>(name: ModuleName, m: T, build: { simd: boolean }, from: 'file' | 'inline' | 'given'): T {
  const s = stateOf(name);
  s.flavour = build.simd ? 'simd' : 'baseline';
  s.from = from;
  return m;
}

function fromBase64(s: string): Uint8Array {
  const native = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  if (native) return native(s);
  const binary = atob(s);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
