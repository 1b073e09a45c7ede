/** Where one frame's bytes are. */
export interface FrameLocation {
  /** First byte to fetch (for deflated files: in the inflated stream). */
  offset: number;
  length: number;
  /** 1-bit native frames that do not start on a byte boundary. */
  bitOffset: number;
  /** The range holds fragment items (headers to strip). */
  hasItemHeaders: boolean;
  expectedLength: number;
}

/** Byte offsets of frame_location's fields in the core (Reader.frameTableLayout()). */
export interface FrameTableLayout {
  stride: number;
  offset: number;
  length: number;
  bitOffset: number;
  hasItemHeaders: number;
  expectedLength: number;
}

/**
 * A frame index in columns: 21 bytes a frame (a slide of 10^6 tiles: 21 MB), copied once out of
 * the core's array of frame_location structs; FrameLocation objects only when asked for.
 */
export class FrameTable {
  readonly length: number;
  private readonly offsets: Float64Array;
  private readonly lengths: Float64Array;
  private readonly expected: Uint32Array;
  private readonly flags: Uint8Array;  // bit offset (0..7) | 0x80 when the range holds item headers

  constructor(structs: Uint8Array, layout: FrameTableLayout) {
    const n = Math.floor(structs.length / layout.stride);
    this.length = n;
    this.offsets = new Float64Array(n);
    this.lengths = new Float64Array(n);
    this.expected = new Uint32Array(n);
    this.flags = new Uint8Array(n);
    const view = new DataView(structs.buffer, structs.byteOffset, structs.byteLength);
    const u64 = (at: number) => view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
    for (let i = 0, at = 0; i < n; i++, at += layout.stride) {
      this.offsets[i] = u64(at + layout.offset);
      this.lengths[i] = u64(at + layout.length);
      this.expected[i] = view.getUint32(at + layout.expectedLength, true);
      this.flags[i] = (view.getUint32(at + layout.bitOffset, true) & 7) | (view.getUint8(at + layout.hasItemHeaders) ? 0x80 : 0);
    }
  }

  offset(i: number): number {
    return this.offsets[i];
  }

  byteLength(i: number): number {
    return this.lengths[i];
  }

  at(i: number): FrameLocation {
    return { offset: this.offsets[i], length: this.lengths[i], bitOffset: this.flags[i] & 7,
      hasItemHeaders: (this.flags[i] & 0x80) !== 0, expectedLength: this.expected[i] };
  }

  /** Sum of the frames' byte lengths. */
  totalBytes(): number {
    let sum = 0;
    for (let i = 0; i < this.length; i++) sum += this.lengths[i];
    return sum;
  }
}
