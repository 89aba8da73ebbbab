#!/usr/bin/env python3
"""The dashboard under load (issue 11), release build: the same replay at full speed twice —
alone, then with --dashboard while 50 clients hold /api/events and 200 API requests a second
arrive — and the bar-to-decision latency of each (median and p99, as `kairos paper` reports it).
Prints one JSON row for compare.py.

    dashboard_load_bench.py KAIROS DATA.csv [SECONDS]
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

kairos, data = sys.argv[1], sys.argv[2]
seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 10
here = os.path.dirname(os.path.abspath(__file__))
load_script = os.path.join(here, "..", "Tests", "Live", "dashboard_load.py")
args = ["paper", "--feed", "replay", "--data", data, "--strategy", "sma-cross", "--param", "fast=10", "--param", "slow=40"]


def latency(stderr):
    m = re.search(r"bar to decision: median (\d+) µs, p99 (\d+) µs", stderr)
    return (int(m.group(1)), int(m.group(2))) if m else (None, None)


with tempfile.TemporaryDirectory() as tmp:
    alone = subprocess.run([kairos] + args + ["--state", f"{tmp}/a"], capture_output=True, text=True, timeout=600)
    a_median, a_p99 = latency(alone.stderr)
    err_path = f"{tmp}/b.err"
    with open(err_path, "w") as err:
        session = subprocess.Popen([kairos] + args + ["--state", f"{tmp}/b", "--dashboard", "127.0.0.1:0"], stderr=err, stdout=subprocess.DEVNULL)
    try:
        port = None
        for _ in range(600):
            m = re.search(r"dashboard: http://127\.0\.0\.1:(\d+)/", open(err_path).read())
            if m:
                port = m.group(1)
                break
            time.sleep(0.05)
        token = open(f"{tmp}/b/dashboard_token").read().strip()
        load = subprocess.run([sys.executable, load_script, port, token, "--sse", "50", "--rps", "200", "--seconds", str(seconds)],
                              capture_output=True, text=True, timeout=seconds + 120)
        session.wait(timeout=600)
    finally:
        if session.poll() is None:
            session.kill()
    b_median, b_p99 = latency(open(err_path).read())
    result = json.loads(load.stdout)
    print(json.dumps({"case": "paper_dashboard_load", "impl": "kairos", "latency_median_us_alone": a_median, "latency_p99_us_alone": a_p99,
                      "latency_median_us_loaded": b_median, "latency_p99_us_loaded": b_p99,
                      "ratio_median": round(b_median / a_median, 3) if a_median and b_median else None,
                      "sse_clients": len(result["sse_events"]), "sse_min_events": min(result["sse_events"]),
                      "api_sent": result["api_sent"], "api_ok": result["api_ok"], "api_ms_median": result["api_ms_median"],
                      "api_ms_p99": result["api_ms_p99"], "seconds": seconds}))
