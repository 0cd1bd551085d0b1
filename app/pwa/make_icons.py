"""Draw the home-screen icons into static/icons: `python -m app.pwa.make_icons`.

A white balance (评理: weighing who is right) on the app's red. Drawn from shapes, not a
font, so the result is the same on every machine. "any" icons are a rounded square; the
"maskable" ones fill the whole canvas and keep the balance inside the central 80 % circle
that every launcher mask leaves visible. The PNGs are committed; run this after a change.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from app.settings import REPO_ROOT

RED = (178, 58, 43, 255)
WHITE = (255, 255, 255, 255)
SUPERSAMPLE = 4


def _balance(draw: ImageDraw.ImageDraw, size: int, scale: float) -> None:
    """The balance, drawn in a box of `scale` x size centred on the canvas."""
    c = size / 2

    def p(x: float, y: float) -> tuple[float, float]:  # design units (-50..50) -> pixels
        return (c + x * scale * size / 100, c + y * scale * size / 100)

    w = 4.2 * scale * size / 100  # stroke width
    draw.line([p(0, -34), p(0, 30)], fill=WHITE, width=round(w))  # post
    draw.ellipse([p(-5, -41), p(5, -31)], fill=WHITE)  # knob
    draw.line([p(-36, -24), p(36, -24)], fill=WHITE, width=round(w))  # beam
    draw.rounded_rectangle(
        [p(-20, 28), p(20, 36)], radius=2 * scale * size / 100, fill=WHITE
    )  # base
    for side in (-1, 1):
        x = 30 * side
        draw.line([p(x, -24), p(x - 13, 6)], fill=WHITE, width=round(w * 0.55))  # strings
        draw.line([p(x, -24), p(x + 13, 6)], fill=WHITE, width=round(w * 0.55))
        draw.pieslice([p(x - 16, -8), p(x + 16, 18)], start=0, end=180, fill=WHITE)  # pan


def draw_icon(size: int, maskable: bool) -> Image.Image:
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle([0, 0, big, big], fill=RED)
        _balance(draw, big, scale=0.62)
    else:
        draw.rounded_rectangle([0, 0, big - 1, big - 1], radius=big * 0.22, fill=RED)
        _balance(draw, big, scale=0.78)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main(folder: Path = REPO_ROOT / "static" / "icons") -> None:
    for size in (192, 512):
        # two colours and their anti-aliased edges: a 32-colour palette keeps the files small
        for name, maskable in (("icon", False), ("maskable", True)):
            image = draw_icon(size, maskable).quantize(32, method=Image.Quantize.FASTOCTREE)
            image.save(folder / f"{name}-{size}.png", optimize=True)
    print("icons written to", folder)


if __name__ == "__main__":
    main()
