/** Stable error codes shared with the C++ core (src/core/error.hpp). Messages are not API. */
export const ErrorCode = {
  ok: 0,
  truncated: 1,
  lengthBeyondEnd: 2,
  oddLength: 3,
  undefinedLengthNotAllowed: 4,
  invalidVr: 5,
  notDicom: 6,
  invalidItem: 7,
  valueTooLarge: 8,
  unsupportedTransferSyntax: 9,
  unsupportedCharacterSet: 10,
  deflateError: 11,
  noPixelData: 12,
  invalidImageAttributes: 13,
  invalidOffsetTable: 14,
  invalidTiff: 15,
  frameCountMismatch: 16,
  invalidJson: 17,
  invalidArgument: 18,
  frameOutOfRange: 19,
  invalidValue: 20,
  notAVolume: 21,
  segmentOverlap: 22,
  notASlide: 23,
  outOfImage: 24,
  iccError: 25,
  outOfMemory: 26,
  // I/O errors raised by the TypeScript layer
  httpError: 100,
  rangeNotSatisfiable: 101,
  sourceChanged: 102,
  aborted: 103,
  network: 104,
  invalidArchive: 105,
  // rendering (web/src/render)
  renderError: 110,
  // the WASM module and decode workers
  workerError: 111,
  wasmLoadError: 112,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

/** The core names codes in snake_case (`length_beyond_end`); the TypeScript API in camelCase. */
export function codeName(coreName: string): string {
  return coreName.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Every error lazydcm throws: a stable numeric `code`, its `codeName`, and where known the byte `offset`. */
export class LazydcmError extends Error {
  override name = 'LazydcmError';
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
    readonly offset?: number,
    readonly source?: string,
  ) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`);
  }

  /** Rebuild an error sent across postMessage or returned as JSON by the core. */
  static fromJson(j: { code: number; name: string; message: string; offset?: number | null }, source?: string): LazydcmError {
    return new LazydcmError(j.code, codeName(j.name), j.message, j.offset ?? undefined, source);
  }

  toJSON() {
    return { name: this.name, code: this.code, codeName: this.codeName, message: this.message, offset: this.offset };
  }
}

export function ioError(code: ErrorCodeName, message: string, source?: string): LazydcmError {
  return new LazydcmError(ErrorCode[code], code, message, undefined, source);
}
