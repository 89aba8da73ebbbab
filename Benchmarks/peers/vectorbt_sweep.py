"""vectorbt's full pipeline on the SMA-cross grid (the slow, memory-hungry peer).

    python vectorbt_sweep.py sweep_sma DIR [ASSETS]     fast 5–100 × slow 10–300 step 5, fast < slow

MAs for every column, crossovers, `Portfolio.from_signals` at the next open with fee 0.001, and
the metrics Kairos reports (total return, Sharpe, max drawdown, trades). Runs ASSETS of the 10
daily files (default 1: the full pipeline materializes time × combination matrices, about 7 GB
for one asset here; it is reported per bar·combination so the numbers compare).
"""
import json
import os
import resource
import sys
import time

import numpy as np
import pandas as pd
import vectorbt as vbt


def main():
    case, directory = sys.argv[1], sys.argv[2]
    assets = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    pairs = [(f, s) for f in range(5, 101) for s in range(10, 301, 5) if f < s]
    fast_windows = [p[0] for p in pairs]
    slow_windows = [p[1] for p in pairs]
    vbt.settings.returns["year_freq"] = "252 days"
    start = time.perf_counter()
    bars = 0
    checksum = 0.0
    for k in range(1, assets + 1):
        frame = pd.read_csv(os.path.join(directory, f"SYN{k:02d}.csv"), parse_dates=["timestamp"], index_col="timestamp")
        close, open_ = frame["close"], frame["open"]
        fast = vbt.MA.run(close, fast_windows, short_name="fast")
        slow = vbt.MA.run(close, slow_windows, short_name="slow")
        state = fast.ma.values > slow.ma.values
        held = np.vstack([np.zeros((1, state.shape[1]), dtype=bool), state[:-1]])
        previous = np.vstack([np.zeros((1, state.shape[1]), dtype=bool), held[:-1]])
        entries = pd.DataFrame(held & ~previous, index=close.index)
        exits = pd.DataFrame(~held & previous, index=close.index)
        portfolio = vbt.Portfolio.from_signals(close, entries, exits, price=open_, size=np.inf, fees=0.001, init_cash=100_000, freq="1D")
        total_return = portfolio.total_return().to_numpy()
        sharpe = portfolio.sharpe_ratio().to_numpy()
        drawdown = portfolio.max_drawdown().to_numpy()
        trades = portfolio.trades.closed.count().to_numpy()
        checksum += float(np.nansum(total_return) + np.nansum(trades))
        bars += len(close)
    seconds = time.perf_counter() - start
    print(json.dumps({"case": case, "impl": f"vectorbt ({assets} of 10 assets)", "combinations": len(pairs), "assets": assets,
                      "seconds": seconds, "min_seconds": seconds, "throughput": bars * len(pairs) / seconds,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, "checksum": checksum,
                      "note": "throughput only; rows compare per bar·combination"}))


if __name__ == "__main__":
    main()
