/** Messages between a DecodePool and its workers. */
export interface DecodeRequest {
  id: number;
  transferSyntaxUid: string;
  /** The Decoder's frame description (Reader.frameInfoJson), plus `reduce`. */
  frame: Record<string, unknown>;
  /** The encoded frame (fragments joined); transferred, not copied. */
  bytes: Uint8Array;
}

export type DecodeResponse =
  | { id: number; bytes: Uint8Array; report: { rows: number; columns: number; samplesPerPixel: number; bitsAllocated: number; photometricInterpretation: string; decoder: string } }
  | { id: number; error: { code: number; name: string; message: string; offset: number | null } };
