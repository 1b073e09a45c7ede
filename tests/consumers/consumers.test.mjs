// lazydcm as users install it: `npm pack`, installed into fresh apps that Vite (build + preview,
// and the dev server), webpack 5 and esbuild bundle with zero configuration files, a plain page
// with an import map (the CDN way), Node ESM, and TypeScript --strict consumers (bundler resolution
// with DOM; nodenext with lib es2022 only). Each browser app reads a PixelMed slide and a CT by
// Range from another origin, decodes in a DecodePool and draws the region; Chromium checks the
// canvas against PIL's decode and the CT against pydicom's. Sizes go to build/consumers/sizes.json.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

import { launchChromium } from '../../scripts/lib/chromium.mjs';
import { freePort, startNginx, waitForPort } from '../../scripts/lib/nginx.mjs';
import { parseNpy } from '../conformance/check.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const here = path.join(root, 'tests/consumers');
const work = path.join(root, 'build/consumers');
const conformance = path.join(root, 'build/conformance');
const manifest = JSON.parse(fs.readFileSync(path.join(conformance, 'manifest.json'), 'utf8'));
const bin = (name) => path.join(root, 'node_modules/.bin', name);
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
const sizes = { package: {}, wasm: {}, apps: {} };

/** The app copied to build/consumers/<name> (they share build/consumers/node_modules/lazydcm). */
function app(name, layout = {}) {
  const dir = path.join(work, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['index.html', 'bundled.html', 'plain.html']) fs.copyFileSync(path.join(here, 'app', f), path.join(dir, f));
  const main = layout.main ?? 'main.js';
  fs.mkdirSync(path.dirname(path.join(dir, main)), { recursive: true });
  fs.copyFileSync(path.join(here, 'app/main.js'), path.join(dir, main));
  install(dir, name);
  return dir;
}

let tarball;

/** A fresh app's own `npm install` of the packed tarball (no dependencies: offline, about a second). */
function install(dir, name) {
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], dir);
}

function jsBytes(dir) {
  let raw = 0, gz = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(m?js)$/.test(e.name)) {
        const b = fs.readFileSync(p);
        raw += b.length;
        gz += zlib.gzipSync(b, { level: 9 }).length;
      }
    }
  };
  walk(dir);
  return { js: raw, jsGzip: gz };
}

async function startServer(cmd, args, cwd) {
  const port = await freePort();
  const child = spawn(cmd, [...args, '--port', String(port), '--strictPort', '--host', '127.0.0.1'], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  try {
    await waitForPort(port, 30000);
  } catch (e) {
    child.kill();
    throw new Error(`${cmd} ${args.join(' ')} did not listen: ${output}`);
  }
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill(), output: () => output };
}

let data, browser, slideRef, ctRef, mrRef;
before(async () => {
  fs.mkdirSync(work, { recursive: true });
  fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'consumers', private: true, type: 'module' }));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], root))[0];
  sizes.package = { tarball: packed.size, unpacked: packed.unpackedSize, files: packed.entryCount };
  tarball = path.join(work, packed.filename);
  for (const f of fs.readdirSync(path.join(root, 'web/dist/wasm')).filter((f) => f.endsWith('.wasm'))) {
    const b = fs.readFileSync(path.join(root, 'web/dist/wasm', f));
    sizes.wasm[f] = { raw: b.length, gzip: zlib.gzipSync(b, { level: 9 }).length };
  }
  data = await startNginx(conformance);  // the images, on another origin than every app
  browser = await launchChromium();
  const level = manifest.fixtures.find((f) => f.name === 'pixelmed-tiff').levels[0];
  slideRef = parseNpy(new Uint8Array(fs.readFileSync(path.join(conformance, level.mosaic))));
  ctRef = parseNpy(new Uint8Array(fs.readFileSync(path.join(conformance, manifest.fixtures.find((f) => f.name === 'pydicom/CT_small.dcm').reference))));
  // MR_small as pydicom decodes it (the J2K and JPEG-LS copies are lossless transcodes of it).
  mrRef = parseNpy(new Uint8Array(fs.readFileSync(path.join(conformance, manifest.fixtures.find((f) => f.name === 'pydicom/MR_small.dcm').reference))));
});
after(async () => {
  await browser?.close();
  await data?.stop();
  fs.writeFileSync(path.join(work, 'sizes.json'), JSON.stringify(sizes, null, 1));
});

/**
 * Opens the app page, waits for window.result, checks the canvas and the CT frame. Returns the
 * result, lazydcm's console warnings, and the JavaScript bytes the page loaded (raw and gzip).
 */
async function check(url) {
  const page = await browser.context.newPage();
  const failed = [], warnings = [], loads = [], seen = new Set();
  const loaded = { js: 0, jsGzip: 0 };
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    else if (/\.m?js(\?|$)/.test(r.url()) && !seen.has(r.url())) {  // each script once (the workers load some again)
      seen.add(r.url());
      loads.push(r.body().then((b) => { loaded.js += b.length; loaded.jsGzip += zlib.gzipSync(b, { level: 9 }).length; }, () => {}));
    }
  });
  page.on('pageerror', (e) => failed.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'warning' && m.text().startsWith('lazydcm:')) warnings.push(m.text()); });
  await page.goto(`${url}${url.includes('?') ? '&' : '?'}data=${encodeURIComponent(data.url)}`);
  await page.waitForFunction(() => window.result, null, { timeout: 60000 });
  const result = await page.evaluate(() => window.result);
  assert.equal(result.error, undefined, `${result.error} ${failed.join('; ')}`);
  assert.equal(result.workers, 2, 'both pool workers alive');
  assert.equal(result.frames, 4);
  assert.deepEqual(new Uint8Array(result.ct), ctRef.bytes, 'CT frame as pydicom decodes it');
  // Codec modules load on demand: a JPEG slide and a native CT need the core alone.
  assert.deepEqual(result.modulesBefore, ['core']);
  assert.deepEqual(new Uint8Array(result.j2k), mrRef.bytes, 'J2K MR (decoded in the pool by lazydcm-j2k) as pydicom decodes MR_small');
  assert.deepEqual(new Uint8Array(result.jpegls), mrRef.bytes, 'JPEG-LS MR (decoded on the page by lazydcm-jpegls) as pydicom decodes MR_small');
  const rgba = await page.evaluate(() => Array.from(document.querySelector('canvas').getContext('2d').getImageData(0, 0, 256, 256).data));
  let bad = 0;
  const W = slideRef.shape[1];
  for (let y = 0; y < 256; y++) {
    for (let x = 0; x < 256; x++) {
      for (let k = 0; k < 3; k++) if (rgba[(y * 256 + x) * 4 + k] !== slideRef.bytes[((300 + y) * W + 500 + x) * 3 + k]) bad++;
    }
  }
  assert.equal(bad, 0, 'canvas equals the tiles as PIL decodes them');
  await Promise.all(loads);
  await page.close();
  return { result, failed, warnings, loaded };
}

/** An app served as bundled, with every asset found: no failed request, no fallback, no warning. */
async function checkServed(url) {
  const c = await check(url);
  assert.deepEqual(c.failed, []);
  assert.deepEqual(c.warnings, []);
  assert.equal(c.result.source, 'file');
  // The page parsed four files and decoded JPEG-LS itself; the J2K frame was decoded in a worker.
  assert.deepEqual(c.result.modulesAfter, ['core:file', 'jpegls:file']);
  return c;
}

describe('consumer apps (npm pack, zero bundler configuration)', () => {
  test('Vite: build + vite preview', async () => {
    const dir = app('vite');
    run(process.execPath, [bin('vite'), 'build'], dir);
    const server = await startServer(process.execPath, [bin('vite'), 'preview'], dir);
    try {
      const c = await checkServed(`${server.url}/`);
      sizes.apps['vite build'] = { ...jsBytes(path.join(dir, 'dist')), page: c.loaded };
    } finally {
      server.stop();
    }
  });

  test('Vite: dev server', async () => {
    const dir = app('vite-dev');
    const server = await startServer(process.execPath, [bin('vite')], dir);
    try {
      await checkServed(`${server.url}/`);
    } finally {
      server.stop();
    }
  });

  test('webpack 5 (no config file: src/index.js -> dist/main.js)', async () => {
    const dir = app('webpack', { main: 'src/index.js' });
    fs.writeFileSync(path.join(dir, 'bundled.html'), fs.readFileSync(path.join(here, 'app/bundled.html'), 'utf8').replace(' type="module"', ''));
    run(process.execPath, [bin('webpack')], dir);
    const server = await startNginx(dir);
    try {
      const c = await checkServed(`${server.url}/bundled.html`);
      sizes.apps.webpack = { ...jsBytes(path.join(dir, 'dist')), page: c.loaded };
    } finally {
      await server.stop();
    }
  });

  // esbuild does not emit files referenced by `new URL('…', import.meta.url)` (evanw/esbuild#795):
  // the page then loads the baseline WebAssembly inlined in the JS (after one 404 per flavour) and
  // starts the decode workers from the inlined worker source with the page's compiled module.
  test('esbuild with zero configuration (the inlined WebAssembly and worker)', async () => {
    const dir = app('esbuild');
    run(bin('esbuild'), ['main.js', '--bundle', '--format=esm', '--outdir=dist'], dir);
    const server = await startNginx(dir);
    try {
      const c = await check(`${server.url}/bundled.html`);
      assert.equal(c.result.source, 'inline');
      assert.equal(c.result.flavour, 'baseline');
      assert.ok(c.failed.length > 0 && c.failed.every((f) => /^404 .*(lazydcm-(core|j2k|jpegls)(-simd)?\.wasm|decode-worker\.js)$/.test(f)), c.failed.join('; '));
      // The Blob workers were handed the J2K module compiled by the page (need / give).
      assert.deepEqual(c.result.modulesAfter, ['core:inline', 'j2k:inline', 'jpegls:inline']);
      assert.equal(c.warnings.length, 1);
      assert.match(c.warnings[0], /lazydcm-core\.wasm: it is not served \(HTTP 404\).*inlined/);
      sizes.apps.esbuild = { ...jsBytes(path.join(dir, 'dist')), page: c.loaded };
    } finally {
      await server.stop();
    }
  });

  // The README's two additions for a smaller page: --splitting keeps the inlined copies in chunks
  // that are never loaded, and the copied .wasm files are found (SIMD where supported).
  test('esbuild --splitting with the .wasm files copied: no inlined WebAssembly loaded', async () => {
    const dir = app('esbuild-split');
    const pkg = path.join(dir, 'node_modules/lazydcm/web/dist');
    run(bin('esbuild'), ['main.js', '--bundle', '--format=esm', '--splitting', '--outdir=dist'], dir);
    for (const f of fs.readdirSync(path.join(pkg, 'wasm')).filter((f) => f.endsWith('.wasm'))) fs.copyFileSync(path.join(pkg, 'wasm', f), path.join(dir, 'dist', f));
    const server = await startNginx(dir);
    try {
      const c = await check(`${server.url}/bundled.html`);
      assert.equal(c.result.source, 'file');
      assert.equal(c.result.flavour, 'simd');
      assert.deepEqual(c.warnings, []);
      assert.deepEqual(c.result.modulesAfter, ['core:file', 'j2k:file', 'jpegls:file']);
      // The worker file is still not emitted: the workers start from the inlined source.
      assert.ok(c.failed.length > 0 && c.failed.every((f) => /^404 .*decode-worker\.js$/.test(f)), c.failed.join('; '));
      assert.ok(c.loaded.js < 1_000_000, `page JS ${c.loaded.js} bytes: the inlined .wasm was not loaded`);
      sizes.apps['esbuild --splitting'] = { ...jsBytes(path.join(dir, 'dist')), page: c.loaded };
    } finally {
      await server.stop();
    }
  });

  test('esbuild under a Content Security Policy without blob: workers: the pool fails with workerError naming both tries (no decode left pending)', async () => {
    const dir = app('esbuild-csp');
    run(bin('esbuild'), ['main.js', '--bundle', '--format=esm', '--outdir=dist'], dir);
    fs.writeFileSync(path.join(dir, 'csp.html'), fs.readFileSync(path.join(dir, 'bundled.html'), 'utf8')
      .replace('<meta charset="utf-8">', '<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="worker-src \'self\'">'));
    const server = await startNginx(dir);
    try {
      const page = await browser.context.newPage();
      await page.goto(`${server.url}/csp.html?data=${encodeURIComponent(data.url)}`);
      await page.waitForFunction(() => window.result, null, { timeout: 30000 });
      const result = await page.evaluate(() => window.result);
      assert.match(result.error ?? '', /decode worker: .*decode-worker\.js.*; and from the inlined source: .*/);
      await page.close();
    } finally {
      await server.stop();
    }
  });

  test('no bundler: the package\'s files served as they are, with an import map', async () => {
    const dir = app('plain');
    const server = await startNginx(dir);
    try {
      const c = await checkServed(`${server.url}/plain.html`);
      sizes.apps.plain = { page: c.loaded };
    } finally {
      await server.stop();
    }
  });

  test('Node ESM: the installed package, a local file, a worker pool', () => {
    const dir = path.join(work, 'node');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    install(dir, 'node');
    fs.copyFileSync(path.join(here, 'node/main.mjs'), path.join(dir, 'main.mjs'));
    const out = JSON.parse(run(process.execPath, ['main.mjs', path.join(conformance, 'gdcm-j2k/image.dcm'), '6'], dir));
    assert.equal(out.frames, 6);
    const help = run(process.execPath, [path.join(dir, 'node_modules/.bin/lazydcm'), '--help'], dir);
    assert.match(help, /^usage: lazydcm/);
    // Unclosed instances: no DEP0137 warning when they are collected.
    fs.copyFileSync(path.join(here, 'node/unclosed.mjs'), path.join(dir, 'unclosed.mjs'));
    const r = spawnSync(process.execPath, ['--expose-gc', 'unclosed.mjs', path.join(conformance, 'dcmtk-rle/image.dcm')], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /DEP0137|Closing file descriptor/);
  });

  for (const [name, options] of [
    ['bundler resolution, DOM', ['--moduleResolution', 'bundler', '--module', 'esnext', '--lib', 'es2022,dom', 'dom.ts']],
    ['nodenext resolution, lib es2022 only (no DOM)', ['--moduleResolution', 'nodenext', '--module', 'nodenext', '--lib', 'es2022', '--types', 'node', 'node.ts']],
  ]) {
    test(`TypeScript --strict consumer: ${name}`, () => {
      const dir = path.join(work, 'ts');
      if (!fs.existsSync(path.join(dir, 'node_modules/lazydcm'))) {
        fs.mkdirSync(dir, { recursive: true });
        install(dir, 'ts');
      }
      for (const f of ['dom.ts', 'node.ts']) fs.copyFileSync(path.join(here, 'ts', f), path.join(dir, f));
      try {
        run(process.execPath, [bin('tsc'), '--strict', '--noEmit', '--target', 'es2022', '--skipLibCheck', 'false', ...options], dir);
      } catch (e) {
        assert.fail(`${e.stdout}${e.stderr}`);
      }
    });
  }
});
