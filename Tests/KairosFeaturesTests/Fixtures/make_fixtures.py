"""Makes the feature fixtures of KairosFeaturesTests from ../shared/data/orcl_daily.csv.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy pandas TA-Lib
    /tmp/venv/bin/python make_fixtures.py /path/to/shared/data/orcl_daily.csv

Writes orcl_features.csv: one column per feature of orcl_spec.yaml, computed independently of
Kairos with pandas (rolling windows, ewm) and TA-Lib (RSI, ATR, TRANGE), numbers in repr form
(shortest round trip). Versions used are recorded in README.md.
"""
import sys

import numpy as np
import pandas as pd
import talib

path = sys.argv[1]
df = pd.read_csv(path, parse_dates=["timestamp"], index_col="timestamp")
o, h, l, c, v = (df[k].astype(float) for k in ["open", "high", "low", "close", "volume"])
out = pd.DataFrame(index=df.index)

out["returns_1"] = c.pct_change(1, fill_method=None)
out["returns_5"] = c.pct_change(5, fill_method=None)
out["log_returns_1"] = np.log(c / c.shift(1))
out["sma_20"] = c.rolling(20).mean()
out["sma_200"] = c.rolling(200).mean()
out["ema_12"] = c.ewm(span=12, adjust=False).mean()
out["rolling_sum_10"] = c.rolling(10).sum()
out["rolling_std_20"] = c.rolling(20).std()
out["zscore_20"] = (c - c.rolling(20).mean()) / c.rolling(20).std()
out["rolling_min_20"] = c.rolling(20).min()
out["rolling_max_20"] = c.rolling(20).max()
out["rank_20"] = c.rolling(20).rank(method="average", pct=True)
out["rsi_14"] = talib.RSI(c.to_numpy(), timeperiod=14)
out["atr_14"] = talib.ATR(h.to_numpy(), l.to_numpy(), c.to_numpy(), timeperiod=14)
out["true_range"] = talib.TRANGE(h.to_numpy(), l.to_numpy(), c.to_numpy())
macd = c.ewm(span=12, adjust=False).mean() - c.ewm(span=26, adjust=False).mean()
signal = macd.ewm(span=9, adjust=False).mean()
out["macd_12_26_9"] = macd
out["macd_12_26_9_signal"] = signal
out["macd_12_26_9_histogram"] = macd - signal
mid = c.rolling(20).mean()
sd = c.rolling(20).std(ddof=0)
upper, lower = mid + 2 * sd, mid - 2 * sd
# Cross-check the Bollinger bands against TA-Lib BBANDS (population deviation, SMA middle).
tu, tm, tl = talib.BBANDS(c.to_numpy(), timeperiod=20, nbdevup=2, nbdevdn=2, matype=0)
ok = ~np.isnan(tu)
assert np.allclose(tu[ok], upper.to_numpy()[ok], rtol=1e-9) and np.allclose(tl[ok], lower.to_numpy()[ok], rtol=1e-9)
out["bollinger_percent_b_20"] = (c - lower) / (upper - lower)
out["bollinger_bandwidth_20"] = (upper - lower) / mid
out["donchian_upper_20"] = h.rolling(20).max()
out["donchian_lower_20"] = l.rolling(20).min()
out["donchian_middle_20"] = (h.rolling(20).max() + l.rolling(20).min()) / 2
path_length = c.diff().abs().rolling(10).sum()
out["efficiency_ratio_10"] = (c - c.shift(10)).abs() / path_length
tr = pd.Series(talib.TRANGE(h.to_numpy(), l.to_numpy(), c.to_numpy()), index=df.index)
out["choppiness_14"] = 100 * np.log10(tr.rolling(14).sum() / (h.rolling(14).max() - l.rolling(14).min())) / np.log10(14)
out["realized_volatility_20"] = np.log(c).diff().rolling(20).std() * np.sqrt(252)
out["volume_zscore_20"] = (v - v.rolling(20).mean()) / v.rolling(20).std()
out["close_lag_1"] = c.shift(1)
out["close_diff_1"] = c.diff(1)

out.index = out.index.strftime("%Y-%m-%d")
out.index.name = "timestamp"
out.to_csv("orcl_features.csv", float_format=None, na_rep="NaN", lineterminator="\n")
print(f"wrote orcl_features.csv: {len(out)} rows, {len(out.columns)} features")
