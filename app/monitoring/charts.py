"""Small charts as inline SVG, drawn on the server: no chart library, no script, nothing to
download. Every bar is a link to the cases it counts. Sizes are in viewBox units sized for a
360 px phone (one unit ≈ one CSS pixel there); CSS caps their width on large screens. Colours
come from classes (static/css/app.css), never from style attributes (the CSP forbids them).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

WIDTH = 340
ROW = 24
LABEL_W = 92
FONT = 12


def _a(href: str | None, inner: str, title: str) -> str:
    tip = f"<title>{escape(title)}</title>"
    if not href:
        return f"<g>{tip}{inner}</g>"
    return f'<a href="{escape(href)}">{tip}{inner}</a>'


def _svg(kind: str, width: int, height: int, caption: str, linked: bool) -> str:
    """The chart's opening tag. A chart whose bars are links is a labelled group of links (an
    image must not hold interactive content: WCAG nested-interactive); one without is an image."""
    role = "group" if linked else "img"
    return (
        f'<svg class="chart chart-{kind}" viewBox="0 0 {width} {height}" role="{role}" '
        f'aria-label="{escape(caption)}" xmlns="http://www.w3.org/2000/svg">'
    )


def bars(rows: list[dict[str, Any]], caption: str, top: float | None = None) -> Markup:
    """Horizontal bars: rows of {label, value, display, href}; `top` (default: the largest
    value) is the full width."""
    if not rows:
        return Markup("")
    top = top or max((r["value"] or 0) for r in rows) or 1
    room = WIDTH - LABEL_W - 44
    height = ROW * len(rows) + 4
    parts = [_svg("bars", WIDTH, height, caption, any(r.get("href") for r in rows))]
    for i, r in enumerate(rows):
        y = i * ROW + 2
        w = max(round((r["value"] or 0) / top * room, 1), 1 if r["value"] else 0)
        inner = (
            f'<text class="chart-label" x="{LABEL_W - 6}" y="{y + 16}" text-anchor="end" font-size="{FONT}">{escape(r["label"])}</text>'
            f'<rect class="bar" x="{LABEL_W}" y="{y + 4}" width="{w}" height="{ROW - 8}" rx="2"/>'
            f'<text class="chart-value" x="{LABEL_W + w + 4}" y="{y + 16}" font-size="{FONT}">{escape(r["display"])}</text>'
        )
        parts.append(_a(r.get("href"), inner, f"{r['label']}: {r['display']}"))
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(groups: list[dict[str, Any]], series: list[tuple[str, str]], caption: str) -> Markup:
    """Grouped columns, e.g. months × (new, resolved). groups: {label, values: {key: {value,
    display, href}}}; series: (key, css class) in drawing order."""
    if not groups:
        return Markup("")
    plot_top, plot_h, base_h = 14, 120, 22
    height = plot_top + plot_h + base_h
    top = max((g["values"][k]["value"] or 0) for g in groups for k, _c in series) or 1
    slot = WIDTH / len(groups)
    bar_w = min((slot - 4) / len(series), 12)
    linked = any(g["values"][k].get("href") for g in groups for k, _c in series)
    parts = [
        _svg("columns", WIDTH, height, caption, linked),
        f'<line class="axis" x1="0" y1="{plot_top + plot_h}" x2="{WIDTH}" y2="{plot_top + plot_h}"/>',
    ]
    for i, g in enumerate(groups):
        left = i * slot + (slot - bar_w * len(series)) / 2
        for j, (key, cls) in enumerate(series):
            v = g["values"][key]
            h = round((v["value"] or 0) / top * plot_h, 1)
            x = round(left + j * bar_w, 1)
            y = plot_top + plot_h - h
            inner = (
                f'<rect class="{cls}" x="{x}" y="{y}" width="{round(bar_w - 1, 1)}" height="{h}"/>'
            )
            if v["value"]:
                inner += f'<text class="chart-value" x="{round(x + bar_w / 2, 1)}" y="{y - 3}" text-anchor="middle" font-size="9">{escape(v["display"])}</text>'
            parts.append(
                _a(
                    v.get("href"),
                    inner,
                    f"{g['label']} {g.get('series_labels', {}).get(key, key)}: {v['display']}",
                )
            )
        parts.append(
            f'<text class="chart-label" x="{round(i * slot + slot / 2, 1)}" y="{plot_top + plot_h + 15}" text-anchor="middle" font-size="10">{escape(g["label"])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
