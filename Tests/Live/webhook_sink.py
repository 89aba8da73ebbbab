#!/usr/bin/env python3
"""A local webhook receiver for the alert tests: answers POSTs by a plan of faults and records
each payload it accepted (one JSON line per 2xx answer) — so a test can check that every alert
arrived exactly once, in order, after retries.

    webhook_sink.py --port-file F --log L [--plan 429,500,slow,ok] [--every N] [--exit-after S]

The plan's faults answer the first requests in turn, then one fault every N requests (cycling):
429 (with Retry-After: 1), 500, slow (1.5 s, then 200). Listens on 127.0.0.1 only; stops by
itself after --exit-after seconds (default 300). Standard library only.
"""
import argparse
import http.server
import json
import os
import sys
import threading
import time

args = argparse.ArgumentParser()
args.add_argument("--port-file", required=True)
args.add_argument("--log", required=True)
args.add_argument("--plan", default="429,500,slow")
args.add_argument("--every", type=int, default=5)
args.add_argument("--exit-after", type=float, default=300)
options = args.parse_args()
plan = [p for p in options.plan.split(",") if p]
lock = threading.Lock()
count = [0]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            n = count[0]
            count[0] += 1
        fault = plan[n] if n < len(plan) else (plan[(n // options.every) % len(plan)] if n % options.every == 0 and plan else "ok")
        if fault == "429":
            self.send_response(429)
            self.send_header("Retry-After", "1")
            self.end_headers()
            return
        if fault == "500":
            self.send_response(500)
            self.end_headers()
            return
        if fault == "slow":
            time.sleep(1.5)
        with lock:
            with open(options.log, "a") as f:
                f.write(json.dumps({"received": time.time(), "payload": json.loads(body)}) + "\n")
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
tmp = options.port_file + ".tmp"
with open(tmp, "w") as f:
    f.write(f"{server.server_address[1]}\n")
os.rename(tmp, options.port_file)
threading.Timer(options.exit_after, lambda: os._exit(0)).start()
server.serve_forever()
