#!/usr/bin/python3
"""A JPEG-tiled slide level for the remote-region benchmark: 48 x 48 tiles of 256 x 256 RGB
(12288 x 12288 pixels, 2304 frames), TILED_FULL, with a Basic Offset Table (dicom-parser, the
peer, cannot read the Extended Offset Table's OV value). 64 distinct tiles (smooth gradients + noise, PIL's JPEG) are repeated.
Usage: /usr/bin/python3 bench/make-slide.py OUT.dcm [--no-table]
  --no-table: an empty Basic Offset Table and no EOT, as GDCM, dcmtk -ot and PixelMed write
"""
import io
import sys

import numpy as np
import pydicom
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import JPEGBaseline8Bit, generate_uid

ACROSS = DOWN = 48
T = 256
rng = np.random.default_rng(7)
tiles = []
y, x = np.mgrid[0:T, 0:T]
for k in range(64):
    img = np.stack([(x * (k + 1) // 4) % 256, (y * (k + 3) // 5) % 256, ((x + y) * (k + 2) // 6) % 256], -1)
    img = np.clip(img + rng.integers(0, 8, img.shape), 0, 255).astype(np.uint8)
    b = io.BytesIO()
    Image.fromarray(img).save(b, format="JPEG", quality=85)
    t = b.getvalue()
    tiles.append(t + b"\0" if len(t) % 2 else t)  # even lengths: no fragment padding to account for
frames = [tiles[i % 64] for i in range(ACROSS * DOWN)]
ds = Dataset()
ds.file_meta = FileMetaDataset()
ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.77.1.6"
ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID = generate_uid()
ds.Modality, ds.ImageType = "SM", ["DERIVED", "PRIMARY", "VOLUME", "NONE"]
ds.Rows = ds.Columns = T
ds.TotalPixelMatrixRows = DOWN * T
ds.TotalPixelMatrixColumns = ACROSS * T
ds.NumberOfFrames = len(frames)
ds.DimensionOrganizationType = "TILED_FULL"
ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, "YBR_FULL_422", 0
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
ds.PixelData = encapsulate(frames, has_bot="--no-table" not in sys.argv)
ds["PixelData"].is_undefined_length = True
ds["PixelData"].VR = "OB"
ds.is_little_endian, ds.is_implicit_VR = True, False
ds.save_as(sys.argv[1], write_like_original=False)
