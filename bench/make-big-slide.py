#!/usr/bin/python3
"""A 100,000-tile JPEG slide level for the view-plan benchmark: 317 x 316 tiles of 256 x 256 RGB
(81,152 x 80,896 pixels, 100,172 frames), TILED_FULL, a Basic Offset Table, and a TIFF personality
(a TIFF header in the preamble, the IFD with tile offsets/byte counts pointing at the fragments in a
Data Set Trailing Padding element at the end) so geotiff.js reads the same file as a TIFF. Sixteen
distinct tiles (gradients + noise, PIL's JPEG, 4:2:0) are repeated; streamed to disk.
Usage: /usr/bin/python3 bench/make-big-slide.py OUT.dcm [ACROSS DOWN]
"""
import io
import struct
import sys

import numpy as np
import pydicom
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.filebase import DicomBytesIO
from pydicom.uid import JPEGBaseline8Bit, generate_uid

out_path = sys.argv[1]
ACROSS, DOWN = (int(sys.argv[2]), int(sys.argv[3])) if len(sys.argv) > 3 else (317, 316)
T = 256
N = ACROSS * DOWN
rng = np.random.default_rng(11)
y, x = np.mgrid[0:T, 0:T]
tiles = []
for k in range(16):
    img = np.stack([(x * (k + 1) // 6) % 256, (y * (k + 3) // 7) % 256, ((x + y) * (k + 2) // 8) % 256], -1)
    img = np.clip(img + rng.integers(0, 6, img.shape), 0, 255).astype(np.uint8)
    b = io.BytesIO()
    Image.fromarray(img).save(b, format="JPEG", quality=70)
    t = b.getvalue()
    tiles.append(t + b"\0" if len(t) % 2 else t)

ds = Dataset()
ds.file_meta = FileMetaDataset()
ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.77.1.6"
ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID = generate_uid()
ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
ds.FrameOfReferenceUID = generate_uid()
ds.Modality, ds.ImageType = "SM", ["ORIGINAL", "PRIMARY", "VOLUME", "NONE"]
ds.Rows = ds.Columns = T
ds.TotalPixelMatrixRows, ds.TotalPixelMatrixColumns = DOWN * T, ACROSS * T
ds.NumberOfFrames = N
ds.DimensionOrganizationType = "TILED_FULL"
ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, "YBR_FULL_422", 0
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
ds.ImagedVolumeWidth, ds.ImagedVolumeHeight = ACROSS * T * 0.00025, DOWN * T * 0.00025
sfg = Dataset()
pm = Dataset()
pm.PixelSpacing, pm.SliceThickness = [0.00025, 0.00025], 0.001
sfg.PixelMeasuresSequence = [pm]
ds.SharedFunctionalGroupsSequence = [sfg]
ds.is_little_endian, ds.is_implicit_VR = True, False
head = DicomBytesIO()
head.is_little_endian, head.is_implicit_VR = True, False
pydicom.filewriter.dcmwrite(head, ds, write_like_original=False)
header = bytearray(head.getvalue())

lengths = [len(tiles[i % 16]) for i in range(N)]
bot = []
at = 0
for n in lengths:
    bot.append(at)
    at += 8 + n
pixel_start = len(header)  # (7FE0,0010) OB undefined length
bot_item = struct.pack("<HHI", 0xFFFE, 0xE000, 4 * N) + struct.pack(f"<{N}I", *bot)
first_fragment = pixel_start + 12 + len(bot_item)
end_of_pixels = first_fragment + at + 8  # + sequence delimiter
# TIFF: IFD in a trailing padding element's value.
ifd_offset = end_of_pixels + 12
entries = [(256, 4, 1, ACROSS * T), (257, 4, 1, DOWN * T), (258, 3, 3, None), (259, 3, 1, 7), (262, 3, 1, 6),
           (277, 3, 1, 3), (284, 3, 1, 1), (322, 3, 1, T), (323, 3, 1, T), (324, 4, N, None), (325, 4, N, None),
           (530, 3, 2, None)]
ifd_size = 2 + 12 * len(entries) + 4
extra_at = ifd_offset + ifd_size
bits_at, sub_at = extra_at, extra_at + 6
offsets_at = sub_at + 4
counts_at = offsets_at + 4 * N
ifd = struct.pack("<H", len(entries))
for tag, typ, count, value in entries:
    if tag == 258:
        ifd += struct.pack("<HHII", tag, typ, count, bits_at)
    elif tag == 530:
        ifd += struct.pack("<HHIHH", tag, typ, count, 2, 2)
    elif tag == 324:
        ifd += struct.pack("<HHII", tag, typ, count, offsets_at)
    elif tag == 325:
        ifd += struct.pack("<HHII", tag, typ, count, counts_at)
    elif typ == 3:
        ifd += struct.pack("<HHIHH", tag, typ, count, value, 0)
    else:
        ifd += struct.pack("<HHII", tag, typ, count, value)
ifd += struct.pack("<I", 0)
ifd += struct.pack("<HHH", 8, 8, 8) + struct.pack("<HH", 2, 2)
ifd += struct.pack(f"<{N}I", *[first_fragment + b + 8 for b in bot])
ifd += struct.pack(f"<{N}I", *lengths)
if len(ifd) % 2:
    ifd += b"\0"
header[0:8] = struct.pack("<2sHI", b"II", 42, ifd_offset)
with open(out_path, "wb") as f:
    f.write(header)
    f.write(struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OB", 0, 0xFFFFFFFF))
    f.write(bot_item)
    for i in range(N):
        t = tiles[i % 16]
        f.write(struct.pack("<HHI", 0xFFFE, 0xE000, len(t)))
        f.write(t)
    f.write(struct.pack("<HHI", 0xFFFE, 0xE0DD, 0))
    assert f.tell() == end_of_pixels
    f.write(struct.pack("<HH2sHI", 0xFFFC, 0xFFFC, b"OB", 0, len(ifd)))
    f.write(ifd)
print(out_path, N, "tiles")
