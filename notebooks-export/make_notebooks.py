"""Writes the notebooks of notebooks/ (outputs stripped). Edit the cells here, then run
`python3 make_notebooks.py`: the .ipynb files are generated so they stay small and reviewable."""
import json
import os

SETUP = """import json, os, pathlib
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

# The run folder: $KAIROS_RUN, else the newest one under notebooks-export/runs.
runs = pathlib.Path(os.environ.get("KAIROS_RUNS", "../runs"))
run = pathlib.Path(os.environ["KAIROS_RUN"]) if "KAIROS_RUN" in os.environ else sorted(p for p in runs.iterdir() if p.is_dir() and not p.name.startswith("."))[-1]
manifest = json.loads((run / "manifest.json").read_text())
print(run.name, manifest["kairos_version"], manifest["created_at"])
def read(name):
    return pd.read_csv(run / name, parse_dates=["timestamp"], index_col="timestamp")"""

NOTEBOOKS = {
    "sweep_heatmap": ("SMA-cross sweep: Sharpe by fast and slow window", [
        """results = pd.read_csv(run / "results.csv")
grid = results.pivot_table(index="fast", columns="slow", values="sharpe")
fig, ax = plt.subplots(figsize=(10, 4))
image = ax.imshow(grid.values, aspect="auto", origin="lower", cmap="viridis")
ax.set_xticks(range(len(grid.columns)), grid.columns, rotation=90)
ax.set_yticks(range(len(grid.index)), grid.index)
ax.set_xlabel("slow"); ax.set_ylabel("fast"); fig.colorbar(image, label="Sharpe")
fig.savefig(run / "sweep_heatmap.png", dpi=80)
assert grid.notna().values.any()
results.sort_values("sharpe", ascending=False).head(10)""",
    ]),
    "equity_drawdown": ("Model backtest: equity and drawdown", [
        """equity = read("equity.csv")["equity"]
drawdown = equity / equity.cummax() - 1
fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
equity.plot(ax=top, title="equity"); drawdown.plot(ax=bottom, title="drawdown", color="firebrick")
fig.savefig(run / "equity_drawdown.png", dpi=80)
json.loads((run / "metrics.json").read_text())""",
    ]),
    "walkforward_folds": ("Walk-forward: folds and the stitched out-of-sample equity", [
        """folds = pd.read_csv(run / "walkforward" / "folds.csv")
stitched = pd.read_csv(run / "walkforward" / "equity.csv", parse_dates=["timestamp"], index_col="timestamp")
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
folds.plot.bar(x="fold", y=["validation_sharpe", "test_sharpe"], ax=left, title="Sharpe by fold")
stitched["equity"].plot(ax=right, title="stitched out-of-sample equity")
fig.savefig(run / "walkforward.png", dpi=80)
folds[["fold", "test_from", "test_to", "l2", "threshold", "smoothing", "validation_sharpe", "test_sharpe"]]""",
    ]),
    "model_coefficients": ("The logistic model's coefficients", [
        """model = json.loads((run / "model.json").read_text())
coefficients = pd.Series(model["coefficients"], index=model["features"]).sort_values()
ax = coefficients.plot.barh(figsize=(8, 4), title=f"{model['kind']} λ={model['l2']} (standardized: {model['standardization'] is not None})")
ax.figure.savefig(run / "model_coefficients.png", dpi=80)
coefficients""",
    ]),
    "daily_report": ("Daily report of the model backtest", [
        """daily = pd.read_csv(run / "model_backtest" / "report" / "daily.csv", parse_dates=["timestamp"], index_col="timestamp")
monthly = (1 + daily["return"]).resample("ME").prod() - 1
table = monthly.groupby([monthly.index.year, monthly.index.month]).first().unstack()
fig, ax = plt.subplots(figsize=(10, 3))
image = ax.imshow(table.values, aspect="auto", cmap="RdYlGn", vmin=-0.1, vmax=0.1)
ax.set_yticks(range(len(table.index)), table.index); ax.set_xticks(range(12), list("JFMAMJJASOND"))
fig.colorbar(image, label="monthly return"); fig.savefig(run / "monthly_returns.png", dpi=80)
daily.describe()""",
    ]),
}

os.makedirs("notebooks", exist_ok=True)
for name, (title, cells) in NOTEBOOKS.items():
    notebook = {
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": f"# {title}\n\nReads a run folder written by `kairos demo` (see `../README.md`)."},
                  {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": SETUP}]
                 + [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": c} for c in cells],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    for k, cell in enumerate(notebook["cells"]):
        cell["id"] = f"{name}-{k}"
    with open(f"notebooks/{name}.ipynb", "w") as f:
        json.dump(notebook, f, indent=1)
        f.write("\n")
print(f"wrote {len(NOTEBOOKS)} notebooks")
