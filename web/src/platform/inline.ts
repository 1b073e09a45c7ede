/**
 * The copies of lazydcm's assets inlined in the package — each module's baseline .wasm as base64 and
 * the decode worker's source — for pages whose bundler did not emit the files (esbuild, evanw/esbuild#795).
 * Only the browser entry installs them, as dynamic imports: Vite and webpack (and esbuild with
 * --splitting) keep them in chunks that are never loaded while the files are served, and neither
 * the workers' bundles nor Node reach them.
 */
export interface InlineAssets {
  wasmBase64(module: 'core' | 'j2k' | 'jpegls' | 'jxl' | 'icc'): Promise<string>;
  workerSource(): Promise<string>;
}

let assets: InlineAssets | null = null;

export function setInlineAssets(a: InlineAssets | null): void {
  assets = a;
}

export function inlineAssets(): InlineAssets | null {
  return assets;
}
