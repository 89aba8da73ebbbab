"""Prints the side-by-side table of a benchmark run (JSON lines from Benchmarks/run).

Ratios are peer seconds / Kairos seconds (above 1: Kairos is faster), from the medians of the
repeats. Results must agree (checksums within each case's tolerance; for scikit-learn's lbfgs,
which stops early by design, the objective is compared instead): a faster wrong answer is not a win.
"""
import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip().startswith("{")]
json_rows = list(rows)
rows = [r for r in rows if r["case"] != "walkforward"]
paper = [r for r in rows if r["case"] in ("paper_replay", "paper_cli", "paper_dashboard_load")]
rows = [r for r in rows if r not in paper]
checks = [r for r in rows if r["case"] == "vectorbt_nvda"]
fidelity = [r for r in rows if "peer" in r and "kairos" in r]  # backtesting_check.py
rows = [r for r in rows if r["case"] not in ("vectorbt_nvda", "make_design") and r not in fidelity]
sweeps = {r["case"]: [] for r in rows if r["case"].startswith("sweep_sma")}
for r in rows:
    if r["case"] in sweeps:
        sweeps[r["case"]].append(r)
rows = [r for r in rows if r["case"] not in sweeps]
by_case = {}
for r in rows:
    by_case.setdefault(r["case"], []).append(r)

print()
for b in by_case.pop("blas", []):
    print(f"BLAS  {b['library']}: {b['config']} (core {b['core']}, {b['threads']} threads)")
bandwidth = by_case.pop("memory_bandwidth", [{}])[0].get("bytes_per_second")
if bandwidth:
    print(f"memory bandwidth (copy, read + write): {bandwidth / 1e9:.1f} GB/s")
print()
goals = {"csv_read": "faster", "features_all": ">= 3x", "sma_300": ">= 10x", "ridge": "within 1.2x",
         "logistic": ">= 2x lbfgs, faster than newton-cholesky", "ridge_batch_256": ">= 3x throughput"}
tolerance = {"logistic": 1e-6}
print(f"{'case':<16}{'kairos':<22}{'s':>9}  {'peer':<26}{'s':>9}{'ratio':>9}  agreement")
failed = False
for case, results in by_case.items():
    ours = [r for r in results if r["impl"].startswith("kairos")]
    peers = [r for r in results if not r["impl"].startswith("kairos")]
    for k in ours:
        if not peers:
            print(f"{case:<16}{k['impl']:<22}{k['seconds']:>9.4f}")
        for p in peers:
            if p["impl"] == "sklearn-lbfgs":
                gap = p["objective"] - k["objective"]
                agreement = f"objective: lbfgs {gap:+.4g} above kairos"
                ok = gap >= -1e-6 * abs(k["objective"])
            else:
                rtol = tolerance.get(case, 1e-9)
                ok = abs(k["checksum"] - p["checksum"]) <= rtol * max(1.0, abs(p["checksum"]))
                agreement = f"checksum {'match' if ok else 'MISMATCH'} (rtol {rtol:g})"
            failed |= not ok
            print(f"{case:<16}{k['impl']:<22}{k['seconds']:>9.4f}  {p['impl']:<26}{p['seconds']:>9.4f}{p['seconds'] / k['seconds']:>8.2f}x  {agreement}")
    if case in goals:
        print(f"{'':<16}goal: {goals[case]}")
features = [r for r in by_case.get("features_all", []) if r["impl"] == "kairos"]
if features and bandwidth:
    f = features[0]
    print(f"\nfeatures_all: {f['bytes_per_second'] / 1e9:.2f} GB/s of input + output, "
          f"{100 * f['bytes_per_second'] / bandwidth:.1f}% of the copy bandwidth")
path = by_case.get("ridge_path_100", [])
fit = [r for r in by_case.get("ridge", []) if r["impl"] == "kairos"]
if path and fit:
    print(f"ridge_path_100: {path[0]['seconds']:.4f} s for 100 penalties = {path[0]['seconds'] / fit[0]['seconds']:.2f}x one fit "
          f"(goal within 1.5x; largest difference from a single fit {path[0]['max_difference_vs_single_fit']:.1e})")

if sweeps:
    print("\nSweeps (SMA cross, fee 0.001): bar·combinations per second; ratio = Kairos / peer throughput")
    print(f"{'case':<18}{'impl':<26}{'bar·comb/s':>14}{'per core':>14}{'s':>9}{'peak MB':>10}  vs kairos")
    for case, results in sweeps.items():
        ours = {r["impl"]: r for r in results if r["impl"].startswith("kairos")}
        for r in results:
            threads = 2 if r["impl"].endswith("2t") else (1 if r["impl"].endswith("1t") else 1)
            line = f"{case:<18}{r['impl']:<26}{r['throughput']:>14.3e}{r['throughput'] / threads:>14.3e}{r['seconds']:>9.3f}{r['peak_rss_mb']:>10.0f}"
            if not r["impl"].startswith("kairos"):
                same = ours.get("kairos-" + r["impl"].split("-")[-1]) if r["impl"].startswith("numba") else ours.get("kairos-2t")
                if same:
                    ok = abs(same["checksum"] - r["checksum"]) <= 1e-9 * max(1.0, abs(r["checksum"])) if r["impl"].startswith("numba") else True
                    failed |= not ok
                    line += f"  {same['throughput'] / r['throughput']:.2f}x faster, {r['peak_rss_mb'] / same['peak_rss_mb']:.0f}x the memory" \
                        + ("" if r["impl"].startswith("vectorbt") else f", checksum {'match' if ok else 'MISMATCH'}")
            print(line)
    one, two = [next((r for r in sweeps.get("sweep_sma", []) if r["impl"] == k), None) for k in ("kairos-1t", "kairos-2t")]
    if one and two:
        print(f"2 threads / 1 thread: {two['throughput'] / one['throughput']:.2f}x (goal >= 1.8x)")
    risk = next((r for r in sweeps.get("sweep_sma_risk", [])), None)
    if risk and two:
        print(f"risk manager on (2 % risk at a 2 ATR stop, 20 % halt): {risk['throughput']:.3e} vs {two['throughput']:.3e} bar·comb/s off "
              f"= {100 * (1 - risk['throughput'] / two['throughput']):.1f}% slower (goal < 25%; the stop checks are part of the cost)")
    full = next((r for r in sweeps.get("sweep_sma_full", [])), None)
    if full and two:
        print(f"full grid ({full['combinations']} combinations): peak {full['peak_rss_mb']:.0f} MB vs {two['peak_rss_mb']:.0f} MB for {two['combinations']}")
cli = {r["case"]: r for r in json_rows if r["case"] in ("sweep_cli", "sweep_csv_2m", "sweep_moonshot")}
two = next((r for r in sweeps.get("sweep_sma", []) if r["impl"] == "kairos-2t"), None) if sweeps else None
if "sweep_cli" in cli and two:
    c = cli["sweep_cli"]
    print(f"\nkairos sweep end to end (load, sweep, write): {c['seconds']:.2f} s vs the library call {two['seconds']:.2f} s = "
          f"{c['seconds'] / two['seconds']:.2f}x (goal <= 1.10x), peak {c['peak_rss_mb']:.0f} MB")
if "sweep_csv_2m" in cli:
    c = cli["sweep_csv_2m"]
    print(f"2,012,425-row CSV streamed: {c['seconds']:.1f} s, peak RSS {c['peak_rss_mb']:.0f} MB")
if "sweep_moonshot" in cli:
    c = cli["sweep_moonshot"]
    rate = c["combinations"] * c["bars"] / c["seconds"]
    print(f"moonshot, 10,060,625 combinations × 5,000 bars, --top 1000 + aggregate: {c['seconds']:.1f} s (goal <= 60 s), "
          f"peak RSS {c['peak_rss_mb']:.0f} MB (goal < 1024), {rate:.3e} bar·comb/s = {rate / 2:.3e} per core")
walk = [r for r in json_rows if r["case"] == "walkforward"]
for w in walk:
    print(f"\nwalk-forward: {w['assets']} assets × {w['folds']} folds × {w['penalties']} λ × {w['thresholds']} thresholds in {w['seconds']:.2f} s "
          f"({w['throughput']:.0f} validation backtests/s, fits included)")
if paper:
    print("\nLive path (no peer runs this: nautilus_trader and freqtrade have no replay-through-the-live-loop mode to time)")
    for r in paper:
        if r["case"] == "paper_replay":
            print(f"paper_replay  {r['symbols']:>2} symbol(s): {r['throughput']:,.0f} bars/s ({r['bars']:.0f} bars in {r['seconds']:.2f} s), "
                  f"arrival → committed decision median {r['latency_median_us']:.0f} µs, p99 {r['latency_p99_us']:.0f} µs")
        elif r["case"] == "paper_dashboard_load":
            print(f"dashboard     {r['sse_clients']} SSE clients + 200 API req/s for {r['seconds']:.0f} s: bar → decision median {r['latency_median_us_loaded']} µs "
                  f"(alone {r['latency_median_us_alone']} µs, {r['ratio_median']:.2f}×), p99 {r['latency_p99_us_loaded']} µs (alone {r['latency_p99_us_alone']} µs); "
                  f"API {r['api_ok']}/{r['api_sent']} answered, median {r['api_ms_median']} ms, p99 {r['api_ms_p99']} ms; every SSE client ≥ {r['sse_min_events']} events")
        else:
            print(f"paper_cli     kairos paper --feed replay --speed 0, {r['bars']} bars end to end: {r['seconds']:.2f} s ({r['throughput']:,.0f} bars/s)")
for c in checks:
    print(f"\nvectorbt on NVDA (sma 10/50, next open, fee 0.001): {c['vectorbt']} vs kairos {c['kairos']}: {c['agree']}")
    failed |= not all(c["agree"].values())
for c in fidelity:
    p, k = c["peer"], c["kairos"]
    print(f"\n{c['case']}: trades {p['trades']} vs {k['trades']}, final equity {p['final_equity']:.2f} vs {k['final_equity']:.2f} "
          f"(relative difference {c['relative_difference']['final_equity']:.1e}): {'agree' if c['agree'] else 'DIFFER'}")
    failed |= not c["agree"]
sys.exit(1 if failed else 0)
