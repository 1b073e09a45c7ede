import type { IoStats } from '../io/stats.js';

/**
 * Random access to the bytes of one file. The core says which ranges it needs; a source fetches
 * them. `size` is known after `open()`.
 */
export interface ByteSource {
  /** A name for messages: the URL or path. */
  readonly name: string;
  /** Reads the first bytes (up to `length`) and learns the total size. */
  open(length: number, signal?: AbortSignal): Promise<{ size: number; head: Uint8Array }>;
  /** Bytes [offset, offset + length), clipped to the size. */
  read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array>;
  readonly stats: IoStats;
  close?(): Promise<void>;
  /**
   * A key under which this object's frames may be cached across opens (an HTTP URL with its ETag);
   * undefined when only this open may use them.
   */
  cacheKey?(): string | undefined;
  /**
   * For the persistent cache: a key stable across opens (the URL) and the object's validator
   * (ETag / Last-Modified) once a response gave it; undefined when this source cannot be kept.
   */
  persistence?(): { key: string; validator: string | null } | undefined;
  /** The persistent cache trusts what it saved: size and validator known without a request. */
  assume?(size: number, validator: string): void;
  /** The link as measured so far (round trip to the first byte, bytes per ms of bodies); undefined before. */
  link?(): { rttMs: number; bytesPerMs: number } | undefined;
  /** An HTTP origin (`https://host:port`): instances on one origin share its request scheduler. */
  readonly origin?: string;
  /** Requests this source may have in flight on its origin (HttpOptions.connections). */
  readonly connections?: number;
}

/**
 * The frames of one instance by number, as a DICOMweb server sends them (WADO-RS): no bytes by
 * range. Each batch says its transfer syntax.
 */
export interface FrameSource {
  readonly name: string;
  readonly stats: IoStats;
  /** Frames asked for in one request. */
  readonly framesPerRequest: number;
  /** The transfer syntax earlier frames of this object came in, when known. */
  readonly knownTransferSyntax?: string;
  readFrames(numbers: number[], signal?: AbortSignal): Promise<{ frames: Uint8Array[]; transferSyntaxUid: string }>;
  /** A value the metadata gives by BulkDataURI. */
  bulkData(uri: string, signal?: AbortSignal): Promise<Uint8Array>;
  close?(): Promise<void>;
  cacheKey?(): string | undefined;
}

/** What an Instance reads: bytes by range (files, HTTP, buckets, zips) or frames by number (DICOMweb). */
export type InstanceSource = ByteSource | FrameSource;

export function isFrameSource(s: InstanceSource): s is FrameSource {
  return 'readFrames' in s;
}
