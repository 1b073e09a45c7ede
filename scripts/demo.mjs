// Serves the demo pages, the package and the bundled samples on 127.0.0.1 with nginx (Range,
// ETag, CORS as a bucket would), prints the URL and runs until interrupted.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startNginx } from './lib/nginx.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const server = await startNginx(root);
console.log(`lazydcm demo: ${server.url}/examples/`);
console.log(`  slide viewer:   ${server.url}/examples/slide.html?src=sample`);
console.log(`  volume viewer:  ${server.url}/examples/volume.html?ct=sample&seg=sample`);
console.log(`  OpenSeadragon:  ${server.url}/examples/openseadragon.html?src=sample`);
console.log(`  file inspector: ${server.url}/examples/?src=/build/fixtures/index/large_tiff.dcm`);
console.log('Ctrl-C to stop.');
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
