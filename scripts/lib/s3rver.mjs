// Starts s3rver (npm: a real S3 API server: ListObjectsV2, GET with Range, ETag) on 127.0.0.1 in
// its own process. Node 17+ needs --openssl-legacy-provider for its DES continuation tokens.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { freePort, waitForPort } from './nginx.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** @param {string[]} buckets created at startup */
export async function startS3rver(buckets) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazydcm-s3rver-'));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const args = ['--openssl-legacy-provider', path.join(root, 'node_modules/s3rver/bin/s3rver.js'), '-d', dir, '-a', '127.0.0.1',
      '-p', String(port), '--silent', '--no-vhost-buckets'];
    for (const b of buckets) args.push('--configure-bucket', b);
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await Promise.race([waitForPort(port), exited.then((code) => { throw new Error(`s3rver exited (${code}): ${stderr}`); })]);
    } catch (e) {
      child.kill();
      if (attempt < 3) continue;
      throw e;
    }
    const url = `http://127.0.0.1:${port}`;
    return {
      url,
      async put(bucket, key, body) {
        const r = await fetch(`${url}/${bucket}/${key}`, { method: 'PUT', body });
        if (r.status !== 200) throw new Error(`PUT ${key}: HTTP ${r.status}`);
      },
      async stop() {
        child.kill();
        await exited;
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}
