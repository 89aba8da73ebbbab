"""pandas peers of the Kairos benchmark cases: the same input, the same checksum.

    python pandas_peer.py blas
    python pandas_peer.py csv_read FILE [REPEATS]
    python pandas_peer.py resample_1d FILE [REPEATS]
    python pandas_peer.py csv_write FILE [REPEATS]
    python pandas_peer.py features_all FILE       every Kairos feature kind, pandas + TA-Lib
    python pandas_peer.py sma_300 FILE            s.rolling(w).mean() for w in 2…301

Each case prints one JSON line with the fields of the Swift harness. Work is what a pandas user
writes for the same job: read_csv with the timestamp parsed as UTC datetimes (ISO 8601), and
resample("1D").agg(first/max/min/last/sum) with empty bins dropped (Kairos makes no bar for an
interval without rows).
"""
import json
import math
import os
import sys
import tempfile

import numpy as np
import pandas as pd

from bench_common import emit, measure, peak_rss_mb




def checksum(frame):
    return math.fsum(frame["close"].to_numpy().tolist()) + math.fsum(frame["volume"].to_numpy().tolist())


def read(path):
    return pd.read_csv(path, parse_dates=["timestamp"], date_format="ISO8601", index_col="timestamp")



def main():
    case = sys.argv[1]
    repeats = int(os.environ.get("KAIROS_BENCH_REPEATS", "5"))
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
    elif case == "features_all":
        frame = read(path)
        median, best, features = measure(repeats, lambda: all_features(frame))
        values = features.to_numpy()
        total = math.fsum(values[~np.isnan(values)].tolist())
        emit(case=case, impl="pandas+talib", rows=len(frame), features=features.shape[1], seconds=median, min_seconds=best,
             throughput=len(frame) / median, bytes_per_second=(len(frame) * 5 * 8 + values.size * 8) / median,
             peak_rss_mb=peak_rss_mb(), checksum=total)
    elif case == "sma_300":
        close = read(path)["close"]

        def run():
            total = 0.0
            for window in range(2, 302):
                total += close.rolling(window).mean().sum()
            return total
        median, best, total = measure(repeats, run)
        emit(case=case, impl="pandas", rows=len(close), windows=300, seconds=median, min_seconds=best,
             throughput=len(close) * 300 / median, peak_rss_mb=peak_rss_mb(), checksum=total)
    else:
        sys.exit(f"unknown case {case}")


def all_features(df):
    """The features of Benchmarks/features_all.yaml, as a pandas user writes them (TA-Lib for the
    Wilder indicators pandas lacks)."""
    import talib
    o, h, l, c, v = (df[k] for k in ["open", "high", "low", "close", "volume"])
    out = {}
    out["returns_1"] = c.pct_change(1, fill_method=None)
    out["returns_5"] = c.pct_change(5, fill_method=None)
    out["log_returns_1"] = np.log(c / c.shift(1))
    out["sma_20"] = c.rolling(20).mean()
    out["sma_200"] = c.rolling(200).mean()
    out["ema_12"] = c.ewm(span=12, adjust=False).mean()
    out["rolling_sum_10"] = c.rolling(10).sum()
    std20 = c.rolling(20).std()
    out["rolling_std_20"] = std20
    out["zscore_20"] = (c - out["sma_20"]) / std20
    out["rolling_min_20"] = c.rolling(20).min()
    out["rolling_max_20"] = c.rolling(20).max()
    out["rank_20"] = c.rolling(20).rank(method="average", pct=True)
    cn, hn, ln = c.to_numpy(), h.to_numpy(), l.to_numpy()
    out["rsi_14"] = pd.Series(talib.RSI(cn, timeperiod=14), index=df.index)
    out["atr_14"] = pd.Series(talib.ATR(hn, ln, cn, timeperiod=14), index=df.index)
    tr = pd.Series(talib.TRANGE(hn, ln, cn), index=df.index)
    out["true_range"] = tr
    macd = c.ewm(span=12, adjust=False).mean() - c.ewm(span=26, adjust=False).mean()
    signal = macd.ewm(span=9, adjust=False).mean()
    out["macd_12_26_9"], out["macd_12_26_9_signal"], out["macd_12_26_9_histogram"] = macd, signal, macd - signal
    sd = c.rolling(20).std(ddof=0)
    upper, lower = out["sma_20"] + 2 * sd, out["sma_20"] - 2 * sd
    out["bollinger_percent_b_20"] = (c - lower) / (upper - lower)
    out["bollinger_bandwidth_20"] = (upper - lower) / out["sma_20"]
    hmax, lmin = h.rolling(20).max(), l.rolling(20).min()
    out["donchian_upper_20"], out["donchian_lower_20"], out["donchian_middle_20"] = hmax, lmin, (hmax + lmin) / 2
    out["efficiency_ratio_10"] = (c - c.shift(10)).abs() / c.diff().abs().rolling(10).sum()
    out["choppiness_14"] = 100 * np.log10(tr.rolling(14).sum() / (h.rolling(14).max() - l.rolling(14).min())) / np.log10(14)
    out["realized_volatility_20"] = np.log(c).diff().rolling(20).std() * np.sqrt(252)
    out["volume_zscore_20"] = (v - v.rolling(20).mean()) / v.rolling(20).std()
    out["close_lag_1"] = c.shift(1)
    out["close_diff_1"] = c.diff(1)
    return pd.DataFrame(out)


if __name__ == "__main__":
    main()
