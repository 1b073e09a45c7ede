// Instances a program forgets to close: their files are closed and their WASM readers freed when
// collected, without Node's "Closing file descriptor … on garbage collection" (DEP0137).
import { open } from 'lazydcm';

const file = process.argv[2];
for (let i = 0; i < 40; i++) await open(file);
for (let i = 0; i < 5; i++) {
  globalThis.gc();
  await new Promise((r) => setTimeout(r, 50));
}
console.log('done');
