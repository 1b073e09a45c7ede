// Starts a real nginx on 127.0.0.1 for tests: static files with Range, ETag and CORS headers as
// GCS/S3 serve them, a /norange/ mirror that ignores Range (200 with the whole file), a /noexpose/
// mirror whose CORS headers hide Content-Range from scripts, and an
// access log of every request (method, path, Range header, status, bytes sent).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function waitForPort(port, ms = 10000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.end(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

/**
 * @param {string} root folder to serve
 * A free port can be taken by another process between our probe and nginx's bind: retry.
 */
export async function startNginx(root) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(root);
    } catch (e) {
      if (attempt >= 5 || !/Address already in use|did not listen/.test(String(e.message))) throw e;
    }
  }
}

async function startOnce(root) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazydcm-nginx-'));
  const port = await freePort();
  const cors = `
      add_header Access-Control-Allow-Origin * always;
      add_header Access-Control-Allow-Headers "Range, Authorization" always;
      add_header Access-Control-Expose-Headers "Content-Range, Content-Length, ETag, Accept-Ranges" always;`;
  const conf = `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  types { application/javascript js mjs; application/wasm wasm; text/html html; application/json json;
          application/dicom dcm; text/css css; }
  default_type application/octet-stream;
  log_format ranges '$request_method $uri "$http_range" $status $body_bytes_sent';
  access_log ${dir}/access.log ranges;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  sendfile on;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location / { ${cors} }
    location = /__lazydcm_server_id { return 200 "${path.basename(dir)}"; }
    location /norange/ { alias ${root}/; max_ranges 0; ${cors} }
    # CORS without Access-Control-Expose-Headers: scripts cannot read Content-Range.
    location /noexpose/ { alias ${root}/; add_header Access-Control-Allow-Origin * always; }
  }
}`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const proc = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  try {
    await Promise.race([waitForPort(port), exited.then((code) => { throw new Error(`nginx exited ${code}: ${stderr}`); })]);
    // The port answers: make sure it is this nginx and not a process that took the port first.
    const id = await (await fetch(`http://127.0.0.1:${port}/__lazydcm_server_id`)).text().catch(() => '');
    if (id !== path.basename(dir)) throw new Error('Address already in use (another server answered)');
  } catch (e) {
    proc.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const logPath = path.join(dir, 'access.log');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    /** Requests logged so far: {method, path, range, status, bytes}. */
    log() {
      if (!fs.existsSync(logPath)) return [];
      return fs.readFileSync(logPath, 'utf8').trim().split('\n').filter(Boolean).map((l) => {
        const m = /^(\S+) (\S+) "([^"]*)" (\d+) (\d+)$/.exec(l);
        return { method: m[1], path: m[2], range: m[3] === '-' ? null : m[3], status: Number(m[4]), bytes: Number(m[5]) };
      });
    },
    /** The log once nginx has written it: it logs a request after sending the response. */
    async logSettled() {
      let last = -1;
      for (let i = 0; i < 50; i++) {
        const n = this.log().length;
        if (n === last) return this.log();
        last = n;
        await new Promise((r) => setTimeout(r, 40));
      }
      return this.log();
    },
    clearLog() { fs.writeFileSync(logPath, ''); },
    async stop() {
      proc.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
