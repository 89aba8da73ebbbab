"""Makes nyse_calendar.json: the weekdays the NYSE (XNYS) is closed and its early closes,
1990-2035, from exchange_calendars, as the independent reference for Kairos's NYSEHolidays.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install exchange_calendars
    /tmp/venv/bin/python make_calendar_fixtures.py
"""
import json

import exchange_calendars as xcals
import pandas as pd

cal = xcals.get_calendar("XNYS", start="1990-01-01", end="2035-12-31")
sessions = set(cal.sessions.strftime("%Y-%m-%d"))
weekdays = pd.bdate_range("1990-01-01", "2035-12-31").strftime("%Y-%m-%d")
closed = [d for d in weekdays if d not in sessions]
early = [d.strftime("%Y-%m-%d") for d in cal.early_closes]
# The DST switches of America/New_York, 1990-2035 (UTC instants), for NewYorkTime.
tz = pd.Timestamp("2000-01-01", tz="America/New_York").tz
switches = []
for year in range(1990, 2036):
    idx = pd.date_range(f"{year}-01-01", f"{year + 1}-01-01", freq="h", tz="UTC")
    offsets = idx.tz_convert("America/New_York").map(lambda t: t.utcoffset().total_seconds() / 3600)
    for a, b, t in zip(offsets[:-1], offsets[1:], idx[1:]):
        if a != b:
            switches.append(t.strftime("%Y-%m-%dT%H:%M:%SZ"))
json.dump({"exchange_calendars": xcals.__version__, "from": "1990-01-01", "to": "2035-12-31",
           "closed_weekdays": closed, "early_closes": early, "dst_switches_utc": switches},
          open("nyse_calendar.json", "w"), indent=0)
print(len(closed), "closed weekdays,", len(early), "early closes,", len(switches), "DST switches")
