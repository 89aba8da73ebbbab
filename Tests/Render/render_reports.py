#!/usr/bin/env python3
"""Renders Kairos' HTML reports in headless Chromium and checks what a reader would see.

For a fresh `kairos demo` run (its backtest report with the sweep and walk-forward sections),
a `kairos compare` on the same data and a `kairos portfolio` report on generated assets, it:
  * screenshots each page to PNG with `chromium --headless` and checks the PNG (signature,
    dimensions, not one flat colour);
  * dumps the DOM Chromium built and asserts every expected chart is an <svg> whose <path>s have
    non-empty `d` data, and that the page loads nothing external (no scripts, fonts, images).

Usage: render_reports.py KAIROS_BINARY [WORK_DIR]   (make test runs it; exit 1 on any failure)
Standard library only; needs Debian's `chromium` (the Makefile installs it).
"""
import html.parser
import pathlib
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"]


class SVGCollector(html.parser.HTMLParser):
    """Each top-level <svg>: its <title> and the `d` of each <path>; external references."""

    def __init__(self):
        super().__init__()
        self.charts, self.external, self._svg, self._in_title = [], [], None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg":
            self._svg = {"title": "", "paths": []}
        elif tag == "path" and self._svg is not None:
            self._svg["paths"].append(attrs.get("d") or "")
        elif tag == "title" and self._svg is not None:
            self._in_title = True
        if tag in ("script", "img", "link", "iframe") or any(
                k in ("src", "href") and v and not v.startswith("#") for k, v in attrs.items()):
            self.external.append(tag)

    def handle_endtag(self, tag):
        if tag == "svg" and self._svg is not None:
            self.charts.append(self._svg)
            self._svg = None
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title and self._svg is not None:
            self._svg["title"] += data


def png_check(path):
    """Width, height and whether the image has more than one colour (decodes 8-bit RGB/RGBA)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    chunks, offset = b"", 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        if kind == b"IDAT":
            chunks += data[offset + 8:offset + 8 + length]
        offset += 12 + length
    raw = zlib.decompress(chunks)
    channels = {2: 3, 6: 4}.get(colour)
    assert depth == 8 and channels, f"{path}: unexpected PNG format (depth {depth}, colour type {colour})"
    stride = width * channels + 1
    # Filter bytes differ by row; sampling the unfiltered first pixel of every row and the raw
    # row bytes is enough to tell a blank page (all rows identical) from a drawn one.
    distinct_rows = len({raw[r * stride:(r + 1) * stride] for r in range(height)})
    return width, height, distinct_rows


def render(page, out_dir, expected_titles):
    failures = []
    png = out_dir / (page.stem + ".png")
    subprocess.run(["chromium", *CHROMIUM_FLAGS, "--window-size=1100,3000", f"--screenshot={png}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    width, height, distinct_rows = png_check(png)
    if (width, height) != (1100, 3000) or distinct_rows < 50:
        failures.append(f"{page.name}: screenshot {width}×{height} with {distinct_rows} distinct rows (blank?)")
    dom = subprocess.run(["chromium", *CHROMIUM_FLAGS, "--dump-dom", page.as_uri()],
                         check=True, capture_output=True, text=True, timeout=120).stdout
    parser = SVGCollector()
    parser.feed(dom)
    if parser.external:
        failures.append(f"{page.name}: loads external resources: {parser.external}")
    titles = [c["title"] for c in parser.charts]
    for expected in expected_titles:
        chart = next((c for c in parser.charts if c["title"].startswith(expected)), None)
        if chart is None:
            failures.append(f"{page.name}: no chart titled '{expected}…' (found {titles})")
        elif not chart["paths"] or not all(d.strip() for d in chart["paths"]):
            failures.append(f"{page.name}: chart '{chart['title']}' has {len(chart['paths'])} paths, some empty")
    print(f"{page.name}: {width}×{height} PNG, {len(parser.charts)} charts ({', '.join(titles)}), "
          f"{sum(len(c['paths']) for c in parser.charts)} paths")
    return failures


def main():
    kairos = pathlib.Path(sys.argv[1]).resolve()
    work = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="kairos-render-"))
    work.mkdir(parents=True, exist_ok=True)
    if shutil.which("chromium") is None:
        sys.exit("chromium is not installed (apt-get install chromium; make test does it)")
    demo = subprocess.run([kairos, "demo", "--export-dir", work / "runs", "--quiet"],
                          check=True, capture_output=True, text=True).stdout
    run = pathlib.Path(next(l for l in demo.splitlines() if l.startswith("run folder: ")).split(": ", 1)[1])
    config = work / "compare.yaml"
    config.write_text(f"data: {run / 'aapl_adjusted.csv'}\nfee: 0.0005\nstrategies:\n"
                      "  - {name: SMA 10/50, strategy: sma-cross, params: {fast: 10, slow: 50}}\n"
                      "  - strategy: rsi-reversion\n")
    subprocess.run([kairos, "compare", "--config", config, "--out", work / "compare"], check=True, capture_output=True)
    data = work / "data"
    subprocess.run([kairos, "data", "generate", "--bars", "1500", "--assets", "3", "--seed", "5", "--out", data, "--quiet"], check=True, capture_output=True)
    subprocess.run([kairos, "portfolio", "--data", ",".join(str(data / f"SYN{k}.csv") for k in (1, 2, 3)), "--strategy", "sma-cross",
                    "--param", "stop_atr=2", "--param", "max_dd=0.2", "--fee", "0.0005", "--out", work / "portfolio"], check=True, capture_output=True)
    subprocess.run([kairos, "report", "--run", work / "portfolio", "--out", work / "portfolio" / "report"], check=True, capture_output=True)
    failures = render(run / "model_backtest" / "report" / "report.html", work,
                      ["Equity", "Drawdown from the peak", "Rolling Sharpe", "Rolling volatility", "Monthly returns", "Returns per bar",
                       "Gross exposure", "Sweep:", "Walk-forward folds"])
    failures += render(work / "compare" / "comparison.html", work, ["Equity"])
    portfolio_page = work / "portfolio" / "report" / "report.html"
    shutil.copy(portfolio_page, work / "portfolio_report.html")  # a distinct name for its PNG
    failures += render(work / "portfolio_report.html", work, ["Equity", "Drawdown from the peak", "Rolling Sharpe", "Monthly returns", "Returns per bar",
                                                                "Gross exposure", "Weights per asset"])
    for f in failures:
        print("FAIL", f, file=sys.stderr)
    if failures:
        print(f"FAILED: the rendered pages and PNGs are in {work}")
    elif len(sys.argv) > 2:
        print(f"ok: rendered pages and PNGs in {work}")
    else:
        shutil.rmtree(work)
        print("ok: every report rendered with its charts")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
