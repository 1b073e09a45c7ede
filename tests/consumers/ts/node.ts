// A TypeScript --strict consumer for Node with lib es2022 only (nodenext resolution): no DOM.
import { NodeFileSource, open, type StoredFrame } from 'lazydcm';

export async function first(path: string): Promise<StoredFrame> {
  const inst = await open(new NodeFileSource(path));
  try {
    return await inst.getStoredFrame(1);
  } finally {
    await inst.close();
  }
}
