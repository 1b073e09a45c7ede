// Serves the demo pages, the package and the bundled samples on 127.0.0.1 with nginx (Range,
// ETag, CORS as a bucket would), and a local copy of the IDC (the test tables and two servers that
// behave like its S3 and GCS mirrors, scripts/lib/buckets.mjs); prints the URLs and runs until
// interrupted.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startBucketServer } from './lib/buckets.mjs';
import { startNginx } from './lib/nginx.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const server = await startNginx(root);
const fx = JSON.parse(fs.readFileSync(path.join(root, 'build/fixtures/idc/idc.json'), 'utf8'));
const s3 = await startBucketServer({ root: fx.buckets, kind: 's3' });
const gcs = await startBucketServer({ root: fx.buckets, kind: 'gcs' });
const local = new URLSearchParams({ index: `${gcs.url}${fx.tablePaths.index}`, sm: `${gcs.url}${fx.tablePaths.sm_instance_index}`, aws: s3.url, gcs: gcs.url });
console.log(`lazydcm demo: ${server.url}/examples/`);
console.log(`  slide viewer:   ${server.url}/examples/slide.html?src=sample`);
console.log(`  volume viewer:  ${server.url}/examples/volume.html?ct=sample&seg=sample`);
console.log(`  OpenSeadragon:  ${server.url}/examples/openseadragon.html?src=sample`);
console.log(`  file inspector: ${server.url}/examples/?src=/build/fixtures/index/large_tiff.dcm`);
console.log(`  IDC browser (local copy of the tables and mirrors): ${server.url}/examples/idc.html?collection=pancreas_ct&modality=CT&${local}`);
console.log(`    a CT by SeriesInstanceUID:    ${server.url}/examples/volume.html?idc=${fx.ct.SeriesInstanceUID}&${local}`);
console.log(`    a slide by SeriesInstanceUID: ${server.url}/examples/slide.html?idc=${fx.slide.SeriesInstanceUID}&${local}`);
console.log(`  IDC browser (the real IDC, online): ${server.url}/examples/idc.html?collection=ccdi_mci&modality=SM`);
console.log('Ctrl-C to stop.');
const stop = async () => {
  await Promise.all([server.stop(), s3.stop(), gcs.stop()]);
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
