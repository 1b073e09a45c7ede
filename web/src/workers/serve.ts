/**
 * A decode worker's loop, shared by the browser and Node workers: the first message sets the WASM
 * build (the pool's settings, or the page's compiled module for a worker started from a Blob); the
 * core loads once, without top-level await, then `ready` is posted. Each request is decoded by the
 * core or by the codec module of its transfer syntax, loaded the first time one needs it (a worker
 * started from a Blob asks its page for the compiled module: `need` / `give`). A core that does not
 * load is reported once as `fatal`, with its cause; a codec module that does not load fails the
 * requests that need it.
 */
import { ErrorCode, LazydcmError } from '../core/errors.js';
import { core, type Core } from '../wasm/core.js';
import { applyWasmSettings, setModuleProvider, useCompiledCore, type CompiledCore, type ModuleName } from '../wasm/load.js';
import type { ConfigMessage, DecodeRequest, DecodeResponse, ErrorInfo, GiveMessage } from './protocol.js';

export type Post = (message: DecodeResponse, transfer: ArrayBuffer[]) => void;

function info(e: unknown): ErrorInfo {
  if (e instanceof LazydcmError) return { code: e.code, name: e.codeName, message: e.message, offset: e.offset ?? null };
  return { code: ErrorCode.wasmLoadError, name: 'wasmLoadError', message: `decode worker: ${e instanceof Error ? e.message : String(e)}`, offset: null };
}

export function serveDecodes(post: Post): (message: ConfigMessage | DecodeRequest | GiveMessage) => void {
  let loaded: Promise<Core> | null = null;
  let fatalSent = false;
  const ready = () => (loaded ??= core().then(async (c) => {
    await c.decoderFor('1.2.840.10008.1.2.1');  // the core's own decoder, made before `ready`
    return c;
  }));
  const fatal = (e: unknown) => {
    if (!fatalSent) post({ fatal: info(e) }, []);
    fatalSent = true;
  };
  // Modules asked of the page (workers started from a Blob).
  const asked = new Map<ModuleName, { resolve: (c: CompiledCore) => void; reject: (e: Error) => void }>();
  return (m) => {
    if ('settings' in m) {
      applyWasmSettings(m.settings);
      if (m.core) {
        useCompiledCore(m.core);
        setModuleProvider((name) => new Promise((resolve, reject) => {
          asked.set(name, { resolve, reject });
          post({ need: name }, []);
        }));
      }
      ready().then(() => post({ ready: true }, []), fatal);
      return;
    }
    if ('give' in m) {
      const waiting = asked.get(m.give);
      asked.delete(m.give);
      if (m.compiled) waiting?.resolve(m.compiled);
      else waiting?.reject(LazydcmError.fromJson(m.error!));
      return;
    }
    ready().then(async (c) => {
      let out;
      try {
        out = (await c.decoderFor(m.transferSyntaxUid)).decode(m.transferSyntaxUid, m.frame, m.bytes, m.frame);
      } catch (e) {
        post({ id: m.id, error: info(e) }, []);
        return;
      }
      post({ id: m.id, bytes: out.bytes, report: out.report }, [out.bytes.buffer]);
    }, fatal);
  };
}
