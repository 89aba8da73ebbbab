#!/usr/bin/env python3
"""Times one command end to end (wall seconds, peak RSS of the child) and prints a JSON line
for results/latest.jsonl: time_command.py CASE IMPL [KEY=VALUE ...] -- COMMAND ..."""
import json
import resource
import subprocess
import sys
import time

split = sys.argv.index("--")
case, impl, *extra = sys.argv[1:split]
command = sys.argv[split + 1:]
start = time.perf_counter()
subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
seconds = time.perf_counter() - start
row = {"case": case, "impl": impl, "seconds": round(seconds, 4),
       "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}
for item in extra:
    key, value = item.split("=", 1)
    row[key] = float(value) if value.replace(".", "", 1).replace("e", "", 1).isdigit() else value
print(json.dumps(row))
