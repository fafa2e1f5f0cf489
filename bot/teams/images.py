"""Charts on a card: a PNG as a data URI, made small enough for a Teams message.

A Teams message (card included) may be about 28 KB, so a chart is re-encoded with a
palette and scaled down until its base64 form fits the budget the renderer gives it. If it
cannot fit, the caller shows the image's text alternative instead.
"""

from __future__ import annotations

import base64
import io
import logging

from PIL import Image, UnidentifiedImageError

log = logging.getLogger(__name__)
_MIN_WIDTH = 160
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def fit_png(png: bytes, max_uri_chars: int) -> str | None:
    """A data URI of the picture within `max_uri_chars`, or None if it cannot be made to fit."""
    if not png.startswith(PNG_SIGNATURE):
        log.warning("a reply carried an image that is not a PNG; showing its text")
        return None
    uri = data_uri(png)
    if len(uri) <= max_uri_chars:
        return uri
    try:
        with Image.open(io.BytesIO(png)) as opened:
            image = opened.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError):
        log.warning("a reply carried an image that is not a readable PNG; showing its text")
        return None
    while image.width >= _MIN_WIDTH:
        # Charts have few colours: a 64-colour palette keeps them sharp and small.
        small = image.quantize(colors=64, method=Image.Quantize.FASTOCTREE)
        buffer = io.BytesIO()
        small.save(buffer, format="PNG", optimize=True)
        uri = data_uri(buffer.getvalue())
        if len(uri) <= max_uri_chars:
            return uri
        image = image.resize((image.width * 3 // 4, max(1, image.height * 3 // 4)))
    return None
