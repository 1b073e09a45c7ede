export { ErrorCode, LazydcmError } from './core/errors.js';
export type { ErrorCodeName } from './core/errors.js';
export { IoStats } from './io/stats.js';
export { ByteLruCache, createFrameCaches, setCacheLimits, sharedFrameCaches } from './io/cache.js';
export type { DecodedFrame, FrameCaches } from './io/cache.js';
export { RequestScheduler } from './io/scheduler.js';
export { CacheStorageStore, MemoryStore, PersistentCache } from './io/persistent.js';
export type { PersistentCacheOptions, PersistentStore } from './io/persistent.js';
export { DecodePool } from './workers/pool.js';
export { Instance } from './model/instance.js';
export type { DicomJson, Frame, FrameLocation, FrameOptions, IndexKind, InstanceSummary, OpenOptions, PixelArray, Progress, ReadOptions, Region, RegionOptions, SegmentVolumeRequest, StoredFrame, TransformOptions, VolumeOptions } from './model/instance.js';
export type { Downsample, VolumeDtype } from './model/volume.js';
export { Segmentation, SegmentOverlay, cielabToRgb } from './model/segmentation.js';
export type { CodedConcept, OverlaySlice, SegmentDescription, SegmentFilter } from './model/segmentation.js';
export { Series } from './model/series.js';
export { magnificationToSpacing, PatchGenerator, Slide, spacingToMagnification } from './model/slide.js';
export type { AncillaryImage, LevelChoice, Patch, PatchGeneratorOptions, PatchOptions, PixelSpacing, ResizedLevel, SlideLevel } from './model/slide.js';
export { DicomWebClient, DicomWebInstanceSource, parseDicomWebUrl, parseMultipart } from './sources/dicomweb.js';
export type { DicomWebOptions, DicomWebPath } from './sources/dicomweb.js';
export { invertAffine, Volume } from './model/volume.js';
export type { GeometryOptions, VolumeGeometry, VolumeSelection } from './model/volume.js';
export { BlobSource } from './sources/blob.js';
export { HttpSource, resolveUrl } from './sources/http.js';
export { expandSources, isPrefixUrl, listObjects, parseManifest } from './sources/listing.js';
export { Idc } from './idc/idc.js';
export type { IdcOptions, IdcSeries, IdcStudy, Mirror, MirrorEndpoints, QueryCost, SeriesQuery } from './idc/idc.js';
export { MirroredSource } from './idc/mirror.js';
export { xnatFiles, xnatSession } from './sources/xnat.js';
export type { XnatOptions } from './sources/xnat.js';
export type { ListingOptions } from './sources/listing.js';
export { ZipArchive } from './sources/zip.js';
export type { ZipEntry } from './sources/zip.js';
export type { HttpOptions } from './sources/http.js';
export { MemorySource } from './sources/memory.js';
export type { Source } from './sources/resolve.js';
export { isFrameSource, type ByteSource, type FrameSource, type InstanceSource } from './sources/source.js';
export { preloadWasm, setWasmBaseUrl, setWasmSimd, wasmFlavour, wasmModules, wasmSource, type ModuleName } from './wasm/load.js';
export { drawImage, EIGHT_BIT, fullRangeWindow, labelColourTable, toImageData, toRgba, WINDOW_PRESETS, windowFunction } from './render/pixels.js';
export type { PixelImage, RgbaOptions, SegmentColour, Window } from './render/pixels.js';
export { planeGeometry } from './render/mpr.js';
export type { PlaneGeometry, PlaneName } from './render/mpr.js';
export { SlideView } from './render/slide-view.js';
export type { SlideViewOptions, SlideViewState, TileAddress, ViewStats } from './render/slide-view.js';
export { VolumeView } from './render/volume-view.js';
export type { VolumePane, VolumeViewOptions } from './render/volume-view.js';
export { slideTileSource } from './render/openseadragon.js';
export type { TileSourceOptions } from './render/openseadragon.js';

import { ErrorCode, LazydcmError } from './core/errors.js';
import { Instance, type OpenOptions } from './model/instance.js';
import { Segmentation } from './model/segmentation.js';
import { forEachLimited, Series } from './model/series.js';
import { Slide } from './model/slide.js';
import { DicomWebClient, DicomWebInstanceSource, parseDicomWebUrl, type DicomWebOptions } from './sources/dicomweb.js';
import type { HttpOptions } from './sources/http.js';
import { isPrefixUrl, listObjects, type ListingOptions } from './sources/listing.js';
import { platform } from './platform/platform.js';
import { toByteSource, type Source } from './sources/resolve.js';
import { splitZipSelection, ZipArchive } from './sources/zip.js';

/**
 * Opens one DICOM instance: a URL (`https://`, `gs://`, `s3://`), a Node path, a `File`/`Blob`,
 * or any ByteSource. Reads the header and the frame index with Range requests; no frame data.
 *
 * ```ts
 * const inst = await open('https://storage.googleapis.com/idc-open-data/<series>/<instance>.dcm');
 * inst.summary.rows; inst.summary.frameIndex?.kind; inst.frames[0];
 * ```
 */
export async function open(src: Source, options: OpenOptions & { http?: HttpOptions; dicomweb?: DicomWebOptions } = {}): Promise<Instance> {
  const web = typeof src === 'string' ? parseDicomWebUrl(src) : null;
  if (web?.instance) {
    // A DICOMweb instance URL: WADO-RS metadata, frames by number.
    const client = new DicomWebClient(web.base, options.dicomweb);
    const metadata = await client.instanceMetadata(web.study, web.series!, web.instance, options.signal);
    return Instance.fromMetadata(metadata, new DicomWebInstanceSource(client, web.study, web.series!, web.instance), options);
  }
  const zip = typeof src === 'string' ? splitZipSelection(src) : null;
  if (zip && zip.inside && !zip.inside.endsWith('/')) {
    // One file inside a zip archive: `archive.zip?folder/file.dcm`.
    const archive = await ZipArchive.open(toByteSource(zip.archive, options.http), options.signal);
    let entry;
    try {
      entry = archive.entry(zip.inside);
    } catch (e) {
      await archive.close();
      throw e;
    }
    return Instance.read(archive.entrySource(entry, true), options);
  }
  return Instance.read(toByteSource(src, options.http), options);
}

/**
 * Opens the instances of a series: a list of sources (URLs, paths, Files), a bucket prefix
 * (`s3://idc-open-data/<series-uuid>/`, `gs://…/`, listed through the public listing APIs), or in
 * Node a directory (every file under it). Headers only; `series.getVolume()` reads the pixels.
 *
 * ```ts
 * const series = await openSeries(urls);
 * const ct = await series.getVolume();           // float64 HU, shape [slices, rows, columns]
 * ct.affine; ct.voxelToPatient(0, 0, 0);
 * ```
 */
export async function openSeries(src: Source | Source[] | PromiseLike<Source[]>, options: OpenOptions & { http?: ListingOptions; concurrency?: number; dicomweb?: DicomWebOptions } = {}): Promise<Series> {
  if (isPromiseLike(src)) src = await src;  // e.g. openSeries(idc.seriesUid(uid))
  const web = typeof src === 'string' ? parseDicomWebUrl(src) : null;
  if (web?.series && !web.instance) return new Series(await openDicomWebSeries(web.base, web.study, web.series, options));
  let sources: Source[] = Array.isArray(src) ? src : [src];
  let listed = false;
  let archive: ZipArchive | undefined;
  const zip = typeof src === 'string' ? splitZipSelection(src)
    : typeof Blob !== 'undefined' && src instanceof Blob && /\.zip$/i.test((src as File).name ?? '') ? { archive: src, inside: '' } : null;
  if (zip) {
    // A zip archive, or a folder inside one (`archive.zip?folder/`): its entries, read by range.
    archive = await ZipArchive.open(toByteSource(zip.archive, options.http), options.signal);
    [sources, listed] = [archive.list(zip.inside).map((e) => archive!.entrySource(e)), true];
  } else if (!Array.isArray(src) && typeof src === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(src)) {
    const files = await platform().listDirectory(src);
    if (files) [sources, listed] = [files, true];
  } else if (sources.some((s) => typeof s === 'string' && isPrefixUrl(s))) {
    // Bucket prefixes (s3://bucket/series/, gs://…/*) listed through the public listing APIs.
    const expanded: Source[] = [];
    for (const s of sources) expanded.push(...(typeof s === 'string' && isPrefixUrl(s) ? await listObjects(s, options.http) : [s]));
    sources = expanded;
    if (!sources.length) throw new LazydcmError(ErrorCode.notDicom, 'notDicom', `no objects under ${String(src)}`);
  }
  const instances: (Instance | undefined)[] = new Array(sources.length);
  const skipped: { source: string; error: LazydcmError }[] = [];
  try {
    await forEachLimited(sources.map((s, i) => ({ s, i })), options.concurrency ?? 8, async ({ s, i }) => {
      try {
        instances[i] = await open(s, options);
      } catch (e) {
        // Files of a directory that do not parse as DICOM (notes, images) are skipped, and listed.
        if (!(listed && e instanceof LazydcmError && e.code < 100)) throw e;
        skipped.push({ source: typeof s === 'string' ? s : (s as { name?: string }).name ?? String(s), error: e });
      }
    });
  } catch (e) {
    await Promise.all(instances.map((i) => i?.close()));
    await archive?.close();
    throw e;
  }
  const found = instances.filter((i): i is Instance => i !== undefined);
  if (!found.length) {
    await archive?.close();
    throw new LazydcmError(ErrorCode.notDicom, 'notDicom', `no DICOM files in ${String(src)}`);
  }
  return new Series(found, skipped, archive && (() => archive!.close()));
}

/**
 * Opens a Segmentation (SEG): its segments at once, segment volumes on request.
 *
 * ```ts
 * const seg = await openSegmentation(url);
 * const [liver] = seg.getSegmentNumbers({ label: 'Liver' });
 * const mask = await seg.getVolume({ segmentNumbers: [liver], combineSegments: true });
 * ```
 */
export async function openSegmentation(src: Source, options: OpenOptions & { http?: HttpOptions } = {}): Promise<Segmentation> {
  const instance = await open(src, options);
  try {
    return new Segmentation(instance);
  } catch (e) {
    await instance.close();
    throw e;
  }
}

/**
 * The instances of a DICOMweb series: one WADO-RS series metadata request, then frames by number
 * (batched, cached, prefetched like byte ranges).
 */
export async function openDicomWebSeries(base: string, study: string, series: string,
  options: OpenOptions & { dicomweb?: DicomWebOptions; client?: DicomWebClient } = {}): Promise<Instance[]> {
  const client = options.client ?? new DicomWebClient(base, options.dicomweb);
  const metadata = await client.seriesMetadata(study, series, options.signal);
  if (!metadata.length) throw new LazydcmError(ErrorCode.notDicom, 'notDicom', `no instances in series ${series}`, undefined, base);
  return Promise.all(metadata.map((m) => {
    const uid = m['00080018']?.Value?.[0] as string | undefined;
    if (!uid) throw new LazydcmError(ErrorCode.invalidJson, 'invalidJson', 'instance metadata without SOP Instance UID', undefined, base);
    return Instance.fromMetadata(m, new DicomWebInstanceSource(client, study, series, uid), options);
  }));
}

/**
 * Opens a whole-slide image: the VL Whole Slide Microscopy instances of one series, from a
 * DICOMweb series URL, a bucket prefix, a folder, a zip, or a list of sources (as openSeries).
 *
 * ```ts
 * const slide = await openSlide('https://server/dicom-web/studies/1.2/series/1.2.3');
 * slide.levels.map((l) => l.magnification);            // ['40X', '20X', '10X']
 * const patch = await slide.getPatch(slide.levelByMagnification('20X')!, 1024, 2048, 512, 512);
 * ```
 */
export async function openSlide(src: Source | Source[] | PromiseLike<Source[]>, options: OpenOptions & { http?: ListingOptions; concurrency?: number; dicomweb?: DicomWebOptions } = {}): Promise<Slide> {
  const series = await openSeries(src, options);
  try {
    return await Slide.fromInstances(series.instances, () => series.close());
  } catch (e) {
    await series.close();
    throw e;
  }
}

function isPromiseLike(x: unknown): x is PromiseLike<Source[]> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}
