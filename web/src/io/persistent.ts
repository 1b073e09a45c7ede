/// <reference lib="dom" preserve="true" />
/**
 * The persistent cache: what opening an object cost (its header bytes and its frame index, a
 * fragment scan included) kept across page loads and processes, keyed by URL and checked against
 * the object's validator (ETag / Last-Modified), so a second open of a slide sends no header or
 * index request. Storage is a `PersistentStore`: Cache Storage in browsers, a folder in Node (see
 * `defaultPersistentStore`), or memory; each keeps a byte budget with LRU eviction.
 */
import { platform } from '../platform/platform.js';
import type { PersistentStore } from './persistent-store.js';

export type { PersistentStore } from './persistent-store.js';


export interface PersistentCacheOptions {
  /** Where entries live (default: Cache Storage in browsers, ~/.cache/lazydcm in Node). */
  store?: PersistentStore;
  /** The store's byte budget (default stores only). Default 256 MiB. */
  maxBytes?: number;
  /**
   * How long an entry is used without asking the server, in ms. 0 (default): every open asks once
   * — its first read, which it makes anyway, carries the validator — and the entry is used only if
   * the object is unchanged; then no further header or index request is made. Above 0: within that
   * time an open sends no request at all (a changed object is then found by the next frame read,
   * whose validator differs: `sourceChanged`).
   */
  trustMs?: number;
}

/** What an open saves: enough to reopen without reading the header or building the index. */
export interface OpenSnapshot {
  size: number;
  validator: string;
  savedAt: number;
  /** The bytes the header was parsed from (before the pixel data's value). */
  header: { offset: number; bytes: Uint8Array }[];
  /** The core's index snapshot (CoreInstance.indexSnapshot); empty without pixel data. */
  index: Uint8Array;
}

const MAGIC = 0x4c5a5031;  // 'LZP1'

export function encodeSnapshot(s: OpenSnapshot): Uint8Array {
  const meta = new TextEncoder().encode(JSON.stringify({
    size: s.size, validator: s.validator, savedAt: s.savedAt, header: s.header.map((c) => [c.offset, c.bytes.length]), index: s.index.length,
  }));
  const total = 8 + meta.length + s.header.reduce((n, c) => n + c.bytes.length, 0) + s.index.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC);
  view.setUint32(4, meta.length);
  out.set(meta, 8);
  let at = 8 + meta.length;
  for (const c of s.header) {
    out.set(c.bytes, at);
    at += c.bytes.length;
  }
  out.set(s.index, at);
  return out;
}

/** The snapshot in `bytes`, or undefined when they are not one (damaged, another version). */
export function decodeSnapshot(bytes: Uint8Array): OpenSnapshot | undefined {
  try {
    if (bytes.length < 8) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0) !== MAGIC) return undefined;
    const metaLength = view.getUint32(4);
    const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + metaLength))) as {
      size: number; validator: string; savedAt: number; header: [number, number][]; index: number;
    };
    let at = 8 + metaLength;
    const header = meta.header.map(([offset, length]) => {
      const c = { offset, bytes: bytes.subarray(at, at + length) };
      at += length;
      return c;
    });
    if (at + meta.index !== bytes.length || header.some((c, i) => c.bytes.length !== meta.header[i][1])) return undefined;
    return { size: meta.size, validator: meta.validator, savedAt: meta.savedAt, header, index: bytes.subarray(at) };
  } catch {
    return undefined;
  }
}

/** `open(src, { persistentCache })`: see the module comment. */
export class PersistentCache {
  readonly store: PersistentStore;
  readonly trustMs: number;

  constructor(options: PersistentCacheOptions = {}) {
    this.store = options.store ?? defaultPersistentStore(options.maxBytes ?? 256 * 2 ** 20);
    this.trustMs = options.trustMs ?? 0;
  }

  private key(url: string): string {
    return `open:${url}`;
  }

  /** The snapshot saved for `url`; undefined when none (or the store failed: a cache never breaks an open). */
  async load(url: string): Promise<OpenSnapshot | undefined> {
    const bytes = await this.store.get(this.key(url)).catch(() => undefined);
    return bytes ? decodeSnapshot(bytes) : undefined;
  }

  /** Whether `s` may be used without asking the server (trustMs). */
  trusted(s: OpenSnapshot): boolean {
    return this.trustMs > 0 && Date.now() - s.savedAt < this.trustMs;
  }

  save(url: string, s: OpenSnapshot): Promise<void> {
    return this.store.put(this.key(url), encodeSnapshot(s)).catch(() => undefined);
  }

  forget(url: string): Promise<void> {
    return this.store.delete(this.key(url)).catch(() => undefined);
  }
}

/** Entries in memory, LRU within a byte budget (tests; where no other storage exists). */
export class MemoryStore implements PersistentStore {
  private readonly entries = new Map<string, Uint8Array>();
  private bytes = 0;

  constructor(readonly maxBytes = 64 * 2 ** 20) {}

  async get(key: string) {
    const v = this.entries.get(key);
    if (v) {
      this.entries.delete(key);
      this.entries.set(key, v);
    }
    return v;
  }

  async put(key: string, bytes: Uint8Array) {
    await this.delete(key);
    if (bytes.length > this.maxBytes) return;
    this.entries.set(key, bytes.slice());
    this.bytes += bytes.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.length;
    }
  }

  async delete(key: string) {
    const v = this.entries.get(key);
    if (v) this.bytes -= v.length;
    this.entries.delete(key);
  }
}

/**
 * Entries in the browser's Cache Storage (one cache, `name`), LRU within a byte budget kept in an
 * index entry of the same cache.
 */
export class CacheStorageStore implements PersistentStore {
  private index: Promise<Map<string, { bytes: number; used: number }>> | undefined;

  constructor(readonly name = 'lazydcm', readonly maxBytes = 256 * 2 ** 20) {}

  private url(key: string): string {
    return `https://lazydcm.invalid/${encodeURIComponent(key)}`;
  }

  private async cache(): Promise<Cache> {
    return caches.open(this.name);
  }

  private loadIndex() {
    return (this.index ??= this.cache().then(async (c) => {
      const r = await c.match(this.url('\0index'));
      return new Map<string, { bytes: number; used: number }>(r ? (await r.json()) as [string, { bytes: number; used: number }][] : []);
    }));
  }

  private async saveIndex(index: Map<string, { bytes: number; used: number }>) {
    await (await this.cache()).put(this.url('\0index'), new Response(JSON.stringify([...index]), { headers: { 'Content-Type': 'application/json' } }));
  }

  async get(key: string) {
    const r = await (await this.cache()).match(this.url(key));
    if (!r) return undefined;
    const bytes = new Uint8Array(await r.arrayBuffer());
    const index = await this.loadIndex();
    index.set(key, { bytes: bytes.length, used: Date.now() });
    await this.saveIndex(index);
    return bytes;
  }

  async put(key: string, bytes: Uint8Array) {
    if (bytes.length > this.maxBytes) return;
    const c = await this.cache();
    await c.put(this.url(key), new Response(bytes.slice()));
    const index = await this.loadIndex();
    index.set(key, { bytes: bytes.length, used: Date.now() });
    let total = [...index.values()].reduce((n, e) => n + e.bytes, 0);
    for (const [k, e] of [...index].sort((a, b) => a[1].used - b[1].used)) {
      if (total <= this.maxBytes) break;
      await c.delete(this.url(k));
      index.delete(k);
      total -= e.bytes;
    }
    await this.saveIndex(index);
  }

  async delete(key: string) {
    await (await this.cache()).delete(this.url(key));
    const index = await this.loadIndex();
    if (index.delete(key)) await this.saveIndex(index);
  }
}

/** Cache Storage in browsers (memory where there is none, e.g. an insecure origin), a folder in Node. */
export function defaultPersistentStore(maxBytes: number): PersistentStore {
  const own = platform().persistentStore?.(maxBytes);
  if (own) return own;
  if (typeof caches !== 'undefined') return new CacheStorageStore('lazydcm', maxBytes);
  return new MemoryStore(maxBytes);
}
