#!/usr/bin/env node
// The `lazydcm` command. See README "Command line".
import { ErrorCode, LazydcmError } from '../core/errors.js';
import { encodeNpy } from '../io/npy.js';
import { sumStats } from '../io/stats.js';
import { Idc, open, openSegmentation, openSeries, openSlide } from '../index.js';
import type { MirroredSource } from '../idc/mirror.js';
import type { Slide } from '../model/slide.js';
import type { Instance, InstanceSummary } from '../model/instance.js';
import type { Volume } from '../model/volume.js';

const USAGE = `usage: lazydcm <command> [options]

commands:
  info <path-or-url> [--json]   metadata summary and how the frame index was built;
                                --json prints {"summary": …, "dataset": <DICOM JSON model>}
  frame <path-or-url> <n> [--stored|--raw] --out FILE [--reduce k] [--voi]
                                frame n (1-based) as .npy (rows, columns[, samples]): by default with
                                the pixel transforms (float64; --voi adds the window), --stored for
                                stored values, --raw for the encoded bytes (.npy of uint8, or the bytes)
  region <path-or-url> --rows a:b --cols c:d --out FILE [--stored] [--focal-plane k] [--voi]
                                a region of the total pixel matrix (0-based, half-open, as numpy
                                slices; omitted ends mean the edge) as .npy; only its tiles are read
  region <slide> --level k|--magnification 20X --rows a:b --cols c:d --out FILE [--icc srgb|display-p3]
                                a patch of a slide's pyramid level (level pixels; 8-bit RGB .npy);
                                <slide>: a DICOMweb series URL, a folder, a zip, a bucket prefix or files
  slide <slide> [--json]        the pyramid: levels (size, tiles, spacing, magnification, frames,
                                transfer syntax), focal planes, label / overview / thumbnail
  volume <src...|series-url> [--out v.npy] [--slices a:b] [--rows a:b] [--cols c:d]
         [--allow-missing] [--float32]
                                a 3D volume (slice, row, column) from an enhanced multi-frame file or a
                                series (files, a directory, a zip, a bucket prefix, DICOMweb); prints
                                the affine (LPS) and spacing as JSON
  seg <src> [--label NAME]... [--segment N]... [--out v.npy] [--combine] [--relabel]
         [--reference <image...>]
                                a segmentation's segments (JSON) and, with --out, their volume: one
                                channel per segment, or --combine for one label volume; --reference
                                puts it on the source image's grid
  idc series|studies [--collection C] [--patient P] [--study UID] [--series UID] [--modality M]
         [--limit N] [--json]
                                series (or studies) of the Imaging Data Commons from the idc-index
                                tables, read by range (only the row groups and columns needed)
  idc files <SeriesInstanceUID> the series' DICOM objects as s3:// URLs
  idc download <SeriesInstanceUID>... --out DIR
                                each series to DIR/<SeriesInstanceUID>/, progress on stderr; run it
                                again to resume (complete files are skipped, partial ones continued)
    idc options: --index FILE|URL, --sm-instance-index FILE|URL (default: the current release),
    --mirror aws|gcs|auto (a failing mirror is left for the other); --s3-endpoint / --gcs-endpoint /
    --gcs-api-endpoint name other mirrors
A DICOMweb URL (…/studies/S/series/R[/instances/I]) reads WADO-RS metadata and frames; --header
sets its Authorization.
options for every command:
  --stats                       requests, bytes fetched and cache hits to stderr as JSON
  --header 'Name: value'        extra HTTP request header (repeatable), e.g. a bearer token
  --first-read N                bytes of the first read (default 65536)
  --s3-endpoint URL, --gcs-endpoint URL, --gcs-api-endpoint URL
                                where s3:// and gs:// objects and listings are read (mirrors, tests)
`;

interface Args {
  slices?: string;
  labels: string[];
  segments: number[];
  reference: string[];
  rows?: string;
  cols?: string;
  focalPlane?: number;
  level?: number;
  magnification?: string;
  icc?: string;
  out?: string;
  reduce?: number;
  command: string;
  positional: string[];
  flags: Set<string>;
  headers: Record<string, string>;
  firstRead?: number;
  endpoints: { s3Endpoint?: string; gcsEndpoint?: string; gcsApiEndpoint?: string };
  /** `idc` filters and table options (by option name without the dashes). */
  idc: Record<string, string>;
}

/** Options without a value; any other `--name` not parsed below is a usage error. */
const BOOLEAN_FLAGS = new Set(['stats', 'json', 'raw', 'stored', 'voi', 'allow-missing', 'float32', 'combine', 'relabel', 'help']);

/** Options of `lazydcm idc` that take a value. */
const IDC_OPTIONS = new Set(['collection', 'patient', 'study', 'series', 'modality', 'limit', 'index', 'sm-instance-index', 'mirror']);

/** What every command opens its sources with: first read, HTTP headers and endpoints, DICOMweb headers. */
function openOptions(args: Args) {
  return { firstRead: args.firstRead, http: { headers: args.headers, ...args.endpoints }, dicomweb: { headers: args.headers } };
}

function parseArgs(argv: string[]): Args {
  const args: Args = { command: argv[0] ?? '', positional: [], flags: new Set(), headers: {}, labels: [], segments: [], reference: [], endpoints: {}, idc: {} };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--header') {
      const h = argv[++i] ?? '';
      const colon = h.indexOf(':');
      if (colon < 1) throw new UsageError(`--header needs 'Name: value', got '${h}'`);
      args.headers[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
    } else if (a === '--first-read') {
      args.firstRead = Number(argv[++i]);
      if (!Number.isInteger(args.firstRead) || args.firstRead < 1) throw new UsageError('--first-read needs a positive integer');
    } else if (a === '--s3-endpoint' || a === '--gcs-endpoint' || a === '--gcs-api-endpoint') {
      const v = argv[++i];
      if (!v) throw new UsageError(`${a} needs a URL`);
      const key = a === '--s3-endpoint' ? 's3Endpoint' : a === '--gcs-endpoint' ? 'gcsEndpoint' : 'gcsApiEndpoint';
      args.endpoints[key] = v;
    } else if (IDC_OPTIONS.has(a.slice(2))) {
      const v = argv[++i];
      if (!v) throw new UsageError(`${a} needs a value`);
      args.idc[a.slice(2)] = v;
    } else if (a === '--out') {
      args.out = argv[++i];
      if (!args.out) throw new UsageError('--out needs a file name');
    } else if (a === '--rows' || a === '--cols' || a === '--slices') {
      const v = argv[++i];
      if (!v || !/^-?\d*:-?\d*$/.test(v)) throw new UsageError(`${a} needs start:end`);
      if (a === '--rows') args.rows = v; else if (a === '--cols') args.cols = v; else args.slices = v;
    } else if (a === '--label') {
      const v = argv[++i];
      if (v === undefined) throw new UsageError('--label needs a segment label');
      args.labels.push(v);
    } else if (a === '--segment') {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new UsageError('--segment needs a segment number');
      args.segments.push(v);
    } else if (a === '--reference') {
      // Everything up to the next option.
      while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) args.reference.push(argv[++i]);
      if (!args.reference.length) throw new UsageError('--reference needs the source image (files, a directory or URLs)');
    } else if (a === '--level') {
      args.level = Number(argv[++i]);
      if (!Number.isInteger(args.level)) throw new UsageError('--level needs a level index (0 = finest)');
    } else if (a === '--magnification') {
      args.magnification = argv[++i];
      if (!args.magnification) throw new UsageError("--magnification needs e.g. '20X'");
    } else if (a === '--icc') {
      args.icc = argv[++i];
      if (args.icc !== 'srgb' && args.icc !== 'display-p3') throw new UsageError('--icc needs srgb or display-p3');
    } else if (a === '--focal-plane') {
      args.focalPlane = Number(argv[++i]);
    } else if (a === '--reduce') {
      args.reduce = Number(argv[++i]);
      if (!Number.isInteger(args.reduce) || args.reduce < 0) throw new UsageError('--reduce needs a non-negative integer');
    } else if (a.startsWith('--')) {
      if (!BOOLEAN_FLAGS.has(a.slice(2))) throw new UsageError(`unknown option '${a}'`);
      args.flags.add(a.slice(2));
    } else {
      args.positional.push(a);
    }
  }
  return args;
}

class UsageError extends Error {}

function line(label: string, value: unknown): string {
  return `${(label + ':').padEnd(20)}${value}`;
}

export function formatSummary(name: string, s: InstanceSummary): string {
  const out = [
    line('file', `${name} (${s.fileSize} bytes)`),
    line('SOP class', `${s.sopClassUid ?? '-'}${s.sopClassName ? ` (${s.sopClassName})` : ''}`),
    line('SOP instance', s.sopInstanceUid ?? '-'),
    line('transfer syntax', `${s.transferSyntaxUid} (${s.transferSyntaxName})`),
  ];
  if (s.pixelData) {
    out.push(line('rows x columns', `${s.rows} x ${s.columns}`));
    out.push(line('frames', s.numberOfFrames));
    out.push(line('bits', `allocated ${s.bitsAllocated}, stored ${s.bitsStored}, pixel representation ${s.pixelRepresentation}`));
    out.push(line('samples per pixel', s.samplesPerPixel));
    out.push(line('photometric', s.photometricInterpretation ?? '-'));
    if (s.totalPixelMatrixRows) out.push(line('total pixel matrix', `${s.totalPixelMatrixRows} x ${s.totalPixelMatrixColumns}`));
    out.push(line('pixel data', `${s.pixelData.encapsulated ? 'encapsulated' : 'native'} at byte ${s.pixelData.offset}`));
    if (s.frameIndex) {
      out.push(line('frame index', `${s.frameIndex.kind}, ${s.frameIndex.frames} frames (${s.frameIndex.bytesRead} bytes read beyond the header)`));
      for (const n of s.frameIndex.notes) out.push(line('  note', n));
    } else if (s.frameIndexError) {
      const e = s.frameIndexError;
      out.push(line('frame index', `error ${e.name} (code ${e.code})${e.offset !== null ? ` at byte ${e.offset}` : ''}: ${e.message}`));
    }
  } else {
    out.push(line('pixel data', 'none'));
  }
  out.push(line('elements', s.elements));
  for (const w of s.warnings) out.push(line('warning', w));
  return out.join('\n');
}

/** Opens the source, runs `work`, prints --stats, always closes. */
async function withInstance(src: string, args: Args, work: (inst: Instance) => Promise<void>): Promise<void> {
  const inst = await open(src, openOptions(args));
  try {
    await work(inst);
    if (args.flags.has('stats')) process.stderr.write(JSON.stringify(inst.stats) + '\n');
  } finally {
    await inst.close();
  }
}

/** An array as .npy: shape (rows, columns) or (rows, columns, samples). */
async function writeArray(file: string, data: ArrayBufferView, dtype: string, rows: number, columns: number,
  samples: number): Promise<string> {
  const shape = samples > 1 ? [rows, columns, samples] : [rows, columns];
  const { writeFile } = await import('node:fs/promises');
  await writeFile(file, encodeNpy(data, dtype, shape));
  return `${shape.join('x')} ${dtype}`;
}

async function info(args: Args): Promise<void> {
  const src = args.positional[0];
  if (!src) throw new UsageError('info needs a path or URL');
  await withInstance(src, args, async (inst) => {
    if (args.flags.has('json')) {
      const { dataset, warnings } = inst.dataset();
      process.stdout.write(JSON.stringify({ summary: inst.summary, dataset, warnings }, null, 1) + '\n');
    } else {
      process.stdout.write(formatSummary(inst.source.name, inst.summary) + '\n');
    }
  });
}

async function frame(args: Args): Promise<void> {
  const [src, n] = args.positional;
  if (!src || !n) throw new UsageError('frame needs a path or URL and a frame number');
  const number = Number(n);
  if (!Number.isInteger(number)) throw new UsageError(`frame number '${n}' is not an integer`);
  const out = args.out;
  if (!out) throw new UsageError('frame needs --out FILE');
  await withInstance(src, args, async (inst) => {
    if (args.flags.has('raw')) {
      const bytes = await inst.getRawFrame(number);
      const { writeFile } = await import('node:fs/promises');
      await writeFile(out, out.endsWith('.npy') ? encodeNpy(bytes, 'uint8', [bytes.length]) : bytes);
      process.stderr.write(`frame ${number}: ${bytes.length} encoded bytes\n`);
    } else if (!args.flags.has('stored')) {
      const f = await inst.getFrame(number, { voi: args.flags.has('voi') ? true : undefined });
      const what = await writeArray(out, f.data, 'float64', f.rows, f.columns, f.samplesPerPixel);
      process.stderr.write(`frame ${number}: ${what} (${f.transform})\n`);
    } else {
      const f = await inst.getStoredFrame(number, { reduce: args.reduce });
      const what = await writeArray(out, f.data, f.dtype, f.rows, f.columns, f.samplesPerPixel);
      process.stderr.write(`frame ${number}: ${what} ${f.photometricInterpretation} (${f.decoder})\n`);
    }
  });
}

function slice(spec: string | undefined): [number | undefined, number | undefined] {
  if (!spec) return [undefined, undefined];
  const [a, b] = spec.split(':');
  return [a === '' ? undefined : Number(a), b === '' ? undefined : Number(b)];
}

/** Opens the slide of the positional sources, runs `work`, prints --stats, always closes. */
async function withSlide(args: Args, work: (slide: Slide) => Promise<void>): Promise<void> {
  const sources = args.positional;
  if (!sources.length) throw new UsageError('a slide source is needed');
  const slide = await openSlide(sources.length === 1 ? sources[0] : sources, openOptions(args));
  try {
    await work(slide);
    if (args.flags.has('stats')) process.stderr.write(JSON.stringify(slide.stats) + '\n');
  } finally {
    await slide.close();
  }
}

async function slideRegion(args: Args, out: string): Promise<void> {
  await withSlide(args, async (slide) => {
    const level = args.magnification ? slide.levelByMagnification(args.magnification) : slide.level(args.level!);
    if (!level) throw new UsageError(`no level at ${args.magnification} (levels: ${slide.levels.map((l) => l.magnification).join(', ')})`);
    const [r0 = 0, r1 = level.rows] = slice(args.rows);
    const [c0 = 0, c1 = level.columns] = slice(args.cols);
    const patch = await slide.getPatch(level, c0, r0, c1 - c0, r1 - r0, {
      focalPlane: args.focalPlane, icc: (args.icc as 'srgb' | 'display-p3' | undefined) ?? false,
    });
    const what = await writeArray(out, patch.data, 'uint8', patch.rows, patch.columns, patch.samplesPerPixel);
    process.stderr.write(`level ${level.index} (${level.magnification || 'no spacing'}) patch ${what}, ${patch.colour}\n`);
  });
}

async function slideInfo(args: Args): Promise<void> {
  await withSlide(args, async (slide) => {
    const levels = slide.levels.map((l) => ({
      level: l.index, rows: l.rows, columns: l.columns, tileRows: l.tileRows, tileColumns: l.tileColumns, spacing: l.spacing,
      magnification: l.magnification, frames: l.frames, focalPlanes: l.focalPlanes, opticalPaths: l.opticalPaths,
      transferSyntaxUid: l.transferSyntaxUid, instances: l.instances.map((parts) => parts.map((i) => i.source.name)),
    }));
    const ancillary = Object.fromEntries(([['label', slide.label], ['overview', slide.overview], ['thumbnail', slide.thumbnail]] as const)
      .filter(([, a]) => a).map(([k, a]) => [k, { rows: a!.rows, columns: a!.columns, source: a!.instance.source.name }]));
    if (args.flags.has('json')) {
      process.stdout.write(prettyJson({ levels, ...ancillary, warnings: slide.warnings }) + '\n');
      return;
    }
    for (const l of levels) {
      const sp = l.spacing ? `${(l.spacing.column * 1000).toFixed(4)} µm/px` : 'no spacing';
      process.stdout.write(`level ${l.level}: ${l.columns} x ${l.rows} px, tiles ${l.tileColumns} x ${l.tileRows}, ${sp}, ${l.magnification || '-'}, ` +
        `${l.frames} frames, ${l.focalPlanes} focal plane(s), ${l.instances.flat().length} instance(s), ${l.transferSyntaxUid}\n`);
    }
    for (const [k, a] of Object.entries(ancillary)) process.stdout.write(`${k}: ${a.columns} x ${a.rows} px\n`);
    for (const w of slide.warnings) process.stdout.write(`warning: ${w}\n`);
  });
}

async function region(args: Args): Promise<void> {
  const out = args.out;
  if (!out) throw new UsageError('region needs --out FILE');
  if (args.level !== undefined || args.magnification) return slideRegion(args, out);
  const src = args.positional[0];
  if (!src) throw new UsageError('region needs a path or URL');
  const [rowStart, rowEnd] = slice(args.rows);
  const [columnStart, columnEnd] = slice(args.cols);
  await withInstance(src, args, async (inst) => {
    const r = await inst.getTotalPixelMatrix({
      rowStart, rowEnd, columnStart, columnEnd, asIndices: true, focalPlane: args.focalPlane,
      stored: args.flags.has('stored'), voi: args.flags.has('voi') ? true : undefined,
    });
    const what = await writeArray(out, r.data, r.dtype, r.rows, r.columns, r.samplesPerPixel);
    process.stderr.write(`region ${what} from ${r.frames.length} frames${r.transform ? ` (${r.transform})` : ''}\n`);
  });
}

/** JSON with one key per line and arrays of numbers (affine rows, shapes) kept on one line. */
function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 1).replace(/\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g,
    (_, inner: string) => `[${inner.split(/,\s*/).join(', ')}]`);
}

/** The volume's place as JSON: shape, dtype, affine (LPS), spacing, direction, first voxel's position. */
function volumeJson(v: Volume): Record<string, unknown> {
  return { shape: v.shape, dtype: v.dtype, affine: v.affine, spacing: v.spacing, direction: v.direction, position: v.position,
    ...(v.channels ? { channels: v.channels } : {}) };
}

async function writeVolume(file: string | undefined, v: Volume): Promise<void> {
  if (!file) return;
  const { writeFile } = await import('node:fs/promises');
  await writeFile(file, encodeNpy(v.data, v.dtype, v.shape));
}

/** One enhanced multi-frame file or a series (files, a directory, URLs, a bucket prefix, a zip folder). */
function openVolumeSource(srcs: string[], args: Args) {
  return openSeries(srcs.length === 1 ? srcs[0] : srcs, openOptions(args));
}


async function volume(args: Args): Promise<void> {
  if (!args.positional.length) throw new UsageError('volume needs files, a directory or URLs');
  const [sliceStart, sliceEnd] = slice(args.slices);
  const [rowStart, rowEnd] = slice(args.rows);
  const [columnStart, columnEnd] = slice(args.cols);
  const series = await openVolumeSource(args.positional, args);
  try {
    const v = await series.getVolume({
      sliceStart, sliceEnd, rowStart, rowEnd, columnStart, columnEnd, asIndices: true,
      allowMissingPositions: args.flags.has('allow-missing'), dtype: args.flags.has('float32') ? 'float32' : 'float64',
    });
    await writeVolume(args.out, v);
    process.stdout.write(prettyJson(volumeJson(v)) + '\n');
    if (args.flags.has('stats')) process.stderr.write(JSON.stringify(series.stats) + '\n');
  } finally {
    await series.close();
  }
}

async function seg(args: Args): Promise<void> {
  const src = args.positional[0];
  if (!src) throw new UsageError('seg needs a path or URL');
  const s = await openSegmentation(src, openOptions(args));
  try {
    let numbers = [...args.segments];
    for (const label of args.labels) {
      const found = s.getSegmentNumbers({ label });
      if (!found.length) throw new UsageError(`no segment labelled '${label}' (labels: ${s.segments.map((x) => `'${x.label}'`).join(', ')})`);
      numbers.push(...found);
    }
    numbers = [...new Set(numbers)];
    const segments = (numbers.length ? numbers : s.segments.map((x) => x.number)).map((n) => {
      const d = s.segment(n);
      return d ? { number: d.number, label: d.label, propertyType: d.propertyType.meaning, rgb: d.rgb } : { number: n };
    });
    const out: Record<string, unknown> = { type: s.type, segments };
    let referenceStats;
    if (args.out) {
      let reference;
      if (args.reference.length) {
        // The source image's grid, from its headers only.
        const source = await openVolumeSource(args.reference, args);
        try {
          reference = await source.volumeGeometry();
          referenceStats = source.stats;
        } finally {
          await source.close();
        }
      }
      const v = await s.getVolume({
        segmentNumbers: numbers.length ? numbers : undefined, combineSegments: args.flags.has('combine'),
        relabel: args.flags.has('relabel'), reference,
      });
      await writeVolume(args.out, v);
      Object.assign(out, volumeJson(v));
    }
    process.stdout.write(prettyJson(out) + '\n');
    if (args.flags.has('stats')) process.stderr.write(JSON.stringify(referenceStats ? sumStats([s.instance.stats, referenceStats]) : s.instance.stats) + '\n');
  } finally {
    await s.close();
  }
}

/** `lazydcm idc series|studies|files|download`. */
async function idcCommand(args: Args): Promise<void> {
  const [sub, ...rest] = args.positional;
  const o = args.idc;
  const mirror = o.mirror as 'aws' | 'gcs' | 'auto' | undefined;
  if (mirror && !['aws', 'gcs', 'auto'].includes(mirror)) throw new UsageError('--mirror needs aws, gcs or auto');
  const idc = new Idc({
    tables: { index: o.index, sm_instance_index: o['sm-instance-index'] }, mirror,
    endpoints: { aws: args.endpoints.s3Endpoint, gcs: args.endpoints.gcsEndpoint, gcsApi: args.endpoints.gcsApiEndpoint },
    http: { headers: args.headers },
  });
  const limit = o.limit === undefined ? undefined : Number(o.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError('--limit needs a positive integer');
  const query = { collection: o.collection, patient: o.patient, study: o.study, series: o.series, modality: o.modality, limit };
  const cost = () => {
    const c = idc.lastQuery;
    if (args.flags.has('stats') && c) process.stderr.write(`${JSON.stringify({ query: c })}\n`);
  };
  if (sub === 'series' || sub === 'studies') {
    const rows: Record<string, unknown>[] = sub === 'series' ? await idc.series(query) : (await idc.studies(query)).map((s) => ({ ...s, modalities: s.modalities.join(',') }));
    cost();
    if (args.flags.has('json')) {
      process.stdout.write(`${JSON.stringify(rows, null, 1)}\n`);
      return;
    }
    const cols = sub === 'series' ? ['collection_id', 'PatientID', 'StudyInstanceUID', 'SeriesInstanceUID', 'Modality', 'instanceCount', 'series_size_MB']
      : ['collection_id', 'PatientID', 'StudyInstanceUID', 'modalities', 'series', 'size_MB'];
    process.stdout.write(`${cols.join('\t')}\n${rows.map((r) => cols.map((c) => String(r[c] ?? '')).join('\t')).join('\n')}${rows.length ? '\n' : ''}`);
    return;
  }
  if (sub === 'files') {
    if (rest.length !== 1) throw new UsageError('idc files needs one SeriesInstanceUID');
    process.stdout.write(`${(await idc.files(rest[0])).join('\n')}\n`);
    return;
  }
  if (sub === 'download') {
    if (!rest.length) throw new UsageError('idc download needs SeriesInstanceUIDs');
    if (!args.out) throw new UsageError('idc download needs --out DIR');
    for (const uid of rest) await download(await idc.seriesUid(uid), `${args.out}/${uid}`);
    if (args.flags.has('stats')) process.stderr.write(`${JSON.stringify({ tables: idc.tableStats.toJSON(), notes: idc.stats.notes })}\n`);
    return;
  }
  throw new UsageError("idc needs 'series', 'studies', 'files' or 'download'");
}

/**
 * The objects into `dir`: a complete file (its size) is skipped, a partial one (`<name>.part`) is
 * continued from its length by range; progress on stderr.
 */
async function download(files: MirroredSource[], dir: string): Promise<void> {
  const fs = await import('node:fs');
  fs.mkdirSync(dir, { recursive: true });
  let done = 0, bytes = 0;
  for (const f of files) {
    const name = f.name.split('/').pop()!;
    const target = `${dir}/${name}`, part = `${target}.part`;
    const { size } = await f.open(1);
    if (fs.existsSync(target) && fs.statSync(target).size === size) {
      done++;
      continue;
    }
    let at = fs.existsSync(part) ? fs.statSync(part).size : 0;
    if (at > size) at = 0;
    const fd = fs.openSync(part, at ? 'a' : 'w');
    try {
      while (at < size) {
        const chunk = await f.read(at, Math.min(8 << 20, size - at));
        if (!chunk.length) throw new LazydcmError(ErrorCode.truncated, 'truncated', `${f.name} ended at byte ${at} of ${size}`, at, f.name);
        fs.writeSync(fd, chunk);
        at += chunk.length;
        bytes += chunk.length;
      }
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(part, target);
    done++;
    process.stderr.write(`${dir}: ${done}/${files.length} files, ${(bytes / 2 ** 20).toFixed(1)} MB\n`);
  }
  process.stderr.write(`${dir}: ${done}/${files.length} files complete\n`);
}

async function main(argv: string[]): Promise<number> {
  try {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(USAGE);
      return 0;
    }
    const args = parseArgs(argv);
    if (args.flags.has('help') || args.command === 'help' || !args.command) {
      process.stdout.write(USAGE);
      return args.command ? 0 : 2;
    }
    switch (args.command) {
      case 'info':
        await info(args);
        return 0;
      case 'frame':
        await frame(args);
        return 0;
      case 'slide':
        await slideInfo(args);
        return 0;
      case 'region':
        await region(args);
        return 0;
      case 'volume':
        await volume(args);
        return 0;
      case 'seg':
        await seg(args);
        return 0;
      case 'idc':
        await idcCommand(args);
        return 0;
      default:
        throw new UsageError(`unknown command '${args.command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`lazydcm: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof LazydcmError) {
      process.stderr.write(`lazydcm: ${e.codeName} (code ${e.code}): ${e.message}\n`);
      return 1;
    }
    const err = e as NodeJS.ErrnoException;
    // Node's messages often start with their code already ("ENOENT: no such file…").
    const prefix = err.code && !err.message.startsWith(err.code) ? `${err.code}: ` : '';
    process.stderr.write(`lazydcm: ${prefix}${err.message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
