"""Makes relative.json: strategy and benchmark return series with empyrical's alpha, beta and
excess_sharpe (the information ratio), and the annualized tracking error std(r − b, ddof 1)·√252.

    /tmp/venv/bin/pip install numpy empyrical-reloaded && /tmp/venv/bin/python make_relative_fixtures.py
"""
import json

import empyrical as ep
import numpy as np

rng = np.random.default_rng(11)
cases = []
for name, n in [("daily", 1200), ("short", 40)]:
    b = rng.normal(0.0003, 0.011, size=n)
    r = 0.4 * b + rng.normal(0.0002, 0.006, size=n)
    r[rng.uniform(size=n) < 0.2] = 0.0  # flat days
    cases.append({"name": name, "returns": [float(x) for x in r], "benchmark": [float(x) for x in b],
                  "alpha": float(ep.alpha(r, b)), "beta": float(ep.beta(r, b)),
                  "information_ratio": float(ep.excess_sharpe(r, b)),
                  "tracking_error": float(np.std(r - b, ddof=1) * np.sqrt(252))})
json.dump({"empyrical": ep.__version__, "cases": cases}, open("relative.json", "w"))
print(f"wrote {len(cases)} cases")
