import { ErrorCode, LazydcmError } from '../core/errors.js';
import { sumStats, type IoStats } from '../io/stats.js';
import { core as wasmCore } from '../wasm/core.js';
import type { Instance } from './instance.js';
import type { VolumeOptions } from './instance.js';
import { geometryOptions, planVolume, volumeReadOptions, VolumeSink, type GeometryOptions, type Volume, type VolumeGeometry } from './volume.js';

/**
 * Single-frame instances of one series (a CT or MR stack) read as one volume, as highdicom's
 * get_volume_from_series: one Series Instance UID and Frame of Reference UID, the same orientation,
 * pixel spacing and size, positions regularly spaced along the normal. Instances come in any order.
 * A series of one enhanced multi-frame instance is that instance's volume.
 */
export class Series {
  constructor(
    readonly instances: Instance[],
    /** Files of a listed directory that were not read as DICOM, and why. */
    readonly skipped: { source: string; error: LazydcmError }[] = [],
    private readonly onClose?: () => Promise<void>,
  ) {}

  /** Requests, bytes and cache hits of all the instances (a zip's entries share the archive's). */
  get stats(): IoStats {
    return sumStats(this.instances.map((i) => i.stats));
  }

  /** One enhanced multi-frame instance (opened as a "series" of one): its frames are the slices. */
  private get multiFrame(): Instance | undefined {
    const [only, ...rest] = this.instances;
    return !rest.length && only.frameCount > 1 ? only : undefined;
  }

  /**
   * The volume grid; `sliceOf[i]` is the slice of `instances[i]` (of frame i for a single
   * multi-frame instance).
   */
  async volumeGeometry(options: GeometryOptions = {}): Promise<VolumeGeometry> {
    if (this.multiFrame) return this.multiFrame.volumeGeometry(options);
    const core = await wasmCore();
    const members = this.instances.map((i) => i.seriesMember());
    return core.seriesGeometry(members, geometryOptions(options));
  }

  /** The instances sorted along the slice normal (volume slice order). */
  async sorted(options: GeometryOptions = {}): Promise<Instance[]> {
    const g = await this.volumeGeometry(options);
    return this.instances.map((inst, i) => ({ inst, s: g.sliceOf![i]! })).sort((a, b) => a.s - b.s).map((x) => x.inst);
  }

  /**
   * The series as a volume with the pixel transforms applied (float64 by default, as highdicom);
   * only the instances of the selected (and, downsampled, kept) slices are read, at most
   * `concurrency` at a time. Peak memory: the volume plus a slice per instance being read.
   */
  async getVolume(options: VolumeOptions & { concurrency?: number } = {}): Promise<Volume> {
    if (this.multiFrame) return this.multiFrame.getVolume(options);
    const g = await this.volumeGeometry(options);
    const samples = this.instances[0].summary.samplesPerPixel ?? 1;
    const plan = planVolume(g, options, samples);
    const bySlice = new Map(this.instances.map((inst, i) => [g.sliceOf![i]!, inst] as const));
    const wanted = plan.slices.flatMap((s) => (bySlice.has(s) ? [{ inst: bySlice.get(s)!, s }] : []));  // gaps stay empty
    // Each instance's frame transformed by the core into a one-slice buffer, then placed in the volume.
    const sink = new VolumeSink(await wasmCore(), plan, g.rows, g.columns, options);
    try {
      const read = volumeReadOptions(options, this.instances[0], wanted.length, plan, samples, this.instances[0].frames[0]?.length);
      await forEachLimited(wanted, options.concurrency ?? 8, async ({ inst, s }) => {
        if (inst.frameCount !== 1) {
          throw new LazydcmError(ErrorCode.notAVolume, 'notAVolume', `not a volume: ${inst.source.name} has ${inst.frameCount} frames (a series needs single-frame instances)`);
        }
        await sink.fill(inst, [0], read, () => s);
        inst.pixels().releaseFrame();  // its slice is in the volume: the instance's buffers go
      });
      return sink.finish(samples);
    } finally {
      sink.delete();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.instances.map((i) => i.close()));
    await this.onClose?.();
  }
}

/** Runs `fn` over `items` with at most `limit` running; the first failure rejects. */
export async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(workers);
}
