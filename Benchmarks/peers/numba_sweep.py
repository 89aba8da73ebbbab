"""A hand-written numba kernel of the same fused loop as Kairos' sweep (the fast peer).

    NUMBA_NUM_THREADS=2 python numba_sweep.py sweep_sma DIR        10 daily files DIR/SYN01..SYN10.csv
    NUMBA_NUM_THREADS=2 python numba_sweep.py sweep_sma_minutes FILE

Per (asset, fast, slow): SMAs from double-double prefix sums (the same arithmetic as Kairos'
MovingAverageBank, so crossovers agree bit for bit), long while fast > slow, all-in, fills at
the next open, fee 0.001; equity marked at the close; and the same 17 metrics as Kairos, with
compensated sums, the drawdown, trade statistics and the 5 % VaR/CVaR by partition. Combinations
run in parallel (prange). The checksum (Σ total_return + Σ trades over all rows) must equal
Kairos'.
"""
import json
import math
import os
import resource
import statistics
import sys
import time

import numba as nb
import numpy as np
import pandas as pd


@nb.njit(cache=True)
def prefix(close):
    n = close.shape[0]
    hi = np.zeros(n + 1)
    lo = np.zeros(n + 1)
    h = 0.0
    l = 0.0
    for i in range(n):
        v = close[i]
        s = h + v
        bp = s - h
        e = (h - (s - bp)) + (v - bp)
        h = s
        l += e
        hi[i + 1] = h
        lo[i + 1] = l
    return hi, lo


@nb.njit(cache=True)
def sma_table(close, windows):
    hi, lo = prefix(close)
    n = close.shape[0]
    table = np.full((windows.shape[0], n), np.nan)
    for k in range(windows.shape[0]):
        w = windows[k]
        for t in range(w - 1, n):
            table[k, t] = ((hi[t + 1] - hi[t + 1 - w]) + (lo[t + 1] - lo[t + 1 - w])) / w
    return table


@nb.njit(inline="always")
def kahan(total, compensation, value):
    t = total + value
    if abs(total) >= abs(value):
        compensation += (total - t) + value
    else:
        compensation += (value - t) + total
    return t, compensation


@nb.njit(cache=True)
def simulate(o, c, fast, slow, fee, capital, returns):
    """One combination: returns (total_return, sharpe, max_drawdown, var, cvar, trades, exposure, turnover, ...)."""
    n = c.shape[0]
    cash = capital
    units = 0.0
    previous = capital
    last_close = np.nan
    pending = 0
    has_pending = False
    entry_value = 0.0
    entry_fee = 0.0
    growth = 1.0
    s1 = 0.0; c1 = 0.0; s2 = 0.0; c2 = 0.0; sd = 0.0; cd = 0.0; se = 0.0; ce = 0.0
    peak = capital
    max_dd = 0.0
    threshold = capital * (1 + 1e-12)
    exposed = 0
    traded = 0.0
    trades = 0; wins = 0; losses = 0
    profit = 0.0; loss = 0.0; ret_sum = 0.0; win_sum = 0.0; loss_sum = 0.0
    for t in range(n):
        p = o[t]
        if has_pending and not math.isnan(p):
            if units != 0.0:
                value = units * p
                order_fee = fee * value
                cash += value - order_fee
                pnl = (value - order_fee) - (entry_value + entry_fee)
                traded += value
                r_trade = pnl / (entry_value + entry_fee)
                trades += 1
                ret_sum += r_trade
                if pnl > 0:
                    wins += 1; profit += pnl; win_sum += r_trade
                elif pnl < 0:
                    losses += 1; loss += pnl; loss_sum += r_trade
                units = 0.0
            if pending != 0:
                q = (cash - 0.0) / (p * (1 + fee))
                q = cash / (p * (1 + fee))
                if q > 0:
                    value = q * p
                    order_fee = fee * value
                    cash -= value + order_fee
                    units = q
                    entry_value = value
                    entry_fee = order_fee
                    traded += value
            has_pending = False
        cl = c[t]
        if not math.isnan(cl):
            last_close = cl
        equity = cash if units == 0.0 else cash + units * last_close
        r = 0.0 if equity == previous else equity / previous - 1
        returns[t] = r
        growth *= 1 + r
        s1, c1 = kahan(s1, c1, r)
        s2, c2 = kahan(s2, c2, r * r)
        if r < 0:
            sd, cd = kahan(sd, cd, r * r)
        if equity > peak:
            peak = equity
            threshold = peak * (1 + max_dd) * (1 + 1e-12)
        elif equity <= threshold:
            dd = equity / peak - 1
            if dd < max_dd:
                max_dd = dd
            threshold = peak * (1 + max_dd) * (1 + 1e-12)
        se, ce = kahan(se, ce, equity)
        if units != 0.0:
            exposed += 1
        previous = equity
        f = fast[t]; s = slow[t]
        target = 1 if f > s else 0
        current = 1 if units > 0 else 0
        if target != current:
            pending = target
            has_pending = True
        else:
            has_pending = False
    count = float(n)
    mean = (s1 + c1) / count
    variance = ((s2 + c2) - count * mean * mean) / (count - 1)
    std = math.sqrt(max(variance, 0.0))
    position = (n - 1) * 0.05
    low = int(math.floor(position))
    part = np.partition(returns, low + 1 if low + 1 < n else low)
    var = part[low] + (part[min(low + 1, n - 1)] - part[low]) * (position - low)
    cvar = part[:low + 1].mean()
    sharpe = mean / std * math.sqrt(252.0) if std > 0 else np.nan
    downside = (sd + cd) / count
    sortino = mean * 252.0 / (math.sqrt(downside) * math.sqrt(252.0)) if downside > 0 else np.nan
    cagr = growth ** (252.0 / count) - 1
    mean_equity = (se + ce) / count
    return np.array([growth - 1, cagr, std * math.sqrt(252.0), sharpe, sortino, max_dd,
                     cagr / -max_dd if max_dd < 0 else np.nan, var, cvar,
                     wins / trades if trades > 0 else np.nan,
                     profit / -loss if loss < 0 else (np.inf if profit > 0 else np.nan),
                     win_sum / wins if wins > 0 else np.nan, loss_sum / losses if losses > 0 else np.nan,
                     ret_sum / trades if trades > 0 else np.nan, float(trades), exposed / count,
                     traded / mean_equity / (count / 252.0)])


@nb.njit(parallel=True, cache=True)
def sweep(o, c, table, window_index, fast_windows, slow_windows, fee, capital):
    combinations = fast_windows.shape[0]
    out = np.empty((combinations, 17))
    for k in nb.prange(combinations):
        returns = np.empty(c.shape[0])
        out[k] = simulate(o, c, table[window_index[fast_windows[k]]], table[window_index[slow_windows[k]]], fee, capital, returns)
    return out


def main():
    case, path = sys.argv[1], sys.argv[2]
    repeats = int(os.environ.get("KAIROS_BENCH_REPEATS", "5"))
    if case == "sweep_sma_minutes":
        files = [path]
        pairs = [(f, s) for f in range(5, 51, 5) for s in range(60, 151, 10) if f < s]
    else:
        files = [os.path.join(path, f"SYN{k:02d}.csv") for k in range(1, 11)]
        step = 1 if case == "sweep_sma_full" else 5
        pairs = [(f, s) for f in range(5, 101) for s in range(10, 301, step) if f < s]
    frames = [pd.read_csv(f) for f in files]
    fast = np.array([p[0] for p in pairs], dtype=np.int64)
    slow = np.array([p[1] for p in pairs], dtype=np.int64)
    windows = np.unique(np.concatenate([fast, slow]))
    window_index = np.full(windows.max() + 1, -1, dtype=np.int64)
    window_index[windows] = np.arange(windows.shape[0])
    data = [(f["open"].to_numpy(float), f["close"].to_numpy(float)) for f in frames]
    sweep(data[0][0][:400], data[0][1][:400], sma_table(data[0][1][:400], windows), window_index, fast[:2], slow[:2], 0.001, 100000.0)  # compile

    def run():
        results = []
        for o, c in data:
            table = sma_table(c, windows)  # shared precomputation, timed like Kairos'
            results.append(sweep(o, c, table, window_index, fast, slow, 0.001, 100000.0))
        return results
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        results = run()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    bars = sum(c.shape[0] for _, c in data)
    checksum = math.fsum(float(r[:, 0].sum() + r[:, 14].sum()) for r in results)
    checksum = math.fsum([x for r in results for x in list(r[:, 0]) + list(r[:, 14])])
    print(json.dumps({"case": case, "impl": f"numba-{nb.get_num_threads()}t", "combinations": len(pairs), "assets": len(files),
                      "seconds": median, "min_seconds": min(times), "throughput": bars * len(pairs) / median,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, "checksum": checksum}))


if __name__ == "__main__":
    main()
