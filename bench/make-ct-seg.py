#!/usr/bin/python3
"""A 500-slice CT series (512 x 512, 16-bit, uncompressed, as IDC's CTs mostly are: 500 files of
512 KB) and a 100-segment BINARY SEG on it (segment n: a disc on 20 slices from slice 4n; 2,000
frames, bit-packed) for the volume-stream benchmark.
Usage: /usr/bin/python3 bench/make-ct-seg.py OUT_DIR [SLICES]
"""
import os
import sys

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

out = sys.argv[1]
S = int(sys.argv[2]) if len(sys.argv) > 2 else 500
R = C = 512
os.makedirs(os.path.join(out, "ct"), exist_ok=True)
study, series, frame_of_ref = generate_uid(), generate_uid(), generate_uid()
spacing = 0.8
y, x = np.mgrid[0:R, 0:C]


def base(sop_class, modality):
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID = sop_class
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID, ds.FrameOfReferenceUID, ds.Modality = study, frame_of_ref, modality
    ds.PatientName, ds.PatientID = "Bench^Volume", "BENCH"
    ds.is_little_endian, ds.is_implicit_VR = True, False
    return ds


ct_uids = []
for k in range(S):
    ds = base("1.2.840.10008.5.1.4.1.1.2", "CT")
    ds.SeriesInstanceUID, ds.InstanceNumber = series, k + 1
    ds.ImagePositionPatient = [-C * spacing / 2, -R * spacing / 2, float(k)]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing, ds.SliceThickness = [spacing, spacing], 1.0
    ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.PhotometricInterpretation = R, C, 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    ds.RescaleIntercept, ds.RescaleSlope = -1024, 1
    body = ((x - C / 2) ** 2 + (y - R / 2) ** 2 < (200 + 20 * np.sin(k / 40)) ** 2) * 1064
    ds.PixelData = (body + ((x * 7 + y * 3 + k) % 50)).astype(np.int16).tobytes()
    ct_uids.append(ds.SOPInstanceUID)
    ds.save_as(os.path.join(out, "ct", f"{k:04d}.dcm"), write_like_original=False)

seg = base("1.2.840.10008.5.1.4.1.1.66.4", "SEG")
seg.SeriesInstanceUID = generate_uid()
seg.SegmentationType, seg.ContentLabel = "BINARY", "BENCH"
seg.Rows, seg.Columns, seg.SamplesPerPixel, seg.PhotometricInterpretation = R, C, 1, "MONOCHROME2"
seg.BitsAllocated = seg.BitsStored = 1
seg.HighBit, seg.PixelRepresentation = 0, 0
ref = Dataset()
ref.SeriesInstanceUID = series
ref.ReferencedInstanceSequence = Sequence([Dataset()])
ref.ReferencedInstanceSequence[0].ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
ref.ReferencedInstanceSequence[0].ReferencedSOPInstanceUID = ct_uids[0]
seg.ReferencedSeriesSequence = Sequence([ref])
items, frames, per = [], [], []
for n in range(1, 101):
    s = Dataset()
    s.SegmentNumber, s.SegmentLabel, s.SegmentAlgorithmType = n, f"Region {n:03d}", "MANUAL"
    cat, typ = Dataset(), Dataset()
    cat.CodeValue, cat.CodingSchemeDesignator, cat.CodeMeaning = "123037004", "SCT", "Anatomical Structure"
    typ.CodeValue, typ.CodingSchemeDesignator, typ.CodeMeaning = "85756007", "SCT", "Tissue"
    s.SegmentedPropertyCategoryCodeSequence, s.SegmentedPropertyTypeCodeSequence = Sequence([cat]), Sequence([typ])
    items.append(s)
    cy, cx = 100 + (n * 37) % 300, 100 + (n * 53) % 300
    disc = ((x - cx) ** 2 + (y - cy) ** 2 < 30 ** 2).astype(np.uint8)
    for k in range(4 * (n - 1) % (S - 20), 4 * (n - 1) % (S - 20) + 20):
        frames.append(disc)
        item = Dataset()
        pp, si = Dataset(), Dataset()
        pp.ImagePositionPatient = [-C * spacing / 2, -R * spacing / 2, float(k)]
        si.ReferencedSegmentNumber = n
        item.PlanePositionSequence, item.SegmentIdentificationSequence = Sequence([pp]), Sequence([si])
        per.append(item)
seg.SegmentSequence = Sequence(items)
shared = Dataset()
po, pm = Dataset(), Dataset()
po.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
pm.PixelSpacing, pm.SliceThickness, pm.SpacingBetweenSlices = [spacing, spacing], 1.0, 1.0
shared.PlaneOrientationSequence, shared.PixelMeasuresSequence = Sequence([po]), Sequence([pm])
seg.SharedFunctionalGroupsSequence = Sequence([shared])
seg.PerFrameFunctionalGroupsSequence = Sequence(per)
seg.NumberOfFrames = len(frames)
seg.PixelData = np.packbits(np.stack(frames).ravel(), bitorder="little").tobytes()
seg.save_as(os.path.join(out, "seg.dcm"), write_like_original=False)
print(out, S, "slices,", len(frames), "SEG frames")
