"""Draw the Teams app icons: `python manifests/teams/draw_icons.py` rewrites both PNGs.

color.png (192×192): a white listening mark (a post with three sound arcs) on the app's
teal, a full square (Teams rounds the corners itself) with the mark inside the central
96×96 safe area. outline.png (32×32): the same mark in white on transparency, as Teams
requires.
Drawn at 8× and scaled down, for smooth edges.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
TEAL = (15, 110, 110, 255)
WHITE = (255, 255, 255, 255)
SCALE = 8


def _mark(draw: ImageDraw.ImageDraw, size: int, offset: float = 0) -> None:
    """The listening post in the square (offset, offset, offset + size, offset + size): a
    dot, three arcs opening to the right, and a mast below."""
    s = size
    cx, cy = offset + s * 0.36, offset + s * 0.42
    width = max(1, round(s * 0.07))
    dot = s * 0.075
    draw.ellipse((cx - dot, cy - dot, cx + dot, cy + dot), fill=WHITE)
    for radius in (0.17, 0.28, 0.39):
        r = s * radius
        draw.arc((cx - r, cy - r, cx + r, cy + r), start=-50, end=50, fill=WHITE, width=width)
    mast_top = cy + dot
    foot = offset + s * 0.80
    draw.line((cx, mast_top, cx, foot), fill=WHITE, width=width)
    draw.line((cx - s * 0.12, foot, cx + s * 0.12, foot), fill=WHITE, width=width)


def color_icon(size: int = 192) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGBA", (big, big), TEAL)
    # The mark in the central half (96×96 of 192×192), a little inset for its stroke.
    _mark(ImageDraw.Draw(image), big // 2, offset=big / 4)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def outline_icon(size: int = 32) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    _mark(ImageDraw.Draw(image), big)
    small = image.resize((size, size), Image.Resampling.LANCZOS)
    # Only white, with the edges in the alpha channel: Teams tints the outline itself.
    alpha = small.getchannel("A")
    out = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    out.putalpha(alpha)
    return out


def main() -> None:
    color_icon().save(HERE / "color.png", optimize=True)
    outline_icon().save(HERE / "outline.png", optimize=True)


if __name__ == "__main__":
    main()
