"""A quantstats HTML tearsheet of a Kairos run's returns, to set beside `kairos report`'s page
(README, "Reports"): the strategy's `return` column of equity.csv against the buy-and-hold of
its data file's close.

    Benchmarks/peers/.venv/bin/pip install quantstats
    Benchmarks/peers/.venv/bin/python Benchmarks/peers/quantstats_tearsheet.py RUN_DIR DATA.csv OUT.html
"""
import sys

import pandas as pd
import quantstats as qs

run, data, out = sys.argv[1], sys.argv[2], sys.argv[3]
equity = pd.read_csv(f"{run}/equity.csv", parse_dates=["timestamp"], index_col="timestamp")
close = pd.read_csv(data, parse_dates=["timestamp"], index_col="timestamp")["close"].reindex(equity.index).ffill()
returns = equity["return"].rename("Strategy")
benchmark = close.pct_change().fillna(0.0).rename("Buy and hold")
for series in (returns, benchmark):
    series.index = series.index.tz_localize(None)
qs.reports.html(returns, benchmark=benchmark, output=out, title="quantstats: the same returns as kairos report")
print(f"wrote {out}")
