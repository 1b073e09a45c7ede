#!/usr/bin/python3
"""Seed corpora for the libFuzzer targets, built from the generated fixtures (build/fixtures) and the
real writers' files (build/conformance) — nothing is checked in but this script.

usage: make_corpus.py OUT_DIR FIXTURE_DIR...   (writes OUT_DIR/<target>/<sha1>)

- reader, image: DICOM files up to 64 KB whole; larger ones cut at 64 KB (the header and the first
  frames: the reader must say `truncated`, not crash) — small inputs keep the exec rate high.
- codec_<name>: the first frame's encoded bytes of each file of that syntax (pydicom's encaps),
  after the 8-byte frame description fuzz_codec.cpp reads.
- json: DICOM JSON of the files (pydicom's to_json, bulk data as InlineBinary up to 1 KB).
- icc: ICC profiles found in the files (prefixed by the target byte).
"""
import hashlib
import os
import sys
import warnings

import pydicom
from pydicom.encaps import generate_pixel_data_frame

warnings.filterwarnings("ignore")
MAX_INPUT = 64 * 1024
CODECS = {
    "jpeg8": ["1.2.840.10008.1.2.4.50"],
    "jpeg12": ["1.2.840.10008.1.2.4.51"],
    "jpeg_lossless": ["1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70"],
    "jpegls": ["1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81"],
    "j2k": ["1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91"],
    "htj2k": ["1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203"],
    "rle": ["1.2.840.10008.1.2.5"],
    "native": ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2"],
    "deflate_frame": ["1.2.840.10008.1.2.8.1"],
    "jxl": ["1.2.840.10008.1.2.4.110", "1.2.840.10008.1.2.4.111", "1.2.840.10008.1.2.4.112"],
}
BITS = [8, 16, 8, 16, 1, 32, 8, 16]
PHOTOMETRIC = ["MONOCHROME2", "MONOCHROME1", "RGB", "YBR_FULL", "YBR_FULL_422", "PALETTE COLOR", "YBR_RCT", "YBR_ICT"]


def put(out, target, data):
    folder = os.path.join(out, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def frame_header(ds):
    """The 8 bytes fuzz_codec.cpp turns back into this dataset's frame description."""
    rows, cols = int(ds.Rows) - 1, int(ds.Columns) - 1
    if not (0 <= rows < 512 and 0 <= cols < 512):
        return None
    spp = int(getattr(ds, "SamplesPerPixel", 1))
    bits = int(ds.BitsAllocated)
    b3 = (1 if spp == 3 else 0) | (BITS.index(bits) << 1 if bits in BITS else 0)
    stored = int(getattr(ds, "BitsStored", bits))
    b4 = (stored - 1) % max(bits, 1)
    b5 = int(getattr(ds, "PixelRepresentation", 0)) | int(getattr(ds, "PlanarConfiguration", 0) or 0) << 1
    pi = str(getattr(ds, "PhotometricInterpretation", "MONOCHROME2"))
    b6 = PHOTOMETRIC.index(pi) if pi in PHOTOMETRIC else 0
    return bytes([rows & 255, (rows >> 8) | ((cols >> 8) << 1), cols & 255, b3, b4, b5, b6, 0])


def first_frame(ds):
    data = ds.PixelData
    if str(ds.file_meta.TransferSyntaxUID) in CODECS["native"]:  # pydicom 2.3 does not know .201/.8.1
        frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
        return data[: max(1, len(data) // frames)]
    n = int(getattr(ds, "NumberOfFrames", 1) or 1)
    return next(generate_pixel_data_frame(data, n))


def main():
    out, dirs = sys.argv[1], sys.argv[2:]
    files = []
    for d in dirs:
        for root, _, names in os.walk(d):
            files += [os.path.join(root, n) for n in sorted(names) if n.endswith(".dcm")]
    for path in files:
        with open(path, "rb") as f:
            raw = f.read()
        put(out, "reader", raw[:MAX_INPUT])
        put(out, "image", raw[:MAX_INPUT])
        try:
            ds = pydicom.dcmread(path)
        except Exception:
            continue
        syntax = str(ds.file_meta.get("TransferSyntaxUID", ""))
        try:
            if "PixelData" in ds:
                header = frame_header(ds)
                for codec, uids in CODECS.items():
                    if syntax in uids and header:
                        frame = first_frame(ds)
                        if len(frame) <= MAX_INPUT:
                            put(out, "codec_" + codec, header + frame)
        except Exception:
            pass
        for seq in getattr(ds, "OpticalPathSequence", []) or []:
            if "ICCProfile" in seq:
                put(out, "icc", b"\x00" + bytes(seq.ICCProfile))
                put(out, "icc", b"\x01" + bytes(seq.ICCProfile))
        if "ICCProfile" in ds:
            put(out, "icc", b"\x00" + bytes(ds.ICCProfile))
        try:
            text = ds.to_json(bulk_data_threshold=1024, bulk_data_element_handler=lambda e: "http://bulk/" + e.keyword)
            if len(text) <= MAX_INPUT:
                put(out, "json", text.encode())
        except Exception:
            pass
    for target in ["reader", "image", "json", "icc"] + ["codec_" + c for c in CODECS]:
        folder = os.path.join(out, target)
        os.makedirs(folder, exist_ok=True)
        print(f"{target}: {len(os.listdir(folder))} seeds")


if __name__ == "__main__":
    main()
