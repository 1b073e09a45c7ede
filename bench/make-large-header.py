#!/usr/bin/python3
"""Write a VL Whole Slide Microscopy file with N frames and a Per-Frame Functional Groups Sequence
(plane position + frame content per frame), written byte by byte for speed: the header-parse
benchmark input. Pixel data: N small fake JPEG fragments with an Extended Offset Table.
Usage: /usr/bin/python3 bench/make-large-header.py OUT.dcm [N]
"""
import struct
import sys


def el(tag, vr, value):
    g, e = tag >> 16, tag & 0xFFFF
    if len(value) % 2:
        value += b"\0" if vr == "UI" else b" "
    if vr in ("OB", "OW", "OV", "SQ", "UN", "UT", "UC", "UR", "OF", "OD", "OL", "SV", "UV"):
        return struct.pack("<HH2sHI", g, e, vr.encode(), 0, len(value)) + value
    return struct.pack("<HH2sH", g, e, vr.encode(), len(value)) + value


def sq(tag, items):
    body = b"".join(struct.pack("<HHI", 0xFFFE, 0xE000, len(i)) + i for i in items)
    return el(tag, "SQ", body)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    use_eot = "--eot" in sys.argv
    out = args[0]
    n = int(args[1]) if len(args) > 1 else 50000
    cols = 250
    tile = 256
    uid = b"1.2.826.0.1.3680043.10.1234.50000"
    meta_body = (el(0x00020001, "OB", b"\0\1") + el(0x00020002, "UI", b"1.2.840.10008.5.1.4.1.1.77.1.6") +
                 el(0x00020003, "UI", uid) + el(0x00020010, "UI", b"1.2.840.10008.1.2.4.50") +
                 el(0x00020012, "UI", b"1.2.826.0.1.3680043.10.1234"))
    meta = el(0x00020000, "UL", struct.pack("<I", len(meta_body))) + meta_body
    per_frame = []
    for i in range(n):
        r, c = divmod(i, cols)
        pos = (el(0x0040072A, "DS", b"%.6f" % (c * 0.064)) + el(0x0040073A, "DS", b"%.6f" % (r * 0.064)) +
               el(0x0040074A, "DS", b"0") + el(0x0048021E, "SL", struct.pack("<i", c * tile + 1)) +
               el(0x0048021F, "SL", struct.pack("<i", r * tile + 1)))
        content = el(0x00209157, "UL", struct.pack("<II", c + 1, r + 1))
        per_frame.append(sq(0x00209111, [content]) + sq(0x0048021A, [pos]))
    frag = b"\xff\xd8" + b"\x00" * 60 + b"\xff\xd9"
    eot = b"".join(struct.pack("<Q", i * (8 + len(frag))) for i in range(n))
    eotl = b"".join(struct.pack("<Q", len(frag)) for _ in range(n))
    body = (el(0x00080016, "UI", b"1.2.840.10008.5.1.4.1.1.77.1.6") + el(0x00080018, "UI", uid) +
            el(0x00080060, "CS", b"SM") + el(0x00100010, "PN", b"Bench^Large") +
            el(0x00209221, "SQ", b"") +
            el(0x00280002, "US", struct.pack("<H", 3)) + el(0x00280004, "CS", b"YBR_FULL_422") +
            el(0x00280006, "US", struct.pack("<H", 0)) + el(0x00280008, "IS", str(n).encode()) +
            el(0x00280010, "US", struct.pack("<H", tile)) + el(0x00280011, "US", struct.pack("<H", tile)) +
            el(0x00280100, "US", struct.pack("<H", 8)) + el(0x00280101, "US", struct.pack("<H", 8)) +
            el(0x00280102, "US", struct.pack("<H", 7)) + el(0x00280103, "US", struct.pack("<H", 0)) +
            el(0x00480006, "UL", struct.pack("<I", cols * tile)) +
            el(0x00480007, "UL", struct.pack("<I", (n + cols - 1) // cols * tile)) +
            sq(0x52009230, per_frame) +
            (el(0x7FE00001, "OV", eot) + el(0x7FE00002, "OV", eotl) if use_eot else b""))
    bot = b"" if use_eot else b"".join(struct.pack("<I", i * (8 + len(frag))) for i in range(n))
    pixels = struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OB", 0, 0xFFFFFFFF) + struct.pack("<HHI", 0xFFFE, 0xE000, len(bot)) + bot
    pixels += b"".join(struct.pack("<HHI", 0xFFFE, 0xE000, len(frag)) + frag for _ in range(n))
    pixels += struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
    with open(out, "wb") as f:
        f.write(b"\0" * 128 + b"DICM" + meta + body + pixels)


if __name__ == "__main__":
    main()
