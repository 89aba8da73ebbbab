"""numpy and scikit-learn peers of the Kairos model benchmarks, on the same design file.

    python models_peer.py ridge DIR               numpy: X.T @ X, centred algebraically, np.linalg.solve
    python models_peer.py logistic DIR            scikit-learn LogisticRegression(C=1): lbfgs (default)
                                                  and newton-cholesky (tol=1e-10), two JSON lines
    python models_peer.py ridge_batch_256 DIR     256 × Ridge(alpha=1, solver="cholesky") in a loop

The design (written by `KairosBenchmarks make_design DIR`) is raw float64: X column-major
(1,000,000 × 32), then y, then the 0/1 labels.
"""
import json
import os
import sys
import warnings

import numpy as np

from bench_common import emit, measure

ROWS, COLUMNS = 1_000_000, 32


def load(directory):
    values = np.fromfile(os.path.join(directory, "design_1m_32.f64"), dtype="<f8")
    n, p = ROWS, COLUMNS
    x = values[: n * p].reshape(p, n).T  # column-major, as Kairos stores it
    return x, values[n * p: n * p + n], values[n * p + n:]




def objective(x, y, coef, intercept, l2):
    z = x @ coef + intercept
    return float(np.sum(np.logaddexp(0, z) - y * z) + l2 / 2 * coef @ coef)


def main():
    case, directory = sys.argv[1], sys.argv[2]
    repeats = int(os.environ.get("KAIROS_BENCH_REPEATS", "5"))
    x, y, labels = load(directory)
    if case == "ridge":
        def fit():
            n = x.shape[0]
            gram = x.T @ x
            sums = x.sum(axis=0)
            mean, y_mean = sums / n, y.mean()
            gram -= n * np.outer(mean, mean)
            rhs = x.T @ y - n * mean * y_mean
            coef = np.linalg.solve(gram + np.eye(COLUMNS), rhs)
            return coef, y_mean - mean @ coef
        median, best, (coef, intercept) = measure(repeats, fit)
        emit(case=case, impl="numpy", rows=ROWS, seconds=median, min_seconds=best, throughput=ROWS / median,
             checksum=float(intercept + coef.sum()))
    elif case == "logistic":
        from sklearn.linear_model import LogisticRegression
        for solver, tol, label in [("lbfgs", 1e-4, "sklearn-lbfgs"), ("newton-cholesky", 1e-10, "sklearn-newton-cholesky")]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                median, best, model = measure(repeats, lambda: LogisticRegression(C=1.0, solver=solver, tol=tol, max_iter=1000).fit(x, labels))
            emit(case=case, impl=label, rows=ROWS, seconds=median, min_seconds=best, throughput=ROWS / median,
                 iterations=int(model.n_iter_[0]), objective=objective(x, labels, model.coef_[0], model.intercept_[0], 1.0),
                 checksum=float(model.intercept_[0] + model.coef_[0].sum()))
    elif case == "ridge_batch_256":
        from sklearn.linear_model import Ridge
        slices = [(np.ascontiguousarray(x[k * 3900: k * 3900 + 5000]), y[k * 3900: k * 3900 + 5000]) for k in range(256)]

        def run():
            total = 0.0
            for xs, ys in slices:
                model = Ridge(alpha=1.0, solver="cholesky").fit(xs, ys)
                total += model.intercept_ + model.coef_.sum()
            return total
        median, best, total = measure(repeats, run)
        emit(case=case, impl="sklearn", fits=256, seconds=median, min_seconds=best, throughput=256 / median, checksum=float(total))
    else:
        sys.exit(f"unknown case {case}")


if __name__ == "__main__":
    main()
