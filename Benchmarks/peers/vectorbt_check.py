"""Kairos against vectorbt on NVDA (the issue's comparability check).

    python vectorbt_check.py NVDA_CSV KAIROS_METRICS_JSON KAIROS_TRADES_CSV

Kairos ran `kairos backtest --data NVDA_CSV --strategy sma-cross --param fast=10 --param slow=50
--fee 0.001`: long while SMA10 > SMA50, decided at the close, filled at the next open, all-in,
fractional units. vectorbt is given the same: the state signal shifted one bar, entries and
exits where it changes, `price=open`, `size=inf` (all cash), `fees=0.001`, daily frequency with
252 periods a year. Prints one JSON line and exits 1 when total return, trade count or Sharpe
disagree (Sharpe to 1e-9 relative).
"""
import json
import sys

import numpy as np
import pandas as pd
import vectorbt as vbt

prices = pd.read_csv(sys.argv[1], parse_dates=["timestamp"], index_col="timestamp")
ours = json.load(open(sys.argv[2]))
our_trades = pd.read_csv(sys.argv[3])
close, open_ = prices["close"], prices["open"]
fast, slow = close.rolling(10).mean(), close.rolling(50).mean()
state = (fast > slow).astype(int)
held = state.shift(1).fillna(0).astype(int)  # decided at t's close, acted on at t+1
entries = (held == 1) & (held.shift(1, fill_value=0) == 0)
exits = (held == 0) & (held.shift(1, fill_value=0) == 1)
vbt.settings.returns["year_freq"] = "252 days"
portfolio = vbt.Portfolio.from_signals(close, entries, exits, price=open_, size=np.inf, fees=0.001,
                                       init_cash=100_000, freq="1D")
total_return = float(portfolio.total_return())
trades = int(portfolio.trades.closed.count())
sharpe = float(portfolio.returns().vbt.returns(freq="1D", year_freq="252 days").sharpe_ratio())
agree = {
    "total_return": abs(total_return - ours["total_return"]) <= 1e-9 * abs(total_return),
    "trades": trades == int(ours["trades"]),
    "sharpe": abs(sharpe - ours["sharpe"]) <= 1e-9 * abs(sharpe),
}
print(json.dumps({"case": "vectorbt_nvda", "vectorbt": {"total_return": total_return, "trades": trades, "sharpe": sharpe},
                  "kairos": {"total_return": ours["total_return"], "trades": ours["trades"], "sharpe": ours["sharpe"]},
                  "agree": agree}))
sys.exit(0 if all(agree.values()) else 1)
