#!/usr/bin/python3
"""Encoded frames for the decode benchmark (bench/decode.mjs), made by independent encoders:
- 32 tiles of 256x256 RGB, JPEG baseline (PIL/libjpeg, quality 85, 4:2:0), from a synthetic
  'tissue' texture;
- one 512x512 16-bit signed CT-like slice (ellipses and noise) in JPEG 2000 lossless (GDCM),
  HTJ2K lossless (OpenJPH), JPEG-LS lossless (GDCM), JPEG lossless SV1 (GDCM) and RLE (GDCM).
Writes bench/data/codec/<name>.bin and bench/data/codec/inputs.json.
Usage: /usr/bin/python3 bench/make-codec-inputs.py [out_dir]
"""
import io
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pydicom
from PIL import Image
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.encaps import generate_pixel_data_frame
from pydicom.uid import ExplicitVRLittleEndian, generate_uid


def tissue_tiles(n, size=256, arrays=False):
    rng = np.random.default_rng(11)
    tiles = []
    for i in range(n):
        yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
        base = 200 + 30 * np.sin(xx / (7 + i % 5)) * np.cos(yy / (9 + i % 3))
        nuclei = np.zeros((size, size), np.float32)
        for _ in range(60):
            cx, cy, r = rng.integers(0, size, 2).tolist() + [int(rng.integers(3, 9))]
            nuclei += 120 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
        r_ = np.clip(base - nuclei * 0.9 + rng.normal(0, 6, (size, size)), 0, 255)
        g_ = np.clip(base - nuclei * 1.3 + rng.normal(0, 6, (size, size)), 0, 255)
        b_ = np.clip(base + 20 - nuclei * 0.4 + rng.normal(0, 6, (size, size)), 0, 255)
        img = np.stack([r_, g_, b_], -1).astype(np.uint8)
        if arrays:
            tiles.append(img)
            continue
        buf = io.BytesIO()
        Image.fromarray(img, "RGB").save(buf, format="JPEG", quality=85)
        tiles.append(buf.getvalue())
    return tiles


def ct_slice(size=512):
    rng = np.random.default_rng(5)
    yy, xx = np.mgrid[0:size, 0:size]
    img = np.full((size, size), -1000, np.int32)
    body = ((xx - 256) / 200.0) ** 2 + ((yy - 256) / 160.0) ** 2 < 1
    img[body] = 40
    for cx, cy, rx, ry, v in [(180, 250, 50, 70, -800), (330, 250, 50, 70, -820), (256, 330, 25, 25, 700),
                              (256, 180, 40, 30, 60), (300, 300, 15, 15, 1200)]:
        img[((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 < 1] = v
    img = img + rng.normal(0, 12, img.shape).astype(np.int32)
    return img.astype(np.int16)


def dicom(arr, path):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(path, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Rows, ds.Columns = arr.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    ds.PixelData = arr.tobytes()
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(path, write_like_original=False)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "data", "codec")
    os.makedirs(out, exist_ok=True)
    inputs = {}
    tiles = tissue_tiles(32)
    for i, t in enumerate(tiles):
        open(os.path.join(out, "tile%02d.jpg" % i), "wb").write(t)
    inputs["jpeg_rgb_256"] = {"files": ["tile%02d.jpg" % i for i in range(len(tiles))],
                              "transferSyntax": "1.2.840.10008.1.2.4.50",
                              "frame": {"rows": 256, "columns": 256, "samplesPerPixel": 3, "bitsAllocated": 8,
                                        "bitsStored": 8, "pixelRepresentation": 0,
                                        "photometricInterpretation": "YBR_FULL_422"}}
    ct = ct_slice()
    frame16 = {"rows": 512, "columns": 512, "samplesPerPixel": 1, "bitsAllocated": 16, "bitsStored": 16,
               "pixelRepresentation": 1, "photometricInterpretation": "MONOCHROME2"}
    with tempfile.TemporaryDirectory() as work:
        raw = os.path.join(work, "ct.dcm")
        dicom(ct, raw)
        for name, args in (("j2k", ["--j2k"]), ("jls", ["--jpegls"]), ("jpegll", ["--jpeg"]), ("rle", ["--rle"])):
            enc = os.path.join(work, name + ".dcm")
            subprocess.run(["gdcmconv", *args, raw, enc], check=True, capture_output=True)
            ds = pydicom.dcmread(enc)
            frame = next(generate_pixel_data_frame(ds.PixelData))
            open(os.path.join(out, "ct512_%s.bin" % name), "wb").write(frame)
            assert np.array_equal(ds.pixel_array, ct), name  # lossless, checked by GDCM
            inputs["ct512_" + name] = {"files": ["ct512_%s.bin" % name],
                                       "transferSyntax": str(ds.file_meta.TransferSyntaxUID), "frame": frame16}
        pgm = os.path.join(work, "ct.pgm")
        with open(pgm, "wb") as f:  # OpenJPH takes unsigned PGM; -signed restores the sign
            f.write(b"P5\n512 512\n65535\n" + (ct.astype(np.int32) & 0xFFFF).astype(">u2").tobytes())
        j2c = os.path.join(out, "ct512_htj2k.bin")
        subprocess.run(["ojph_compress", "-i", pgm, "-o", j2c, "-reversible", "true", "-signed", "true"],
                       check=True, capture_output=True)
        inputs["ct512_htj2k"] = {"files": ["ct512_htj2k.bin"], "transferSyntax": "1.2.840.10008.1.2.4.201",
                                 "frame": frame16}
        # Slide tiles in lossy HTJ2K (irreversible 9/7 + ICT, as WSI converters write them).
        for size, n in ((256, 8), (512, 4)):
            files = []
            for i, img in enumerate(tissue_tiles(n, size, arrays=True)):
                ppm = os.path.join(work, "t.ppm")
                with open(ppm, "wb") as f:
                    f.write(b"P6\n%d %d\n255\n" % (size, size) + img.tobytes())
                name = "htj2k_rgb%d_%02d.bin" % (size, i)
                subprocess.run(["ojph_compress", "-i", ppm, "-o", os.path.join(out, name), "-qstep", "0.005"],
                               check=True, capture_output=True)
                files.append(name)
            inputs["htj2k_rgb_%d" % size] = {
                "files": files, "transferSyntax": "1.2.840.10008.1.2.4.203",
                "frame": {"rows": size, "columns": size, "samplesPerPixel": 3, "bitsAllocated": 8, "bitsStored": 8,
                          "pixelRepresentation": 0, "photometricInterpretation": "YBR_ICT"}}
        # JPEG XL (libjxl's cjxl, Debian libjxl-tools): the CT lossless (.110, as unsigned 16-bit
        # samples: PGM has no sign), slide tiles lossy at distance 1 (.112), and the JPEG tiles
        # recompressed without loss (.111).
        ct_pgm = os.path.join(work, "ct_u16.pgm")
        with open(ct_pgm, "wb") as f:
            f.write(b"P5\n512 512\n65535\n" + (ct.astype(np.int32) + 32768).astype(">u2").tobytes())
        subprocess.run(["cjxl", ct_pgm, os.path.join(out, "ct512_jxl.bin"), "-d", "0"], check=True, capture_output=True)
        inputs["ct512_jxl"] = {"files": ["ct512_jxl.bin"], "transferSyntax": "1.2.840.10008.1.2.4.110",
                               "frame": {**frame16, "pixelRepresentation": 0}}
        for size, n in ((256, 8), (512, 4)):
            files = []
            for i, img in enumerate(tissue_tiles(n, size, arrays=True)):
                ppm = os.path.join(work, "t.ppm")
                with open(ppm, "wb") as f:
                    f.write(b"P6\n%d %d\n255\n" % (size, size) + img.tobytes())
                name = "jxl_rgb%d_%02d.bin" % (size, i)
                subprocess.run(["cjxl", ppm, os.path.join(out, name), "-d", "1.0"], check=True, capture_output=True)
                files.append(name)
            inputs["jxl_rgb_%d" % size] = {
                "files": files, "transferSyntax": "1.2.840.10008.1.2.4.112",
                "frame": {"rows": size, "columns": size, "samplesPerPixel": 3, "bitsAllocated": 8, "bitsStored": 8,
                          "pixelRepresentation": 0, "photometricInterpretation": "RGB"}}
        files = []
        for i in range(8):
            name = "jxl_jpeg256_%02d.bin" % i
            subprocess.run(["cjxl", os.path.join(out, "tile%02d.jpg" % i), os.path.join(out, name), "--lossless_jpeg=1"],
                           check=True, capture_output=True)
            files.append(name)
        inputs["jxl_jpeg_rgb_256"] = {**inputs["jpeg_rgb_256"], "files": files, "transferSyntax": "1.2.840.10008.1.2.4.111"}
    json.dump(inputs, open(os.path.join(out, "inputs.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
