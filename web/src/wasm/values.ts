/**
 * The values that cross the WASM boundary, as wasm/values.cpp builds and reads them (plain objects
 * and arrays). Types only: wasm/load.ts types the bound module with them, wasm/core.ts wraps it.
 */
import type { DicomJson } from '../core/dicom-json.js';

export type { DicomJson };
/** How the frame index was built. */
export type IndexKind = 'native' | 'extended_offset_table' | 'basic_offset_table' | 'tiff_tile_table' | 'fragment_scan' | 'frames_by_number';

export interface ErrorValue { code: number; name: string; message: string; offset: number | null }

export interface InstanceSummary {
  fileSize: number;
  preamble: boolean;
  metaHeader: boolean;
  sopClassUid: string | null;
  sopClassName: string | null;
  sopInstanceUid: string | null;
  transferSyntaxUid: string;
  transferSyntaxName: string;
  transferSyntaxKnown: boolean;
  rows: number | null;
  columns: number | null;
  numberOfFrames: number | null;
  samplesPerPixel: number | null;
  bitsAllocated: number | null;
  bitsStored: number | null;
  pixelRepresentation: number | null;
  photometricInterpretation: string | null;
  totalPixelMatrixRows: number | null;
  totalPixelMatrixColumns: number | null;
  elements: number;
  pixelData: null | { tag: string; offset: number; valueOffset: number; encapsulated: boolean; length?: number; inInflatedStream: boolean };
  frameIndex: null | { kind: IndexKind; frames: number; notes: string[]; bytesRead: number };
  frameIndexError?: ErrorValue;
  warnings: string[];
}

/** What the core reads at open (OpenOptions' parser settings). */
export interface InstanceOptions { maxInlineValue?: number; strictOddLength?: boolean; scanBatch?: number; stopAtPixelData?: boolean; buildIndex?: boolean }

/** Byte offsets of frame_location's fields in the core. */
export interface FrameTableLayout { stride: number; offset: number; length: number; bitOffset: number; hasItemHeaders: number; expectedLength: number }

/** What a codec needs to decode a frame without its instance. */
export interface FrameInfo {
  rows: number; columns: number; samplesPerPixel: number; bitsAllocated: number; bitsStored: number; pixelRepresentation: number;
  planarConfiguration: number; photometricInterpretation: string; bitOffset: number; bigEndian: boolean; floatData: boolean;
}
export interface DecodeOptions { reduce?: number; rgb?: boolean }
export interface DecodeReport { rows: number; columns: number; samplesPerPixel: number; bitsAllocated: number; photometricInterpretation: string; decoder: string }
/** A decoded frame: stored values in the codec layout, and what the codec reported. */
export interface DecodedFrame { bytes: Uint8Array; report: DecodeReport }

/** The pixel transforms to apply (true: must exist, false: skip, absent: if present). */
export interface TransformSettings {
  realWorld?: boolean | null; modality?: boolean | null; voi?: boolean | null; palette?: boolean | null; voiIndex?: number; voiMin?: number; voiMax?: number;
  presentation?: boolean; ybrToRgb?: boolean;
}
export interface Values { data: Float64Array | Float32Array; samplesPerPixel: number; transform: string }

/** A volume's grid: array axes (slice, row, column) and the 4x4 affine to LPS millimetres. */
export interface VolumeGeometry {
  slices: number;
  rows: number;
  columns: number;
  sliceSpacing: number;
  /** Pixel Spacing order: (between rows, between columns). */
  pixelSpacing: [number, number];
  affine: number[][];
  /** For each input frame or instance, its 0-based slice (null: outside a cropped volume). */
  sliceOf?: (number | null)[];
}
export interface GeometrySettings { rtol?: number; perpendicularTol?: number; allowDuplicatePositions?: boolean; allowMissingPositions?: boolean; spacingHint?: number }
export interface SeriesMember {
  name: string; seriesUid: string; frameOfReferenceUid: string; rows: number; columns: number;
  position: number[] | null; orientation: number[] | null; pixelSpacing: number[] | null; spacingBetweenSlices: number | null;
}
export interface RegionPlan { rows: number; columns: number; frames: number[]; rects: [number, number, number, number][] }

export interface CodedConcept { value: string; scheme: string; meaning: string }
export interface SegmentValue {
  number: number; label: string; description: string; algorithmType: string; algorithmName: string; trackingId: string;
  trackingUid: string; propertyCategory: CodedConcept; propertyType: CodedConcept; cielab: [number, number, number] | null;
}
export interface SegmentationValue { type: string; fractionalType: string; maxFractionalValue: number; segments: SegmentValue[]; frameSegments: number[] }
export interface SegmentFilterValue { label?: string; propertyCategory?: string; propertyType?: string; algorithmType?: string; trackingUid?: string; trackingId?: string }
export interface SegmentRequestValue { segmentNumbers?: number[]; combineSegments?: boolean; relabel?: boolean; rescaleFractional?: boolean; skipOverlapChecks?: boolean; slices?: [number, number] }
export interface SegmentPlan { frames: number[]; shape: number[]; dtype: 'uint8' | 'uint16' | 'float32'; geometry: VolumeGeometry; segmentNumbers: number[] }

export interface WsiImage {
  name: string; sopInstanceUid: string; seriesUid: string; frameOfReferenceUid: string; transferSyntaxUid: string;
  concatenationUid: string; concatenationOffset: number; flavor: 'VOLUME' | 'LABEL' | 'OVERVIEW' | 'THUMBNAIL' | 'OTHER';
  wsiSopClass: boolean; rows: number; columns: number; totalRows: number; totalColumns: number; frames: number; focalPlanes: number;
  opticalPaths: number; spacing: [number, number] | null; samplesPerPixel: number; bitsAllocated: number;
  photometricInterpretation: string; hasIccProfile: boolean;
}
export interface PyramidLevelValue {
  totalRows: number; totalColumns: number; tileRows: number; tileColumns: number; spacing: [number, number] | null; frames: number;
  images: number[][]; focalPlanes: number; opticalPaths: number; transferSyntaxUid: string;
}
export interface PyramidValue { levels: PyramidLevelValue[]; labels: number[]; overviews: number[]; thumbnails: number[]; warnings: string[] }
export interface IccProfileInfo { present: boolean; bulk?: boolean; offset?: number; length?: number; bulkUri?: string }

