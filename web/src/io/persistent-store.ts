/** Bytes by key that outlive the page or the process: the persistent cache's storage (io/persistent.ts). */
export interface PersistentStore {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
}
