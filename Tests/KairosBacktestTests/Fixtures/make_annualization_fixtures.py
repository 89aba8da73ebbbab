"""Makes annualization.json: empyrical's annualized metrics with the periods per year of
docs/DESIGN.md §5 for intraday data — the close-to-close returns of the shared SPY minute file
(NYSE one-minute bars: 390 x 252 = 98,280 per year) and a seeded 24x7 minute series
(1,440 x 365 = 525,600 per year).

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy pandas empyrical-reloaded
    /tmp/venv/bin/python make_annualization_fixtures.py ../../../../shared/data/spy_minute_2011.csv
"""
import json
import sys

import empyrical as ep
import numpy as np
import pandas as pd


def metrics(r, periods):
    return {
        "periods_per_year": periods,
        "cagr": float(ep.annual_return(r, annualization=periods)),
        "volatility": float(ep.annual_volatility(r, annualization=periods)),
        "sharpe": float(ep.sharpe_ratio(r, annualization=periods)),
        "sortino": float(ep.sortino_ratio(r, annualization=periods)),
        "calmar": float(ep.calmar_ratio(r, annualization=periods)),
    }


spy = pd.read_csv(sys.argv[1])
close = spy["close"].to_numpy(dtype=float)
spy_returns = close[1:] / close[:-1] - 1

rng = np.random.default_rng(11)
crypto_returns = rng.standard_t(4, size=10_080) * 0.0008 + 0.00001
crypto_start = "2021-05-01T00:00:00Z"  # a Saturday: the series spans weekends

json.dump({
    "empyrical": ep.__version__,
    "spy_minute": metrics(spy_returns, 98_280),
    "crypto_minute": {"start": crypto_start, "spacing_seconds": 60, "returns": [float(x) for x in crypto_returns],
                      **metrics(crypto_returns, 525_600)},
}, open("annualization.json", "w"))
print("spy", metrics(spy_returns, 98_280))
