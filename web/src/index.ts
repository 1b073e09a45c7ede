export { ErrorCode, LazydcmError } from './core/errors.js';
export type { ErrorCodeName } from './core/errors.js';
export { IoStats } from './io/stats.js';
export { Instance } from './model/instance.js';
export type { DicomJson, Frame, FrameLocation, FrameOptions, IndexKind, InstanceSummary, OpenOptions, PixelArray, Region, RegionOptions, StoredFrame, TransformOptions } from './model/instance.js';
export { BlobSource } from './sources/blob.js';
export { HttpSource, resolveUrl } from './sources/http.js';
export type { HttpOptions } from './sources/http.js';
export { MemorySource } from './sources/memory.js';
export { NodeFileSource } from './sources/node-file.js';
export type { Source } from './sources/resolve.js';
export type { ByteSource } from './sources/source.js';
export { setWasmBaseUrl, setWasmSimd, wasmFlavour } from './wasm/load.js';

import { Instance, type OpenOptions } from './model/instance.js';
import type { HttpOptions } from './sources/http.js';
import { toByteSource, type Source } from './sources/resolve.js';

/**
 * Opens one DICOM instance: a URL (`https://`, `gs://`, `s3://`), a Node path, a `File`/`Blob`,
 * or any ByteSource. Reads the header and the frame index with Range requests; no frame data.
 *
 * ```ts
 * const inst = await open('https://storage.googleapis.com/idc-open-data/<series>/<instance>.dcm');
 * inst.summary.rows; inst.summary.frameIndex?.kind; inst.frames[0];
 * ```
 */
export function open(src: Source, options: OpenOptions & { http?: HttpOptions } = {}): Promise<Instance> {
  return Instance.read(toByteSource(src, options.http), options);
}
