/**
 * A decode worker's loop, shared by the browser and Node workers: the first message sets the WASM
 * build (the pool's settings, or the page's compiled module for a worker started from a Blob); the
 * decoder loads once, without top-level await, then `ready` is posted and requests are answered in
 * order. A WASM that does not load is reported once as `fatal`, with its cause.
 */
import { ErrorCode, LazydcmError } from '../core/errors.js';
import { core, type CoreDecoder } from '../wasm/core.js';
import { applyWasmSettings, useCompiledCore } from '../wasm/load.js';
import type { ConfigMessage, DecodeRequest, DecodeResponse, ErrorInfo } from './protocol.js';

export type Post = (message: DecodeResponse, transfer: ArrayBuffer[]) => void;

function info(e: unknown): ErrorInfo {
  if (e instanceof LazydcmError) return { code: e.code, name: e.codeName, message: e.message, offset: e.offset ?? null };
  return { code: ErrorCode.wasmLoadError, name: 'wasmLoadError', message: `decode worker: ${e instanceof Error ? e.message : String(e)}`, offset: null };
}

export function serveDecodes(post: Post): (message: ConfigMessage | DecodeRequest) => void {
  let decoder: Promise<CoreDecoder> | null = null;
  let fatalSent = false;
  const ready = () => (decoder ??= core().then((c) => c.decoder()));
  const fatal = (e: unknown) => {
    if (!fatalSent) post({ fatal: info(e) }, []);
    fatalSent = true;
  };
  return (m) => {
    if ('settings' in m) {
      applyWasmSettings(m.settings);
      if (m.core) useCompiledCore(m.core);
      ready().then(() => post({ ready: true }, []), fatal);
      return;
    }
    ready().then((d) => {
      let out;
      try {
        out = d.decode(m.transferSyntaxUid, m.frame, m.bytes, m.frame);
      } catch (e) {
        post({ id: m.id, error: info(e) }, []);
        return;
      }
      post({ id: m.id, bytes: out.bytes, report: out.report }, [out.bytes.buffer]);
    }, fatal);
  };
}
