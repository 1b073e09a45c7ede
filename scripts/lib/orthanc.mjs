// Starts a real Orthanc (Debian `orthanc` + `orthanc-dicomweb`) on 127.0.0.1 with its DICOMweb
// plugin, loads DICOM files with POST /instances, and puts a small logging proxy in front so tests
// can count requests (and inject 401/429/5xx answers) without mocking anything.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { freePort, waitForPort } from './nginx.mjs';
import { forward } from './proxy.mjs';

const PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

/** @param {string[]} files DICOM files to load */
export async function startOrthanc(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazydcm-orthanc-'));
  const port = await freePort();
  const config = {
    Name: 'lazydcm-test', StorageDirectory: dir, IndexDirectory: dir, HttpPort: port, DicomPort: await freePort(),
    RemoteAccessAllowed: false, AuthenticationEnabled: false, HttpCompressionEnabled: false,
    Plugins: [PLUGIN], DicomWeb: { Enable: true, Root: '/dicom-web/', Host: `127.0.0.1:${port}` },
  };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  const binary = fs.existsSync('/usr/sbin/Orthanc') ? '/usr/sbin/Orthanc' : 'Orthanc';
  const child = spawn(binary, [path.join(dir, 'config.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await Promise.race([waitForPort(port, 30000), exited.then((code) => { throw new Error(`Orthanc exited (${code}): ${stderr}`); })]);
  const upstream = `http://127.0.0.1:${port}`;
  for (const f of files) {
    const r = await fetch(`${upstream}/instances`, { method: 'POST', body: fs.readFileSync(f) });
    if (r.status !== 200) throw new Error(`loading ${f} into Orthanc: HTTP ${r.status} ${await r.text()}`);
  }
  // The proxy: logs every request; `faults` answers matching requests with an error status first.
  const log = [];
  const faults = [];
  const proxy = http.createServer(async (req, res) => {
    // CORS for browser tests (the page is served from another origin).
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'Access-Control-Allow-Headers': 'Accept, Authorization', 'Access-Control-Allow-Methods': 'GET' });
      res.end();
      return;
    }
    log.push({ method: req.method, url: req.url, accept: req.headers.accept, authorization: req.headers.authorization });
    const fault = faults.find((f) => f.times > 0 && f.match.test(req.url) && (!f.unless || !f.unless(req)));
    if (fault) {
      fault.times--;
      res.writeHead(fault.status, { 'Content-Type': 'text/plain', ...(fault.retryAfter ? { 'Retry-After': String(fault.retryAfter) } : {}) });
      res.end(`injected ${fault.status}`);
      return;
    }
    try {
      const up = await forward(req, upstream);
      res.writeHead(up.status, up.headers);
      res.end(up.body);
    } catch (e) {
      res.writeHead(502);
      res.end(String(e));
    }
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${proxy.address().port}`;
  return {
    url,
    dicomweb: `${url}/dicom-web`,
    log,
    clearLog() { log.length = 0; },
    /** @param {{match: RegExp, status: number, times: number, retryAfter?: number, unless?: (req) => boolean}} f */
    inject(f) { faults.push(f); },
    clearFaults() { faults.length = 0; },
    async stop() {
      await new Promise((resolve) => proxy.close(resolve));
      child.kill();
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
