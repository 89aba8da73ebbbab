"""Makes metrics.json: return series and their metrics computed by empyrical-reloaded.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy empyrical-reloaded
    /tmp/venv/bin/python make_metric_fixtures.py

For every series: cum_returns_final, annual_return, annual_volatility, sharpe_ratio,
sortino_ratio, max_drawdown, calmar_ratio, value_at_risk (5 %) and conditional_value_at_risk
(5 %), with period="daily" (252 periods per year). Series: normal returns, fat-tailed returns
with exact zeros (flat days), a long series, and a short one.
"""
import json

import empyrical as ep
import numpy as np

rng = np.random.default_rng(7)
series = {
    "normal": rng.normal(0.0004, 0.012, size=1000),
    "fat_tails_with_flat_days": np.where(rng.uniform(size=1500) < 0.3, 0.0, rng.standard_t(3, size=1500) * 0.01),
    "long": rng.normal(0.0002, 0.02, size=5000),
    "short": rng.normal(-0.001, 0.01, size=23),
}
cases = []
for name, r in series.items():
    cases.append({
        "name": name,
        "returns": [float(x) for x in r],
        "total_return": float(ep.cum_returns_final(r)),
        "cagr": float(ep.annual_return(r)),
        "volatility": float(ep.annual_volatility(r)),
        "sharpe": float(ep.sharpe_ratio(r)),
        "sortino": float(ep.sortino_ratio(r)),
        "max_drawdown": float(ep.max_drawdown(r)),
        "calmar": float(ep.calmar_ratio(r)),
        "var_95": float(ep.value_at_risk(r, cutoff=0.05)),
        "cvar_95": float(ep.conditional_value_at_risk(r, cutoff=0.05)),
    })
json.dump({"empyrical": ep.__version__, "numpy": np.__version__, "cases": cases}, open("metrics.json", "w"))
print(f"wrote {len(cases)} series")
