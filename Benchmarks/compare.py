"""Prints the side-by-side table of a benchmark run (JSON lines from Benchmarks/run).

Ratios are pandas seconds / Kairos seconds (above 1: Kairos is faster), from the medians of
the repeats. A checksum mismatch is printed loudly: a faster wrong answer is not a win.
"""
import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip().startswith("{")]
blas = [r for r in rows if r["case"] == "blas"]
print()
for b in blas:
    print(f"BLAS  {b['library']}: {b['config']} (core {b['core']}, {b['threads']} threads)")
print()
print(f"{'case':<14}{'kairos s':>10}{'pandas s':>10}{'ratio':>9}{'kairos rows/s':>16}{'kairos MB':>11}{'pandas MB':>11}  checksum")
cases = []
for r in rows:
    if r["case"] != "blas" and r["case"] not in cases:
        cases.append(r["case"])
failed = False
for case in cases:
    k = next((r for r in rows if r["case"] == case and r["impl"] == "kairos"), None)
    p = next((r for r in rows if r["case"] == case and r["impl"] == "pandas"), None)
    if not k or not p:
        print(f"{case:<14} missing a side")
        failed = True
        continue
    same = abs(k["checksum"] - p["checksum"]) <= 1e-9 * max(1.0, abs(p["checksum"]))
    failed |= not same
    print(f"{case:<14}{k['seconds']:>10.4f}{p['seconds']:>10.4f}{p['seconds'] / k['seconds']:>8.2f}x"
          f"{k['throughput']:>16,.0f}{k['peak_rss_mb']:>11.0f}{p['peak_rss_mb']:>11.0f}  {'match' if same else 'MISMATCH'}")
sys.exit(1 if failed else 0)
