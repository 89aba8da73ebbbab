#!/usr/bin/env bash
# Regenerates the README's screenshots (docs/screenshots/*.png) with headless Chromium:
#   dashboard.png  the dashboard of a paper session replaying the bundled AAPL series (live)
#   report.png     kairos report of a backtest of the same series (the tear sheet)
# Usage: docs/screenshots/make_screenshots.sh [KAIROS_BINARY]   (default .build/release/kairos)
set -euo pipefail
cd "$(dirname "$0")/../.."
kairos=$(realpath "${1:-.build/release/kairos}")
out=docs/screenshots
work=$(mktemp -d)
session_pid=""
cleanup() { [ -n "$session_pid" ] && kill "$session_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
# The bundled AAPL series adjusted for its splits and dividends (as kairos demo does).
samples=Sources/KairosIO/SampleData
data=$work/aapl.csv
"$kairos" data adjust "$samples/aapl_daily_unadjusted.csv" --actions "$samples/aapl_corporate_actions.csv" --out "$data" > /dev/null
params=(--strategy sma-cross --param fast=10 --param slow=50 --param stop_atr=3 --param max_dd=0.3 --param dd_resume_bars=20 --fee 0.0005)
chrome=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run)

# The dashboard: 2,500 bars at once, then 40 bars a second; shot while it runs.
"$kairos" paper --feed replay --data "$data" "${params[@]}" --warmup 2500 --speed 3456000 --state "$work/paper" \
  --dashboard 127.0.0.1:0 2> "$work/paper.log" > /dev/null &
session_pid=$!
for _ in $(seq 200); do grep -q "dashboard: http" "$work/paper.log" && break; sleep 0.1; done
url=$(grep -o "http://127.0.0.1:[0-9]*/?token=[0-9a-f]*" "$work/paper.log")
sleep 4
"${chrome[@]}" --window-size=1200,2600 --virtual-time-budget=1500 --screenshot="$work/dashboard.png" "$url" 2> /dev/null
kill "$session_pid" 2> /dev/null || true
session_pid=""

# The report of a backtest of the same series.
"$kairos" backtest --data "$data" "${params[@]}" --out "$work/bt" > /dev/null
"$kairos" report --run "$work/bt" --out "$work/bt/report" > /dev/null
"${chrome[@]}" --window-size=1200,3400 --screenshot="$work/report.png" "file://$work/bt/report/report.html" 2> /dev/null
cp "$work/dashboard.png" "$work/report.png" "$out/"
echo "wrote $out/dashboard.png $out/report.png"
