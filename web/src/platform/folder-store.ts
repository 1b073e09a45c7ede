/**
 * The persistent cache's storage in Node: one file per entry in a folder (default
 * `$XDG_CACHE_HOME/lazydcm` or `~/.cache/lazydcm`), LRU by modification time (a hit touches its
 * file) within a byte budget; writes go to a temporary file renamed into place, so a reader never
 * sees half an entry.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';

import type { PersistentStore } from '../io/persistent-store.js';

export function defaultCacheFolder(): string {
  return join(process.env.XDG_CACHE_HOME || join(os.homedir(), '.cache'), 'lazydcm');
}

export class FolderStore implements PersistentStore {
  constructor(readonly folder = defaultCacheFolder(), readonly maxBytes = 256 * 2 ** 20) {}

  private file(key: string): string {
    return join(this.folder, `${createHash('sha256').update(key).digest('hex')}.lzp`);
  }

  async get(key: string) {
    const f = this.file(key);
    const b = await readFile(f).catch(() => undefined);
    if (!b) return undefined;
    const now = new Date();
    await utimes(f, now, now).catch(() => undefined);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }

  async put(key: string, bytes: Uint8Array) {
    if (bytes.length > this.maxBytes) return;
    await mkdir(this.folder, { recursive: true });
    const f = this.file(key), tmp = `${f}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, f);
    await this.evict();
  }

  async delete(key: string) {
    await rm(this.file(key), { force: true });
  }

  /** Oldest entries out until the folder is within its budget. */
  private async evict() {
    const entries = [];
    for (const name of await readdir(this.folder)) {
      if (!name.endsWith('.lzp')) continue;
      const s = await stat(join(this.folder, name)).catch(() => null);
      if (s) entries.push({ name, bytes: s.size, used: s.mtimeMs });
    }
    let total = entries.reduce((n, e) => n + e.bytes, 0);
    for (const e of entries.sort((a, b) => a.used - b.used)) {
      if (total <= this.maxBytes) break;
      await rm(join(this.folder, e.name), { force: true });
      total -= e.bytes;
    }
  }
}
