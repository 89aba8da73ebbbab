"""Makes tearsheet.json: return series with what empyrical and pyfolio say about them — the
benchmark statistics (alpha, beta, excess_sharpe), rolling 6- and 12-month Sharpe and
volatility (126 and 252 bars), monthly and yearly compounded returns, VaR/CVaR at 5 %, and the
five worst drawdowns (pyfolio's get_top_drawdowns: peak, valley, recovery dates; depth).

    python3 -m venv /tmp/ts && /tmp/ts/bin/pip install numpy pandas empyrical-reloaded pyfolio-reloaded
    /tmp/ts/bin/python make_tearsheet_fixtures.py        # run in this folder

The first return of each series is 0 (as a backtest's first bar), where pyfolio's underwater
curve and Kairos's (from the initial capital) agree.
"""
import json

import empyrical as ep
import numpy as np
import pandas as pd
from pyfolio import timeseries

rng = np.random.default_rng(23)
cases = []
for name, n in [("daily", 1500), ("short", 300)]:
    index = pd.bdate_range("2018-01-02", periods=n)
    b = rng.normal(0.0004, 0.012, size=n)
    r = 0.6 * b + rng.standard_t(4, size=n) * 0.006 + 0.0001
    r[rng.uniform(size=n) < 0.15] = 0.0
    r[0] = 0.0
    b[0] = 0.0
    rs, bs = pd.Series(r, index=index), pd.Series(b, index=index)
    rolling = {}
    for w in (126, 252):
        rolling[str(w)] = {
            "sharpe": [None if np.isnan(x) else float(x) for x in ep.roll_sharpe_ratio(rs, w).reindex(index)],
            "volatility": [None if np.isnan(x) else float(x) for x in ep.roll_annual_volatility(rs, w).reindex(index)],
        }
    monthly = ep.aggregate_returns(rs, "monthly")
    yearly = ep.aggregate_returns(rs, "yearly")
    drawdowns = []
    for peak, valley, recovery in timeseries.get_top_drawdowns(rs, top=5):
        cum = ep.cum_returns(rs, 1.0)
        drawdowns.append({"peak": str(peak.date()), "valley": str(valley.date()),
                          "recovery": None if pd.isnull(recovery) else str(recovery.date()),
                          "depth": float(cum.loc[valley] / cum.loc[peak] - 1)})
    cases.append({
        "name": name, "dates": [str(d.date()) for d in index],
        "returns": [float(x) for x in r], "benchmark": [float(x) for x in b],
        "alpha": float(ep.alpha(r, b)), "beta": float(ep.beta(r, b)), "information_ratio": float(ep.excess_sharpe(r, b)),
        "max_drawdown": float(ep.max_drawdown(r)),
        "skew": float(rs.skew()), "kurtosis": float(rs.kurt()),  # pandas' (quantstats' skew and kurtosis)
        "value_at_risk": float(ep.value_at_risk(r, cutoff=0.05)),
        "conditional_value_at_risk": float(ep.conditional_value_at_risk(r, cutoff=0.05)),
        "rolling": rolling,
        "monthly": [[int(y), int(m), float(v)] for (y, m), v in monthly.items()],
        "yearly": [[int(y), float(v)] for y, v in yearly.items()],
        "drawdowns": drawdowns,
    })
json.dump({"empyrical": ep.__version__, "cases": cases}, open("tearsheet.json", "w"))
print(f"wrote {len(cases)} cases")
