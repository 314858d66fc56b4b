"""Share links: a snippet travels in the URL as zlib-compressed, URL-safe base64 without padding."""

from __future__ import annotations

import base64
import binascii
import zlib

# A URL of a few kilobytes opens everywhere; a snippet that big is no longer "small".
MAX_DECODED_BYTES = 1_000_000


class BadShareLink(ValueError):
    """The ``?snippet=`` value is not a snippet this app encoded."""


def encode_snippet(source: str) -> str:
    """``?snippet=`` value for a source text."""
    packed = zlib.compress(source.encode("utf-8"), 9)
    return base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode_snippet(value: str) -> str:
    """Inverse of :func:`encode_snippet`.

    Raises:
        BadShareLink: the value is damaged (cut off when copied, for example).
    """
    try:
        packed = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        inflater = zlib.decompressobj()
        data = inflater.decompress(packed, MAX_DECODED_BYTES)
        if inflater.unconsumed_tail or not inflater.eof:
            raise BadShareLink("the shared snippet is damaged or too large")
        return data.decode("utf-8")
    except (binascii.Error, zlib.error, UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, BadShareLink):
            raise
        raise BadShareLink(f"the shared snippet could not be decoded ({exc})") from exc
