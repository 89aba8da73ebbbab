"""What every Python peer shares: timing, peak memory and the JSON line."""
import json
import resource
import statistics
import time


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def measure(repeats, body):
    """Runs `body` `repeats` times; returns (median seconds, min seconds, last result)."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = body()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), result


def emit(**fields):
    """Prints one JSON line, with the peak RSS so far."""
    fields.setdefault("peak_rss_mb", peak_rss_mb())
    print(json.dumps(fields), flush=True)
