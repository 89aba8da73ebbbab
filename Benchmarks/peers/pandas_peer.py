"""pandas peers of the Kairos benchmark cases: the same input, the same checksum.

    python pandas_peer.py blas
    python pandas_peer.py csv_read FILE [REPEATS]
    python pandas_peer.py resample_1d FILE [REPEATS]
    python pandas_peer.py csv_write FILE [REPEATS]

Each case prints one JSON line with the fields of the Swift harness. Work is what a pandas user
writes for the same job: read_csv with the timestamp parsed as UTC datetimes (ISO 8601), and
resample("1D").agg(first/max/min/last/sum) with empty bins dropped (Kairos makes no bar for an
interval without rows).
"""
import json
import math
import os
import resource
import statistics
import sys
import tempfile
import time

import numpy as np
import pandas as pd


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def measure(repeats, body):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = body()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), result


def checksum(frame):
    return math.fsum(frame["close"].to_numpy().tolist()) + math.fsum(frame["volume"].to_numpy().tolist())


def read(path):
    return pd.read_csv(path, parse_dates=["timestamp"], date_format="ISO8601", index_col="timestamp")


def emit(**fields):
    print(json.dumps(fields))


def main():
    case = sys.argv[1]
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    if case == "blas":
        from threadpoolctl import threadpool_info
        info = [i for i in threadpool_info() if i.get("internal_api") == "openblas"]
        first = info[0] if info else {}
        emit(case="blas", library=f"numpy {np.__version__} / pandas {pd.__version__}",
             config=f"{first.get('internal_api', '?')} {first.get('version', '?')} ({first.get('filepath', '?').split('/')[-1]})",
             core=first.get("architecture", "?"), threads=first.get("num_threads", 0))
        return
    path = sys.argv[2]
    if case == "csv_read":
        read(path)  # warm the page cache, as the Swift side does
        median, best, frame = measure(repeats, lambda: read(path))
        emit(case=case, impl="pandas", rows=len(frame), seconds=median, min_seconds=best,
             throughput=len(frame) / median, bytes_per_second=os.path.getsize(path) / median,
             peak_rss_mb=peak_rss_mb(), checksum=checksum(frame))
    elif case == "resample_1d":
        frame = read(path)
        rules = {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}
        resample = lambda: frame.resample("1D", label="left", closed="left").agg(rules).dropna(how="all", subset=["open", "close"])
        median, best, daily = measure(repeats, resample)
        emit(case=case, impl="pandas", rows=len(frame), bars=len(daily), seconds=median, min_seconds=best,
             throughput=len(frame) / median, peak_rss_mb=peak_rss_mb(), checksum=checksum(daily))
    elif case == "csv_write":
        frame = read(path)
        out = os.path.join(tempfile.gettempdir(), "pandas-bench-write.csv")
        median, best, _ = measure(repeats, lambda: frame.to_csv(out))
        back = read(out)
        os.remove(out)
        emit(case=case, impl="pandas", rows=len(frame), seconds=median, min_seconds=best,
             throughput=len(frame) / median, peak_rss_mb=peak_rss_mb(), checksum=checksum(back))
    else:
        sys.exit(f"unknown case {case}")


if __name__ == "__main__":
    main()
