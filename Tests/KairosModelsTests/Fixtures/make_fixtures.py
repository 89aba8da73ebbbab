"""Makes the model fixtures of KairosModelsTests with scikit-learn.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy pandas scikit-learn
    /tmp/venv/bin/python make_fixtures.py ../../KairosFeaturesTests/Fixtures/orcl_features.csv /path/to/shared/data/orcl_daily.csv

Writes datasets/<name>.csv (columns x0…x{p-1}, y, and w when weighted) and expected.json: for
each case the scikit-learn coefficients, intercept and (logistic) objective
Σ w·log-loss + λ/2‖coef‖², with
  ridge:    Ridge(alpha=λ, solver="cholesky", fit_intercept=True)
  logistic: LogisticRegression(C=1/λ, solver="newton-cholesky", tol=1e-12, max_iter=1000)
"""
import json
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import LogisticRegression, Ridge

rng = np.random.default_rng(20261125)
datasets = {}


def save(name, x, y, w=None):
    frame = pd.DataFrame(x, columns=[f"x{j}" for j in range(x.shape[1])])
    frame["y"] = y
    if w is not None:
        frame["w"] = w
    frame.to_csv(f"datasets/{name}.csv", index=False, float_format=None, lineterminator="\n")
    datasets[name] = (x, y, w)


# Well-conditioned, with column offsets (tests the centring).
n, p = 400, 6
x = rng.normal(size=(n, p)) + np.array([5.0, -3.0, 0.0, 100.0, 0.5, -20.0])
beta = rng.normal(size=p)
lin = (x - x.mean(axis=0)) @ beta
save("random", x, lin + rng.normal(size=n))
save("random_labels", x, (lin + rng.logistic(size=n) > 0).astype(float))
w = rng.uniform(0.1, 3.0, size=n)
save("weighted", x, lin + rng.normal(size=n), w)
save("weighted_labels", x, (lin + rng.logistic(size=n) > 0).astype(float), w)

# Ill-conditioned: singular values from 1e3 down to 1e-7 (condition number 1e10).
n, p = 300, 6
u, _ = np.linalg.qr(rng.normal(size=(n, p)))
v, _ = np.linalg.qr(rng.normal(size=(p, p)))
s = np.logspace(3, -7, p)
x = (u * s) @ v.T + 2.0
assert np.linalg.cond(x - x.mean(axis=0)) > 1e9
coef = rng.normal(size=p)
save("ill_conditioned", x, x @ coef + 0.01 * rng.normal(size=n))
save("ill_conditioned_labels", x, ((x - x.mean(axis=0)) @ coef * 0.01 + rng.logistic(size=n) > 0).astype(float))

# Separable classes.
n = 200
x = rng.normal(size=(n, 3))
save("separable", x, (x[:, 0] + 0.5 * x[:, 1] > 0).astype(float))

# A real feature matrix: ORCL features (from the feature fixture) with next-bar targets.
features = pd.read_csv(sys.argv[1], index_col="timestamp")
prices = pd.read_csv(sys.argv[2], index_col="timestamp")
# (zscore_20 is left out: Bollinger %B is an exact affine function of it.)
columns = ["returns_1", "returns_5", "rsi_14", "atr_14", "macd_12_26_9_histogram",
           "bollinger_percent_b_20", "efficiency_ratio_10", "choppiness_14", "realized_volatility_20", "volume_zscore_20"]
close = prices["close"].astype(float)
next_return = close.shift(-1) / close - 1
frame = features[columns].copy()
frame["next_return"] = next_return.values
frame = frame.dropna()
x = frame[columns].to_numpy()
save("orcl", x, frame["next_return"].to_numpy())
save("orcl_labels", x, (frame["next_return"].to_numpy() > 0).astype(float))

# Exactly collinear columns (x2 = x0 + x1): with λ = 0 the normal equations are singular and
# Kairos falls back to the minimum-norm least-squares solution; the reference is numpy's lstsq
# on the centred data (scikit-learn's cholesky solver gives an arbitrary answer there).
n = 150
x = rng.normal(size=(n, 3))
x[:, 2] = x[:, 0] + x[:, 1]
y = x[:, 0] - 2 * x[:, 1] + 0.1 * rng.normal(size=n)
save("collinear", x, y)
collinear_x, collinear_y = x, y
minimum_norm = np.linalg.lstsq(x - x.mean(axis=0), y - y.mean(), rcond=None)[0]

cases = [
    ("ridge", "random", [0.0, 0.1, 10.0]), ("ridge", "weighted", [1.0]), ("ridge", "ill_conditioned", [1.0, 100.0]),
    ("ridge", "orcl", [0.0, 1.0, 1000.0]),
    ("logistic", "random_labels", [0.1, 1.0]), ("logistic", "weighted_labels", [1.0]),
    ("logistic", "ill_conditioned_labels", [1.0]), ("logistic", "separable", [0.1, 1.0]),
    ("logistic", "orcl_labels", [1.0, 10.0]),
]
expected = []
for kind, name, penalties in cases:
    x, y, w = datasets[name]
    for l2 in penalties:
        if kind == "ridge":
            model = Ridge(alpha=l2, solver="cholesky", fit_intercept=True).fit(x, y, sample_weight=w)
            objective = None
        else:
            model = LogisticRegression(C=1.0 / l2, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(x, y, sample_weight=w)
            z = x @ model.coef_[0] + model.intercept_[0]
            loss = np.logaddexp(0, z) - y * z
            objective = float(np.sum(loss * (w if w is not None else 1.0)) + l2 / 2 * np.sum(model.coef_[0] ** 2))
        expected.append({
            "kind": kind, "dataset": name, "l2": l2, "weighted": w is not None,
            "intercept": float(np.ravel(model.intercept_)[0]),
            "coefficients": [float(c) for c in np.ravel(model.coef_)],
            "objective": objective,
        })
expected.append({
    "kind": "ridge", "dataset": "collinear", "l2": 0.0, "weighted": False, "reference": "numpy.linalg.lstsq (minimum norm)",
    "intercept": float(collinear_y.mean() - collinear_x.mean(axis=0) @ minimum_norm),
    "coefficients": [float(c) for c in minimum_norm], "objective": None,
})
json.dump({"sklearn": sklearn.__version__, "numpy": np.__version__, "cases": expected}, open("expected.json", "w"), indent=1)
print(f"wrote {len(datasets)} datasets and {len(expected)} cases")
