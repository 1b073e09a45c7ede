/** Messages between a DecodePool and its workers. */
import type { CompiledCore, ModuleName, WasmSettings } from '../wasm/load.js';
import type { DecodedFrame, DecodeOptions, FrameInfo } from '../wasm/values.js';

/** The first message to every worker: load the same WASM build as the page. */
export interface ConfigMessage {
  settings: WasmSettings;
  /** A worker started from a Blob cannot locate the .wasm: it gets the page's compiled module. */
  core?: CompiledCore;
}

export interface DecodeRequest {
  id: number;
  transferSyntaxUid: string;
  /** The Decoder's frame description (Pixels.frameInfo), plus the decode options. */
  frame: FrameInfo & DecodeOptions;
  /** The encoded frame (fragments joined); transferred, not copied. */
  bytes: Uint8Array;
}

export type ErrorInfo = { code: number; name: string; message: string; offset: number | null };

/** The page's answer to a worker started from a Blob that needs a module (`{ need }`): compiled, or why not. */
export interface GiveMessage {
  give: ModuleName;
  compiled?: CompiledCore;
  error?: ErrorInfo;
}

export type DecodeResponse =
  /** The worker's WASM is loaded: it takes requests from now on. */
  | { ready: true }
  | ({ id: number } & DecodedFrame)
  | { id: number; error: ErrorInfo }
  /** The worker cannot decode anything (its WASM did not load): every request to it fails so. */
  | { fatal: ErrorInfo }
  /** A worker started from a Blob needs this module compiled by its page (answered with a GiveMessage). */
  | { need: ModuleName };
