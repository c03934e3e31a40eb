"""A tipster's photos, audio and video: the kind decided from the bytes, and every piece of
metadata that could name the sender or the place (EXIF and its GPS, XMP, comments, camera and
software names, recording times and places) taken out before anything is stored.

- **JPEG, PNG**: decoded and encoded again by Pillow from the pixels alone (the EXIF orientation
  is applied first, so the picture still stands upright); nothing of the original file but its
  pixels survives: no EXIF, GPS, XMP, ICC profile, comments or text chunks.
- **MP4, M4A, 3GP, MOV** (ISO base media files, what phones record): every box that is not
  media or its index is blanked in place into a `free` box of the same size, its bytes zeroed
  (user data `udta`, `meta` with Apple's location keys, `uuid` boxes, anything unknown at the
  top level), so the offsets of the media samples stay right; the creation and modification
  times of the movie, its tracks and their media are zeroed. A file with a track that is not
  sound or picture (a timed metadata track may carry GPS, as GoPro and some phones write) is
  refused: its samples cannot be told from the media without decoding them.
- **MP3**: ID3v1, ID3v2 and APE tags are cut off; the audio frames stay as they are.
- **WAV**: only the `fmt `, `fact` and `data` chunks are kept (no LIST/INFO, bext, iXML, id3).
- **AMR** (the voice notes of basic phones): the format holds no metadata; kept as it is.

Anything else (HEIC, WebM, Ogg/Opus, AVI, ...) is refused: we do not store what we cannot
clean."""

from __future__ import annotations

import io
import logging
import struct
from dataclasses import dataclass

from eoffice.core.errors import TooLarge, UnsupportedType

# Pillow logs every EXIF tag it reads at DEBUG, the camera and the GPS among them: whatever level
# a deployment logs at, a tipster's photo never reaches a log
logging.getLogger("PIL").setLevel(logging.INFO)

JPEG, PNG = "image/jpeg", "image/png"
MP4, M4A, THREE_GP, MOV = "video/mp4", "audio/mp4", "video/3gpp", "video/quicktime"
MP3, WAV, AMR = "audio/mpeg", "audio/wav", "audio/amr"
MAX_PIXELS = 60_000_000  # a phone's photo is well below; more is a decompression bomb

EXTENSION = {
    JPEG: "jpg",
    PNG: "png",
    MP4: "mp4",
    M4A: "m4a",
    THREE_GP: "3gp",
    MOV: "mov",
    MP3: "mp3",
    WAV: "wav",
    AMR: "amr",
}
KIND = {JPEG: "photo", PNG: "photo", MP3: "audio", WAV: "audio", AMR: "audio", M4A: "audio"}

REFUSED = (
    "this kind of file is not accepted: photos as JPEG or PNG, audio as M4A, MP3, WAV or AMR, "
    "video as MP4, 3GP or MOV"
)


@dataclass
class Cleaned:
    data: bytes
    content_type: str

    @property
    def kind(self) -> str:
        return KIND.get(self.content_type, "video")

    @property
    def extension(self) -> str:
        return EXTENSION[self.content_type]


def sniff(data: bytes) -> str | None:
    """The media type of `data` from its bytes, if it is one we can clean; else None."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(data) >= 12 and data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand == b"qt  ":
            return MOV
        if brand in (b"M4A ", b"M4B "):
            return M4A
        if brand.startswith(b"3g"):
            return THREE_GP
        return MP4
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return WAV
    if data.startswith((b"#!AMR\n", b"#!AMR-WB\n")):
        return AMR
    if data.startswith(b"ID3") or _mp3_frames_at(data, 0):
        return MP3
    return None


def clean(data: bytes, limit: int) -> Cleaned:
    """`data` without its metadata, or 413 (too large) / 415 (not a kind we take, or damaged)."""
    if len(data) > limit:
        raise TooLarge(f"the file is larger than {limit // (1024 * 1024)} MB")
    if not data:
        raise UnsupportedType("the file is empty")
    kind = sniff(data)
    if kind is None:
        raise UnsupportedType(REFUSED)
    if kind in (JPEG, PNG):
        return Cleaned(_reencode(data, kind), kind)
    if kind in (MP4, M4A, THREE_GP, MOV):
        return Cleaned(_blank_isobmff(data), kind)
    if kind == MP3:
        return Cleaned(_strip_mp3(data), kind)
    if kind == WAV:
        return Cleaned(_strip_wav(data), kind)
    return Cleaned(data, kind)  # AMR: nothing but frames


def _damaged(what: str) -> UnsupportedType:
    return UnsupportedType(f"the {what} could not be read: it is damaged or not what it says")


# --- pictures ------------------------------------------------------------------------------------


def _reencode(data: bytes, kind: str) -> bytes:
    from PIL import Image, ImageOps, UnidentifiedImageError

    fmt = "JPEG" if kind == JPEG else "PNG"
    try:
        with Image.open(io.BytesIO(data)) as original:
            if original.format != fmt:
                raise _damaged("picture")
            if original.width * original.height > MAX_PIXELS:
                raise TooLarge("the picture has too many pixels")
            original.load()
            upright = ImageOps.exif_transpose(original)  # the orientation EXIF gave, applied
            # a new image from the pixels alone: nothing of the file's info travels with it
            pixels = Image.frombytes(upright.mode, upright.size, upright.tobytes())
            transparency = None
            if upright.mode == "P":
                pixels.putpalette(upright.getpalette())
                transparency = upright.info.get("transparency")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _damaged("picture") from None
    out = io.BytesIO()
    if fmt == "JPEG":
        if pixels.mode not in ("RGB", "L"):
            pixels = pixels.convert("RGB")
        pixels.save(out, "JPEG", quality=88)
    else:
        extra = {"transparency": transparency} if transparency is not None else {}
        pixels.save(out, "PNG", optimize=True, **extra)
    return out.getvalue()


# --- ISO base media (MP4, M4A, 3GP, MOV) ---------------------------------------------------------

# what stays at each level; any other box is blanked into `free`
_KEEP = {
    None: {
        b"ftyp",
        b"moov",
        b"mdat",
        b"free",
        b"skip",
        b"wide",
        b"moof",
        b"mfra",
        b"sidx",
        b"styp",
    },
    b"moov": {b"mvhd", b"trak", b"mvex", b"iods", b"free", b"skip"},
    b"trak": {b"tkhd", b"mdia", b"edts", b"tref", b"free", b"skip"},
}
_TIMED = (b"mvhd", b"tkhd", b"mdhd")  # full boxes that open with creation and modification times
_MEDIA_HANDLERS = (b"vide", b"soun")


def _boxes(buf: bytearray, start: int, end: int):
    """(offset, header length, size, type) of each box between start and end; a box that does
    not fit its parent means a damaged file."""
    pos = start
    while pos < end:
        if end - pos < 8:
            raise _damaged("video or audio file")
        size, kind = struct.unpack_from(">I4s", buf, pos)
        header = 8
        if size == 1:
            if end - pos < 16:
                raise _damaged("video or audio file")
            size = struct.unpack_from(">Q", buf, pos + 8)[0]
            header = 16
        elif size == 0:  # the last box runs to the end
            size = end - pos
        if size < header or pos + size > end:
            raise _damaged("video or audio file")
        yield pos, header, size, bytes(kind)
        pos += size


def _blank(buf: bytearray, pos: int, header: int, size: int) -> None:
    buf[pos + 4 : pos + 8] = b"free"
    buf[pos + header : pos + size] = bytes(size - header)


def _zero_times(buf: bytearray, pos: int, header: int, size: int) -> None:
    body = pos + header
    if size - header < 4:
        raise _damaged("video or audio file")
    width = 8 if buf[body] == 1 else 4
    if size - header < 4 + 2 * width:
        raise _damaged("video or audio file")
    buf[body + 4 : body + 4 + 2 * width] = bytes(2 * width)


def _handler(buf: bytearray, pos: int, end: int) -> bytes | None:
    """The handler type of a track (trak > mdia > hdlr)."""
    for p, h, s, kind in _boxes(buf, pos, end):
        if kind == b"mdia":
            for p2, h2, s2, kind2 in _boxes(buf, p + h, p + s):
                if kind2 == b"hdlr" and s2 - h2 >= 12:
                    return bytes(buf[p2 + h2 + 8 : p2 + h2 + 12])
    return None


def _walk(buf: bytearray, start: int, end: int, parent: bytes | None) -> None:
    keep = _KEEP.get(parent)
    for pos, header, size, kind in _boxes(buf, start, end):
        if keep is not None and kind not in keep:
            _blank(buf, pos, header, size)
            continue
        if kind in _TIMED:
            _zero_times(buf, pos, header, size)
        if kind == b"trak":
            if _handler(buf, pos + header, pos + size) not in _MEDIA_HANDLERS:
                raise UnsupportedType(
                    "the video carries a track that is neither sound nor picture (it may hold "
                    "the place it was recorded); send the video without it",
                    code="metadata_track",
                )
        if kind in (b"moov", b"trak", b"mdia"):
            _walk(buf, pos + header, pos + size, kind)


def _blank_isobmff(data: bytes) -> bytes:
    buf = bytearray(data)
    _walk(buf, 0, len(buf), None)
    if not any(kind in (b"moov", b"moof") for _p, _h, _s, kind in _boxes(buf, 0, len(buf))):
        raise _damaged("video or audio file")
    return bytes(buf)


# --- MP3 -----------------------------------------------------------------------------------------

_BITRATES = {  # kbit/s by index, for MPEG-1 and MPEG-2/2.5 layer III
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _mp3_frame(data: bytes, pos: int) -> int | None:
    """The length of the MPEG layer III frame at pos, or None if none starts there."""
    if len(data) < pos + 4 or data[pos] != 0xFF or data[pos + 1] & 0xE0 != 0xE0:
        return None
    version = (data[pos + 1] >> 3) & 3
    layer = (data[pos + 1] >> 1) & 3
    rate_i = (data[pos + 2] >> 2) & 3
    bit_i = data[pos + 2] >> 4
    if version == 1 or layer != 1 or rate_i == 3 or bit_i in (0, 15):
        return None
    bitrate = _BITRATES[1 if version == 3 else 2][bit_i] * 1000
    rate = _RATES[version][rate_i]
    padding = (data[pos + 2] >> 1) & 1
    return (144 if version == 3 else 72) * bitrate // rate + padding


def _mp3_frames_at(data: bytes, pos: int) -> bool:
    """Two frames in a row start at pos (one alone could be chance)."""
    first = _mp3_frame(data, pos)
    return first is not None and _mp3_frame(data, pos + first) is not None


def _strip_mp3(data: bytes) -> bytes:
    start = 0
    while data[start : start + 3] == b"ID3" and len(data) >= start + 10:
        raw = data[start + 6 : start + 10]
        if any(b & 0x80 for b in raw):
            raise _damaged("audio file")
        size = (raw[0] << 21) | (raw[1] << 14) | (raw[2] << 7) | raw[3]
        footer = 10 if data[start + 5] & 0x10 else 0
        start += 10 + size + footer
    end = len(data)
    changed = True
    while changed:
        changed = False
        if end - start >= 128 and data[end - 128 : end - 125] == b"TAG":
            end -= 128
            changed = True
        if end - start >= 227 and data[end - 227 : end - 223] == b"TAG+":
            end -= 227
            changed = True
        if end - start >= 32 and data[end - 32 : end - 24] == b"APETAGEX":
            size, flags = struct.unpack_from("<II", data, end - 20)
            total = size + (32 if flags & 0x80000000 else 0)
            if total > end - start:
                raise _damaged("audio file")
            end -= total
            changed = True
    audio = data[start:end]
    if not _mp3_frames_at(audio, 0):
        raise _damaged("audio file")
    return audio


# --- WAV -----------------------------------------------------------------------------------------

_WAV_KEEP = (b"fmt ", b"fact", b"data")


def _strip_wav(data: bytes) -> bytes:
    pos, end = 12, min(len(data), 8 + struct.unpack_from("<I", data, 4)[0])
    chunks = []
    while pos + 8 <= end:
        kind, size = struct.unpack_from("<4sI", data, pos)
        body = data[pos + 8 : pos + 8 + size]
        if len(body) != size:
            raise _damaged("audio file")
        if kind in _WAV_KEEP:
            chunks.append(kind + struct.pack("<I", size) + body + (b"\0" if size % 2 else b""))
        pos += 8 + size + (size % 2)
    if not chunks or not any(c.startswith(b"data") for c in chunks):
        raise _damaged("audio file")
    payload = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(payload)) + payload
