"""Recognizing uploaded images by their content: PNG (checked) or SVG (sanitised).

The declared Content-Type and file name are never trusted alone: the bytes
decide, and a declaration that disagrees with them is refused.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from tenantree.branding import svg
from tenantree.branding.errors import InvalidImage

PNG = "image/png"
SVG = "image/svg+xml"
CONTENT_TYPES = (PNG, SVG)
EXTENSIONS = {".png": PNG, ".svg": SVG}

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_DIMENSION = 4096


@dataclass(frozen=True)
class CheckedImage:
    content_type: str
    data: bytes
    # What the SVG sanitiser took out (empty for PNG).
    removed: tuple[str, ...] = ()


def sniff(data: bytes) -> str | None:
    """The image type the bytes are, judging by content only, or None."""
    if data.startswith(PNG_SIGNATURE):
        return PNG
    if svg.looks_like_svg(data):
        return SVG
    return None


def check_png(data: bytes) -> None:
    """A well-formed PNG: IHDR first, every chunk's CRC right, nothing after IEND."""
    pos = len(PNG_SIGNATURE)
    first = True
    while True:
        if pos + 8 > len(data):
            raise InvalidImage("the PNG is truncated", field="body")
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 8 + length + 4
        if end > len(data):
            raise InvalidImage("the PNG is truncated", field="body")
        chunk = data[pos + 4 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : end])
        if zlib.crc32(chunk) != crc:
            raise InvalidImage(f"the PNG's {kind!r} chunk is corrupt (CRC)", field="body")
        if first:
            if kind != b"IHDR" or length != 13:
                raise InvalidImage("the PNG does not start with its IHDR header", field="body")
            width, height = struct.unpack(">II", chunk[4:12])
            if not (0 < width <= MAX_DIMENSION and 0 < height <= MAX_DIMENSION):
                raise InvalidImage(
                    f"the PNG is {width}x{height}; at most {MAX_DIMENSION}x{MAX_DIMENSION}",
                    field="body",
                )
            first = False
        pos = end
        if kind == b"IEND":
            break
    if pos != len(data):
        raise InvalidImage("the PNG has data after its end (IEND)", field="body")


def check_image(data: bytes, *, declared: str, filename: str | None) -> CheckedImage:
    """The stored form of an upload, or InvalidImage saying why it is refused."""
    actual = sniff(data)
    if actual is None:
        raise InvalidImage(
            f"the content is not a PNG or SVG image (declared {declared})", field="body"
        )
    if actual != declared:
        raise InvalidImage(
            f"the content is {actual} but was declared {declared}", field="content-type"
        )
    if filename is not None:
        extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if EXTENSIONS.get(extension) != actual:
            raise InvalidImage(
                f"the file name {filename!r} does not match its content ({actual})",
                field="filename",
            )
    if actual == PNG:
        check_png(data)
        return CheckedImage(PNG, data)
    cleaned = svg.sanitize(data)
    return CheckedImage(SVG, cleaned.data, cleaned.removed)
