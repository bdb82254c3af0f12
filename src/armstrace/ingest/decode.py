"""Bytes to text: refuse binary files, tolerate bad UTF-8 with a warning."""

from __future__ import annotations

import codecs
import re

# A file whose first bytes hold a NUL, or too many control characters, is
# not an article. The sample is small so that the check costs nothing.
SNIFF_BYTES = 8192
CONTROL_RATIO = 0.10
# Control characters other than \t \n \v \f \r, and the replacement character.
_ODD_CHARS = re.compile("[\x00-\x08\x0e-\x1f\ufffd]")


class NotText(ValueError):
    """The bytes are not a text document (the reason is the message)."""


def _bom_codec(data: bytes) -> tuple[str, int] | None:
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return codec, len(bom)
    return None


def decode_bytes(data: bytes) -> tuple[str, list[str]]:
    """Decode a document's bytes; returns (text, warnings) or raises NotText.

    UTF-8 is assumed unless a byte-order mark says otherwise. Invalid bytes
    become U+FFFD and a warning, rather than losing the whole article.
    """
    warnings: list[str] = []
    bom = _bom_codec(data)
    if bom:
        codec, skip = bom
        text = data[skip:].decode(codec, errors="replace")
    else:
        if b"\x00" in data:  # memchr over the whole file: cheap even at 50 MB
            raise NotText("binary file")
        codec = "utf-8"
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = data.decode("utf-8", errors="replace")
            bad = text.count("\ufffd")
            warnings.append(f"invalid UTF-8 at byte {exc.start}: {bad} character(s) replaced with U+FFFD")
    sample = text[:SNIFF_BYTES]
    if sample:
        odd = len(_ODD_CHARS.findall(sample))
        if odd / len(sample) > CONTROL_RATIO:
            raise NotText("binary file")
    if bom and "\x00" in text:  # a wide encoding can still spell U+0000
        text = text.replace("\x00", "\ufffd")
        warnings.append("NUL character(s) replaced with U+FFFD")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, warnings


__all__ = ["NotText", "decode_bytes"]
