"""Plots our criterion medians: verify time against the number of caveats in the token.

    python3 benches/peers/plot.py [OUT.svg]      default: benches/peers/verify-vs-caveats.svg

Reads the same criterion results as report.py (see criterion_results.py) and writes an SVG by
hand, standard library only. Without any criterion result it says so and writes nothing.
"""

import math
import sys
from pathlib import Path
from xml.sax.saxutils import escape

import criterion_results as cr

W, H = 700, 420
LEFT, RIGHT, TOP, BOTTOM = 72, 24, 44, 58
X_MAX = 52
X_TICKS = (1, 3, 10, 20, 30, 40, 50)
STYLES = [("#1f5fa8", "circle"), ("#d9730d", "square"), ("#2e8b3a", "triangle"),
          ("#b5264a", "diamond")]


def nice_step(span, target=6):
    raw = span / target
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def fmt_tick(v, step):
    decimals = 0  # as many as the step needs: 2.5 -> 1, 0.25 -> 2, 20 -> 0
    while decimals < 6 and abs(step * 10**decimals - round(step * 10**decimals)) > 1e-9:
        decimals += 1
    return f"{v:.{decimals}f}"


def marker(shape, x, y, color):
    r = 4.5
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{color}"/>'
    if shape == "square":
        return (f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" '
                f'fill="{color}"/>')
    if shape == "triangle":
        pts = [(x, y - r * 1.2), (x - r * 1.1, y + r * 0.8), (x + r * 1.1, y + r * 0.8)]
    else:  # diamond
        pts = [(x, y - r * 1.3), (x + r * 1.1, y), (x, y + r * 1.3), (x - r * 1.1, y)]
    return f'<polygon points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in pts)}" fill="{color}"/>'


def svg(series):
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    y_top = max(v for _, pts, _ in series for _, v in pts)
    step = nice_step(y_top)
    y_max = step * math.ceil(y_top * 1.05 / step)

    def px(n):
        return LEFT + pw * n / X_MAX

    def py(us):
        return TOP + ph * (1 - us / y_max)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'viewBox="0 0 {W} {H}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" '
           'font-size="13">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="26" text-anchor="middle" font-size="16" font-weight="bold">'
           'Median time to verify one token, by number of caveats</text>']
    # Grid and y axis ticks.
    k = 0
    while k * step <= y_max + 1e-9:
        y = py(k * step)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}" '
                   'stroke="#e2e2e2"/>')
        out.append(f'<text x="{LEFT - 8}" y="{y + 4.5:.1f}" text-anchor="end">'
                   f'{fmt_tick(k * step, step)}</text>')
        k += 1
    for n in X_TICKS:
        x = px(n)
        out.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + ph}" stroke="#f0f0f0"/>')
        out.append(f'<line x1="{x:.1f}" y1="{TOP + ph}" x2="{x:.1f}" y2="{TOP + ph + 5}" '
                   'stroke="#333"/>')
        out.append(f'<text x="{x:.1f}" y="{TOP + ph + 20}" text-anchor="middle">{n}</text>')
    # Axes.
    out.append(f'<line x1="{LEFT}" y1="{TOP + ph}" x2="{W - RIGHT}" y2="{TOP + ph}" stroke="#333"/>')
    out.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + ph}" stroke="#333"/>')
    out.append(f'<text x="{LEFT + pw / 2}" y="{H - 14}" text-anchor="middle">'
               'caveats in the token</text>')
    out.append(f'<text transform="translate(20 {TOP + ph / 2}) rotate(-90)" '
               'text-anchor="middle">median verify time (µs)</text>')
    # Series.
    for label, pts, (color, shape) in series:
        path = " ".join(f"{'M' if i == 0 else 'L'}{px(n):.1f},{py(v):.1f}"
                        for i, (n, v) in enumerate(pts))
        out.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        out.extend(marker(shape, px(n), py(v), color) for n, v in pts)
    # Legend, top left of the plot area (the lines rise to the right).
    lx, ly = LEFT + 14, TOP + 12
    box_w = 16 + 34 + 7.2 * max(len(label) for label, _, _ in series)
    out.append(f'<rect x="{lx - 8}" y="{ly - 8}" width="{box_w:.0f}" '
               f'height="{22 * len(series) + 6}" fill="white" fill-opacity="0.92" '
               'stroke="#bbb"/>')
    for i, (label, _, (color, shape)) in enumerate(series):
        y = ly + 8 + 22 * i
        out.append(f'<line x1="{lx}" y1="{y}" x2="{lx + 28}" y2="{y}" stroke="{color}" '
                   'stroke-width="2"/>')
        out.append(marker(shape, lx + 14, y, color))
        out.append(f'<text x="{lx + 36}" y="{y + 4.5}">{escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else \
        Path(__file__).resolve().with_name("verify-vs-caveats.svg")
    root = cr.criterion_dir()
    rows, _ = cr.our_rows(cr.load_medians(root))
    # Each implementation keeps its colour and marker even when another one has no results.
    series = [(label, [(n, ns / 1000) for n, ns in cells.items() if ns is not None], style)
              for (label, cells), style in zip(rows, STYLES)]
    series = [s for s in series if s[1]]
    if not series:
        print(f"plot: no criterion results for our benchmarks under {root} "
              "(run `cargo bench` first); no plot written", file=sys.stderr)
        return
    out.write_text(svg(series), encoding="utf-8")
    print(f"written: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
