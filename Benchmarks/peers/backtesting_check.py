"""backtesting.py's README example against Kairos, and the same rule through vectorbt's
`crossed_above` / `crossed_below` signals (the issue's fidelity checks).

    python backtesting_check.py KAIROS_BINARY WORKDIR

1. backtesting.py: `SmaCross` (SMA 10 / 20 of the close, `crossover` → buy, the reverse →
   sell, `exclusive_orders=True`: each order closes the open position, so the strategy is long
   or short) on its bundled GOOG data, `commission=.002`, 10,000 of cash — exactly the README.
   Kairos: `--strategy sma-cross --param fast=10 --param slow=20 --shorts --lot-size 1
   --trigger cross --fee 0.002 --capital 10000` on the same bars.
2. vectorbt: long/flat, entries where SMA10 crosses above SMA20 (`ma_crossed_above`), exits
   where it crosses below, signals acted on at the next open (`price=open`, shifted one bar),
   whole shares (`size_granularity=1`), `fees=0.002`, all cash. Kairos: the same without
   `--shorts`.

Prints one JSON line per check (trade count, final equity, total return on both sides and
their relative differences) and exits 1 when a trade count differs or a final equity differs
by more than 1e-9 relative. (On 2026-11-30 both agreed to the last digit or two: 5e-16.)
"""
import json
import os
import warnings
import subprocess
import sys

import numpy as np
import pandas as pd
import vectorbt as vbt
from backtesting import Backtest, Strategy
from backtesting.lib import crossover
from backtesting.test import GOOG, SMA

kairos, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
csv = os.path.join(work, "goog.csv")
frame = GOOG.rename(columns=str.lower)[["open", "high", "low", "close", "volume"]]
frame.index.name = "timestamp"
frame.to_csv(csv, date_format="%Y-%m-%d")


class SmaCross(Strategy):
    n1, n2 = 10, 20

    def init(self):
        self.sma1 = self.I(SMA, self.data.Close, self.n1)
        self.sma2 = self.I(SMA, self.data.Close, self.n2)

    def next(self):
        if crossover(self.sma1, self.sma2):
            self.buy()
        elif crossover(self.sma2, self.sma1):
            self.sell()


def run_kairos(name, *flags):
    out = os.path.join(work, name)
    subprocess.run([kairos, "backtest", "--data", csv, "--strategy", "sma-cross", "--param", "fast=10", "--param", "slow=20",
                    "--lot-size", "1", "--trigger", "cross", "--fee", "0.002", "--capital", "10000", *flags, "--out", out],
                   check=True, stdout=subprocess.DEVNULL)
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    equity = pd.read_csv(os.path.join(out, "equity.csv"))["equity"]
    return {"trades": int(metrics["trades"]), "final_equity": float(equity.iloc[-1]), "total_return": float(metrics["total_return"])}


def report(case, peer, ours):
    difference = {k: (ours[k] - peer[k]) / abs(peer[k]) if peer[k] else float(ours[k] != peer[k]) for k in ("final_equity", "total_return")}
    ok = peer["trades"] == ours["trades"] and abs(difference["final_equity"]) <= 1e-9
    print(json.dumps({"case": case, "peer": peer, "kairos": ours, "relative_difference": difference, "agree": ok}))
    return ok


warnings.filterwarnings("ignore", message="Some trades remain open")  # backtesting.py does not count them either way; neither does Kairos
stats = Backtest(GOOG, SmaCross, commission=.002, exclusive_orders=True).run()
peer = {"trades": int(stats["# Trades"]), "final_equity": float(stats["Equity Final [$]"]), "total_return": float(stats["Return [%]"]) / 100}
ok = report("backtesting.py README SmaCross on GOOG", peer, run_kairos("goog_shorts", "--shorts"))

close, open_ = frame["close"], frame["open"]
fast, slow = vbt.MA.run(close, 10), vbt.MA.run(close, 20)
entries = fast.ma_crossed_above(slow).shift(1, fill_value=False)   # decided at t's close, filled at t+1's open
exits = fast.ma_crossed_below(slow).shift(1, fill_value=False)
portfolio = vbt.Portfolio.from_signals(close, entries, exits, price=open_, size=np.inf, size_granularity=1, fees=0.002,
                                       init_cash=10_000, freq="1D")
peer = {"trades": int(portfolio.trades.closed.count()), "final_equity": float(portfolio.value().iloc[-1]),
        "total_return": float(portfolio.total_return())}
ok = report("vectorbt from_signals crossed_above/below on GOOG", peer, run_kairos("goog_long")) and ok
sys.exit(0 if ok else 1)
