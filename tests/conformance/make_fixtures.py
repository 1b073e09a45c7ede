#!/usr/bin/python3
"""Conformance fixtures written by the tools real archives were built with, not by our generator.

Writers: PixelMed TIFFToDicom (dual-personality DICOM-TIFF slides from vips pyramids, classic and
BigTIFF, with and without the TIFF), pydicom's encapsulate_extended (as pydicom 2.3 writes it, and
with the offsets highdicom writes), dcmtk (dcmcjpls/dcmcjpeg/dcmcrle with fragments and empty
tables), GDCM (gdcmconv), plus the quirks of real files (blank VRs, stray items, a DCT JPEG under a
lossless syntax, a lying offset table, no preamble, truncated pixel data, trailing bytes).

References are independent decodes: PIL (libjpeg) for the slide tiles, stitched in TILED_FULL
order; DCMTK's own decompressors (dcmdjpls/dcmdjpeg/dcmdrle) or pydicom+GDCM for the multi-frame
files; the source pixels where the codec is lossless. Each fixture is checked with dciodvfy and
its findings kept in the manifest.

Usage: make_fixtures.py OUT_DIR   (cached: does nothing when OUT_DIR/manifest.json is current)
"""
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import zlib

import numpy as np
import pydicom
from pydicom.encaps import encapsulate, encapsulate_extended, generate_pixel_data_frame
from pydicom.uid import generate_uid
from PIL import Image

OUT = os.path.abspath(sys.argv[1])
CORPUS = os.path.dirname(pydicom.__file__) + "/data/test_files"
SELF = open(__file__, "rb").read()
STAMP = hashlib.sha256(SELF).hexdigest()[:16]
WSI_JSON = "/etc/pixelmed/TIFFToDicom.WSI.json"
manifest = {"stamp": STAMP, "fixtures": []}


def run(*cmd, **kw):
    r = subprocess.run(list(cmd), capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


def dciodvfy(path):
    """dicom3tools' IOD check: the count of errors (a real writer's file may have some)."""
    r = subprocess.run(["dciodvfy", path], capture_output=True, text=True)
    errors = [line for line in (r.stdout + r.stderr).splitlines() if line.startswith("Error")]
    return {"errors": len(errors), "first": errors[:3]}


def add(name, writer, files, kind, expect, **extra):
    entry = {"name": name, "writer": writer, "files": [os.path.relpath(f, OUT) for f in files], "kind": kind,
             "expect": expect, "dciodvfy": dciodvfy(files[0])}
    entry.update(extra)
    manifest["fixtures"].append(entry)


def save(name, array):
    path = os.path.join(OUT, "ref", name + ".npy")
    np.save(path, np.ascontiguousarray(array))
    return os.path.relpath(path, OUT)


# ---- slides: vips pyramids through PixelMed TIFFToDicom ----

def source_slide():
    rng = np.random.default_rng(13)
    h, w = 1700, 2300  # level 0: 7 x 9 tiles of 256, partial edge tiles
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([x * 255 // w, y * 255 // h, (x // 7 + y // 5) % 256], -1).astype(np.int16)
    img += rng.integers(-24, 24, img.shape, dtype=np.int16)  # texture: tile lengths vary, odd and even
    img[300:700, 900:1400] = (200, 60, 90)
    return np.clip(img, 0, 255).astype(np.uint8)


def tile_mosaic(ds, frames):
    """Frames decoded by PIL, stitched in TILED_FULL order into (tile rows*R) x (tile cols*C) x 3."""
    R, C = int(ds.Rows), int(ds.Columns)
    tr = -(-int(ds.TotalPixelMatrixRows) // R)
    tc = -(-int(ds.TotalPixelMatrixColumns) // C)
    mosaic = np.zeros((tr * R, tc * C, 3), np.uint8)
    for k, f in enumerate(frames):
        tile = np.asarray(Image.open(io.BytesIO(f)).convert("RGB"))
        r, c = divmod(k, tc)
        # An edge tile coded at its own smaller size sits in the frame's top-left corner.
        mosaic[r * R:r * R + tile.shape[0], c * C:c * C + tile.shape[1]] = tile
    return mosaic


def frames_of(ds):
    n = int(getattr(ds, "NumberOfFrames", 1))
    return [f.rstrip(b"\0") if f.endswith(b"\xff\xd9\0") else f for f in generate_pixel_data_frame(ds.PixelData, n)]


def pixelmed_slide(name, tif, options, expect_kind):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    run("TIFFToDicom", WSI_JSON, tif, os.path.join(d, "level"), "SM", "1.2.840.10008.5.1.4.1.1.77.1.6",
        "1.2.840.10008.1.2.4.50", *options)
    files = sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".dcm"))
    levels = []
    for f in files:
        ds = pydicom.dcmread(f)
        if "TotalPixelMatrixRows" not in ds:
            continue
        frames = frames_of(ds)
        odd = sum(1 for fr in frames if len(fr) % 2)
        levels.append({"file": os.path.relpath(f, OUT), "rows": int(ds.TotalPixelMatrixRows),
                       "columns": int(ds.TotalPixelMatrixColumns), "tileRows": int(ds.Rows),
                       "tileColumns": int(ds.Columns), "frames": len(frames), "oddFrames": odd,
                       "fileSize": os.path.getsize(f),
                       "mosaic": save(f"{name}_{os.path.basename(f)[:-4]}", tile_mosaic(ds, frames))})
    levels.sort(key=lambda l: -l["rows"])
    add(name, "PixelMed TIFFToDicom " + " ".join(options), files, "slide", {"indexKind": expect_kind}, levels=levels)
    return levels


# ---- pydicom's Extended Offset Table (highdicom writes with it) ----

def edge_tiles_slide(name, level0):
    """Level 0 of the PixelMed slide with its right and bottom edge tiles coded at the size of their
    part of the total pixel matrix (a 252 x 256 JPEG in a 256 x 256 frame), as some converters write
    them; re-encoded by PIL (libjpeg) from PixelMed's tiles, in a BOT, no TIFF."""
    ds = pydicom.dcmread(os.path.join(OUT, level0["file"]))
    R, C = int(ds.Rows), int(ds.Columns)
    tc = -(-int(ds.TotalPixelMatrixColumns) // C)
    frames = []
    for k, f in enumerate(frames_of(ds)):
        r, c = divmod(k, tc)
        h = min(R, int(ds.TotalPixelMatrixRows) - r * R)
        w = min(C, int(ds.TotalPixelMatrixColumns) - c * C)
        if (h, w) != (R, C):
            out = io.BytesIO()
            Image.open(io.BytesIO(f)).crop((0, 0, w, h)).save(out, "JPEG", quality=90)
            f = out.getvalue()
        frames.append(f)
    ds.PixelData = encapsulate(frames, has_bot=True)
    ds["PixelData"].is_undefined_length = True
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.preamble = b"\0" * 128
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "level_0.dcm")
    ds.save_as(path, write_like_original=False)
    lvl = dict(level0, file=os.path.relpath(path, OUT), fileSize=os.path.getsize(path),
               mosaic=save(name, tile_mosaic(ds, frames)))
    add(name, "edge tiles coded smaller than the tile size (PIL re-encode of PixelMed's tiles)", [path], "slide",
        {"indexKind": "basic_offset_table"}, levels=[lvl])


def modified_slide(name, level0, options, writer):
    """A PixelMed dual-personality file edited by dcmtk (an anonymiser's rename): the TIFF in the
    preamble is not updated, so its IFD pointer and tile offsets no longer match the file."""
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "level_0.dcm")
    shutil.copyfile(os.path.join(OUT, level0["file"]), path)
    run("dcmodify", "-nb", *options, "-m", "(0010,0010)=Anonymized^Patient^With^A^Much^Longer^Name", path)
    lvl = dict(level0, file=os.path.relpath(path, OUT), fileSize=os.path.getsize(path))
    add(name, writer, [path], "slide", {"indexKind": "fragment_scan", "note": "TIFF tile table ignored"}, levels=[lvl])


def eot_slide(name, level0, buggy):
    """Level 0 of the PixelMed slide re-encapsulated by pydicom with an Extended Offset Table:
    pydicom 2.3's encapsulate_extended (offsets without the pad bytes) or the offsets highdicom and
    pydicom >= 2.4 write (with them). Lengths are the frames' own, odd ones unpadded, in both."""
    ds = pydicom.dcmread(os.path.join(OUT, level0["file"]))
    frames = frames_of(ds)
    if buggy:
        data, offsets, lengths = encapsulate_extended(frames)
    else:
        offs, at = [], 0
        for f in frames:
            offs.append(at)
            at += 8 + len(f) + (len(f) & 1)
        data = encapsulate(frames, has_bot=False)
        offsets = struct.pack(f"<{len(frames)}Q", *offs)
        lengths = struct.pack(f"<{len(frames)}Q", *[len(f) for f in frames])
    ds.PixelData = data
    ds["PixelData"].is_undefined_length = True
    ds.ExtendedOffsetTable = offsets
    ds.ExtendedOffsetTableLengths = lengths
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.preamble = b"\0" * 128  # no TIFF: the EOT is the only table
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "level_0.dcm")
    ds.save_as(path, write_like_original=False)
    lvl = dict(level0, file=os.path.relpath(path, OUT), fileSize=os.path.getsize(path))
    notes = "pydicom < 2.4" if buggy else None
    add(name, "pydicom 2.3 encapsulate_extended" if buggy else "pydicom encapsulate + EOT as highdicom writes it",
        [path], "slide", {"indexKind": "fragment_scan" if buggy else "extended_offset_table", "note": notes}, levels=[lvl])


# ---- multi-frame grey through dcmtk and GDCM ----

def source_multiframe(path, bits_stored=12, frames=6, rows=200, columns=232, allocated=16):
    rng = np.random.default_rng(5)
    y, x = np.mgrid[0:rows, 0:columns]
    top = (1 << bits_stored) - 1
    stack = []
    for k in range(frames):
        a = ((x * 7 + y * 3 + k * 101) % (top + 1)).astype(np.int64)
        a = np.clip(a + rng.integers(-40, 40, a.shape), 0, top)
        stack.append(a)
    arr = np.stack(stack).astype(np.uint16 if allocated == 16 else np.uint8)
    ds = pydicom.Dataset()
    ds.file_meta = pydicom.dataset.FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7.3"  # multi-frame grey 16-bit SC
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.Modality, ds.PatientName, ds.PatientID = "OT", "Conformance^Test", "CONF1"
    ds.Rows, ds.Columns, ds.NumberOfFrames = rows, columns, frames
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = allocated, bits_stored, bits_stored - 1, 0
    ds.PixelData = arr.tobytes()
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.preamble = b"\0" * 128
    ds.save_as(path, write_like_original=False)
    return arr


def native_reference(path):
    ds = pydicom.dcmread(path)
    a = ds.pixel_array
    return a.reshape((int(getattr(ds, "NumberOfFrames", 1)),) + a.shape[-2:] if a.ndim == 2 else a.shape)


def multiframe(name, writer, src, cmd, expect, decompress=None, lossless=True, source=None):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "image.dcm")
    run(*[path if c == "OUT" else src if c == "IN" else c for c in cmd])
    if lossless:
        ref = source
    else:  # the writer's own toolkit decompresses: an independent decoder
        plain = os.path.join(d, "decompressed.dcm")
        run(*decompress, path, plain)
        ref = native_reference(plain)
        os.remove(plain)
    add(name, writer, [path], "frames", expect, reference=save(name, ref))


def edit_bot(src, dst, shift):
    """A Basic Offset Table that points at the wrong bytes (entries after the first moved)."""
    ds = pydicom.dcmread(src)
    raw = open(src, "rb").read()
    at = raw.rfind(b"\xe0\x7f\x10\x00") + 12  # the Pixel Data value (undefined length, OB)
    assert raw[at:at + 4] == b"\xfe\xff\x00\xe0"
    n = struct.unpack("<I", raw[at + 4:at + 8])[0] // 4
    table = list(struct.unpack(f"<{n}I", raw[at + 8:at + 8 + 4 * n]))
    table = [table[0]] + [t + shift for t in table[1:]]
    raw = raw[:at + 8] + struct.pack(f"<{n}I", *table) + raw[at + 8 + 4 * n:]
    open(dst, "wb").write(raw)
    return int(ds.NumberOfFrames)


def parametric_map(name, work):
    """PixelMed TIFFToDicom turns a float TIFF into a Parametric Map with Float Pixel Data (7FE0,0008)."""
    y, x = np.mgrid[0:300, 0:400]
    a = (y * 0.37 - x * 1.25 + np.sin(x / 17.0) * 3).astype(np.float32)
    tif = os.path.join(work, "float.tif")
    Image.fromarray(a, mode="F").save(tif)
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    run("TIFFToDicom", WSI_JSON, tif, os.path.join(d, "map"), "", "1.2.840.10008.5.1.4.1.1.30")
    files = sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".dcm"))
    assert "FloatPixelData" in pydicom.dcmread(files[0])
    add(name, "PixelMed TIFFToDicom (float TIFF -> Parametric Map; it writes Samples per Pixel 0)", files, "frames",
        {"indexKind": "native", "note": "Samples per Pixel is 0"},
        reference=save(name, a[None]))


def rle_1bit_seg(name):
    """A BINARY SEG, 1 bit allocated, RLE Lossless: each frame's bits packed as in native data into
    one PackBits segment (PS3.5 G.2 as pydicom >= 3.1 and highdicom write it; encoded here with
    pydicom 2.3's own PackBits segment encoder). Frames of 37 x 41: not a multiple of 8 bits."""
    from pydicom.encoders.native import _encode_segment
    rng = np.random.default_rng(3)
    masks = (rng.random((4, 37, 41)) > 0.55).astype(np.uint8)
    masks[:, 5:20, 8:30] = 1  # runs, so the segments compress
    ds = pydicom.Dataset()
    ds.file_meta = pydicom.dataset.FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = pydicom.uid.RLELossless
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.66.4"
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.Modality, ds.PatientName, ds.PatientID = "SEG", "Conformance^Seg", "CONF2"
    ds.Rows, ds.Columns, ds.NumberOfFrames = 37, 41, 4
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 1, 1, 0, 0
    ds.SegmentationType = "BINARY"
    frames = []
    for m in masks:
        packed = np.packbits(m.ravel(), bitorder="little").tobytes()
        segment = bytes(_encode_segment(packed, columns=len(packed), rows=1))
        header = struct.pack("<16I", 1, 64, *([0] * 14))
        frames.append(header + segment)
    ds.PixelData = encapsulate(frames)
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    ds.is_little_endian, ds.is_implicit_VR = True, False
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "seg.dcm")
    ds.save_as(path, write_like_original=False)
    add(name, "BINARY SEG, 1-bit RLE (packed bits in one segment)", [path], "frames", {"indexKind": "basic_offset_table"},
        reference=save(name, masks))


def deflated_frames(name, src, arr, one_bit=False):
    """Deflated Image Frame Compression (1.2.840.10008.1.2.8.1, Sup 244): each native frame
    compressed with raw Deflate (RFC 1951) in its own fragment, as pydicom >= 3.1 and dcmtk write it
    (pydicom 2.3 here cannot: written with zlib). 1-bit frames are bit-packed, LSB first, each from
    bit 0 of its own fragment. The reference is the source array."""
    ds = pydicom.dcmread(src)
    frames = []
    for a in arr:
        plain = np.packbits(a.ravel(), bitorder="little").tobytes() if one_bit else a.astype("<u2" if a.dtype == np.uint16 else a.dtype).tobytes()
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        frames.append(c.compress(plain) + c.flush())
    if one_bit:
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 1, 1, 0
        ds.Rows, ds.Columns, ds.NumberOfFrames = arr.shape[1], arr.shape[2], arr.shape[0]
    ds.PixelData = encapsulate(frames)
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    # pydicom 2.3 does not know the UID: written as JPEG Baseline (same even length), then renamed.
    ds.file_meta.TransferSyntaxUID = pydicom.uid.JPEGBaseline8Bit
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "image.dcm")
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(path, write_like_original=False)
    raw = open(path, "rb").read()
    open(path, "wb").write(raw.replace(b"1.2.840.10008.1.2.4.50", b"1.2.840.10008.1.2.8.1\0", 1))
    add(name, "Deflated Image Frame Compression (Sup 244), zlib raw deflate", [path], "frames",
        {"indexKind": "basic_offset_table"}, reference=save(name, arr))


# ---- quirks of real files, made from pydicom's corpus by byte edits ----

def quirk(name, writer, data, expect, reference_from=None, reference=None):
    d = os.path.join(OUT, "quirks")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, name + ".dcm")
    open(path, "wb").write(data)
    extra = {}
    if reference is None and reference_from is not None:
        ds = pydicom.dcmread(reference_from, force=True)
        reference = ds.pixel_array
    if reference is not None:
        if reference.ndim == 2 or (reference.ndim == 3 and reference.shape[-1] == 3 and "frames" not in expect):
            reference = reference[None]
        extra["reference"] = save("quirk_" + name, reference)
    add(name, writer, [path], "frames" if reference is not None else "info", expect, **extra)


def element_offset(raw, tag_bytes, start=132):
    at = raw.find(tag_bytes, start)
    assert at > 0
    return at


def main():
    stamp_file = os.path.join(OUT, "manifest.json")
    if os.path.exists(stamp_file) and json.load(open(stamp_file)).get("stamp") == STAMP:
        print(f"conformance fixtures current in {OUT}")
        return
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(os.path.join(OUT, "ref"))
    work = os.path.join(OUT, "work")
    os.makedirs(work)

    # Slides
    Image.fromarray(source_slide()).save(os.path.join(work, "slide.png"))
    tif = os.path.join(work, "pyramid.tif")
    run("vips", "tiffsave", os.path.join(work, "slide.png"), tif, "--tile", "--tile-width", "256", "--tile-height", "256",
        "--pyramid", "--compression", "jpeg", "--Q", "85")
    big = os.path.join(work, "pyramid-big.tif")
    run("vips", "tiffsave", os.path.join(work, "slide.png"), big, "--tile", "--tile-width", "256", "--tile-height", "256",
        "--pyramid", "--compression", "jpeg", "--Q", "85", "--bigtiff")
    levels = pixelmed_slide("pixelmed-tiff", tif, ["ADDTIFF", "DONOTUSEBIGTIFF"], "tiff_tile_table")
    pixelmed_slide("pixelmed-bigtiff", big, ["ADDTIFF", "USEBIGTIFF"], "tiff_tile_table")
    pixelmed_slide("pixelmed-notable", tif, ["DONOTADDTIFF"], "fragment_scan")
    pixelmed_slide("pixelmed-pyramid", tif, ["ADDTIFF", "DONOTUSEBIGTIFF", "ALWAYSWSI", "ADDPYRAMID"], "tiff_tile_table")
    parametric_map("pixelmed-parametric-map", work)
    rle_1bit_seg("seg-rle-1bit")
    edge_tiles_slide("edge-tiles-smaller", levels[0])
    modified_slide("pixelmed-dcmodify", levels[0], [], "PixelMed slide renamed by dcmodify (trailing padding, where the IFDs were, dropped)")
    modified_slide("pixelmed-dcmodify-padding", levels[0], ["-p="], "PixelMed slide renamed by dcmodify -p= (IFD pointer now stale)")
    eot_slide("pydicom23-eot", levels[0], buggy=True)
    eot_slide("highdicom-eot", levels[0], buggy=False)

    # Multi-frame grey: dcmtk and GDCM, fragments and empty tables
    src = os.path.join(work, "mf16.dcm")
    arr = source_multiframe(src)
    multiframe("dcmtk-jpegls-fs4", "dcmcjpls +fs 4 (4 KiB fragments, BOT)", src, ["dcmcjpls", "+fs", "4", "IN", "OUT"],
               {"indexKind": "basic_offset_table"}, source=arr)
    multiframe("dcmtk-jpegls-fs4-ot", "dcmcjpls +fs 4 -ot (fragments, empty BOT)", src,
               ["dcmcjpls", "+fs", "4", "-ot", "IN", "OUT"], {"indexKind": "fragment_scan"}, source=arr)
    multiframe("dcmtk-jpeg-sv1-fs8-ot", "dcmcjpeg +e1 -ot +fs 8 (lossless SV1)", src,
               ["dcmcjpeg", "+e1", "-ot", "+fs", "8", "IN", "OUT"], {"indexKind": "fragment_scan"}, source=arr)
    multiframe("dcmtk-jpeg-extended", "dcmcjpeg +ee (process 2/4, 12-bit, .4.51)", src, ["dcmcjpeg", "+ee", "IN", "OUT"],
               {"indexKind": "basic_offset_table"}, decompress=["dcmdjpeg"], lossless=False)
    multiframe("dcmtk-rle", "dcmcrle", src, ["dcmcrle", "IN", "OUT"], {"indexKind": "basic_offset_table"}, source=arr)
    multiframe("gdcm-jpegls", "gdcmconv --jpegls", src, ["gdcmconv", "--jpegls", "IN", "OUT"], {}, source=arr)
    multiframe("gdcm-j2k", "gdcmconv --j2k", src, ["gdcmconv", "--j2k", "IN", "OUT"], {}, source=arr)
    multiframe("gdcm-rle", "gdcmconv --rle", src, ["gdcmconv", "--rle", "IN", "OUT"], {}, source=arr)
    multiframe("gdcm-jpeg-lossless", "gdcmconv --jpeg (lossless)", src, ["gdcmconv", "--jpeg", "IN", "OUT"], {}, source=arr)
    multiframe("dcmtk-deflated", "dcmconv +td (Deflated Explicit VR Little Endian)", src, ["dcmconv", "+td", "IN", "OUT"],
               {"indexKind": "native"}, source=arr)
    multiframe("gdcm-deflated", "gdcmconv --deflated", src, ["gdcmconv", "--deflated", "IN", "OUT"],
               {"indexKind": "native"}, source=arr)
    src7 = os.path.join(work, "mf8-7bit.dcm")
    arr7 = source_multiframe(src7, bits_stored=7, frames=3, allocated=8)
    multiframe("dcmtk-jpegls-7bit", "dcmcjpls (8-bit, 7 bits stored)", src7, ["dcmcjpls", "IN", "OUT"], {}, source=arr7)

    deflated_frames("deflated-frames-16bit", src, arr)
    rng = np.random.default_rng(9)
    bits = (rng.random((3, 37, 41)) > 0.6).astype(np.uint8)  # rows x columns not a multiple of 8
    deflated_frames("deflated-frames-1bit", src, bits, one_bit=True)

    # A Basic Offset Table that lies (moved entries): found at the first frame read, re-indexed.
    lying = os.path.join(OUT, "lying-bot", "image.dcm")
    os.makedirs(os.path.dirname(lying))
    n = edit_bot(os.path.join(OUT, "dcmtk-jpegls-fs4", "image.dcm"), lying, 2)
    add("lying-bot", "dcmcjpls +fs 4, BOT entries moved by 2 bytes", [lying], "frames",
        {"indexKind": "basic_offset_table", "reindexedTo": "fragment_scan", "note": "Basic Offset Table ignored"},
        reference=save("lying-bot", arr))
    assert n == arr.shape[0]

    # Quirks of real files
    ct = open(os.path.join(CORPUS, "CT_small.dcm"), "rb").read()
    at = element_offset(ct, b"\x08\x00\x60\x00CS")  # Modality
    quirk("blank-vr", "Modality written with a blank VR", ct[:at + 4] + b"  " + ct[at + 6:],
          {"warning": "blank VR"}, reference_from=os.path.join(CORPUS, "CT_small.dcm"))
    at = element_offset(ct, b"\x08\x00\x60\x00CS")
    item = b"\xfe\xff\x00\xe0" + struct.pack("<I", 4) + b"\x01\x02\x03\x04"
    quirk("stray-item", "an item tag where a data element belongs", ct[:at] + item + ct[at:],
          {"warning": "where a data element belongs"}, reference_from=os.path.join(CORPUS, "CT_small.dcm"))
    quirk("no-preamble", "no preamble, no DICM (meta header first)", ct[132:], {},
          reference_from=os.path.join(CORPUS, "CT_small.dcm"))
    plan = open(os.path.join(CORPUS, "rtplan.dcm"), "rb").read()
    quirk("trailing-bytes", "bytes after the dataset that are not an element", plan + b"\x01\x02\x03\x04ZZ\x00\x00garbage!",
          {"warning": "do not parse as a data element"})
    jpeg = os.path.join(CORPUS, "SC_rgb_jpeg_dcmtk.dcm")
    raw = open(jpeg, "rb").read()
    syntax = b"1.2.840.10008.1.2.4.50"
    assert syntax in raw
    quirk("sof0-under-lossless", "a baseline JPEG labelled JPEG Lossless SV1",
          raw.replace(syntax, b"1.2.840.10008.1.2.4.70", 1), {"decoder": "under a lossless transfer syntax"},
          reference=rgb_of(jpeg))
    lossless = os.path.join(CORPUS, "SC_rgb_jpeg_gdcm.dcm")
    raw = open(lossless, "rb").read()
    assert b"1.2.840.10008.1.2.4.70" in raw
    quirk("sof3-under-baseline", "a lossless JPEG (GDCM) labelled JPEG Baseline",
          raw.replace(b"1.2.840.10008.1.2.4.70", b"1.2.840.10008.1.2.4.50", 1), {"decoder": "under a DCT transfer syntax"},
          reference=pydicom.dcmread(lossless).pixel_array)
    for corpus_file, expect in (("J2K_pixelrep_mismatch.dcm", {"decoder": "sign-extended"}),
                                ("image_dfl.dcm", {}),
                                ("MR_truncated.dcm", {"warning": "frames past the end cannot be read", "frameError": "truncated"})):
        path = os.path.join(CORPUS, corpus_file)
        ref = None
        if "frameError" not in expect:
            ref = pydicom.dcmread(path).pixel_array
        quirk(corpus_file[:-4], "pydicom test file " + corpus_file, open(path, "rb").read(), expect, reference=ref)

    corpus()
    shutil.rmtree(work)
    json.dump(manifest, open(stamp_file, "w"), indent=1)
    print(f"conformance fixtures: {len(manifest['fixtures'])} in {OUT}")


# pydicom's own test files with pixel data: frame 1 as pydicom (+GDCM, Pillow) decodes it, or why not.
CORPUS_REASONS = {
    "JPEG2000-embedded-sequence-delimiter.dcm": "the codestream is corrupt by design (4 bytes replaced with a "
    "Sequence Delimiter, pydicom's README); GDCM also fails (opj_setup_decoder), pydicom's value is not a decode",
    "MR_truncated.dcm": "the Pixel Data is truncated: pydicom fails too; lazydcm reads the header and says truncated",
    "SC_rgb_jpeg.dcm": "pydicom 2.3 reads a dataset dcmdump rejects (an element larger than the file)",
}


def corpus():
    for name in sorted(os.listdir(CORPUS)):
        path = os.path.join(CORPUS, name)
        if not name.endswith(".dcm") or name in CORPUS_REASONS:
            continue
        try:
            ds = pydicom.dcmread(path)
        except Exception:
            continue  # not a DICOM file for pydicom (no meta header): nothing to compare
        if not any(k in ds for k in ("PixelData", "FloatPixelData", "DoubleFloatPixelData")):
            continue
        try:
            a = ds.pixel_array
        except Exception as e:  # pydicom itself cannot decode it: no reference to compare with
            manifest.setdefault("corpusSkipped", {})[name] = f"pydicom cannot decode it: {e!r}"[:200]
            continue
        if int(getattr(ds, "NumberOfFrames", 1) or 1) > 1:
            a = a[0]
        if ds.get("PhotometricInterpretation", "").startswith("YBR") and "JPEG" in ds.file_meta.TransferSyntaxUID.name \
                and ds.file_meta.TransferSyntaxUID.is_compressed:
            continue  # pydicom's colour handling of YBR JPEG differs by handler; covered by the codec tier
        a = a.astype(a.dtype.newbyteorder("<"))
        copy = os.path.join(OUT, "pydicom", name)  # served with the rest (nginx, Chromium)
        os.makedirs(os.path.dirname(copy), exist_ok=True)
        shutil.copyfile(path, copy)
        manifest["fixtures"].append({"name": "pydicom/" + name, "writer": "pydicom test file", "files": [os.path.relpath(copy, OUT)],
                                     "kind": "frames", "expect": {}, "firstFrameOnly": True,
                                     "reference": save("corpus_" + name[:-4], a[None])})
    manifest["corpusReasons"] = CORPUS_REASONS


def rgb_of(path):
    """The frame PIL (libjpeg) decodes from the file's JPEG: what the codestream is."""
    ds = pydicom.dcmread(path)
    frame = next(generate_pixel_data_frame(ds.PixelData, 1))
    return np.asarray(Image.open(io.BytesIO(frame)))


if __name__ == "__main__":
    main()
