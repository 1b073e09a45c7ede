/** The DICOM JSON model (PS3.18 F.2) of a dataset. */
export type DicomJson = Record<string, { vr: string; Value?: unknown[]; InlineBinary?: string; BulkDataURI?: string }>;
