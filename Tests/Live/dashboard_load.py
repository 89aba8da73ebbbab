#!/usr/bin/env python3
"""Load on a Kairos dashboard (loopback): N clients on the server-sent events and R API
requests a second, for D seconds. Prints one JSON object: per SSE client the events received,
the API requests sent, answered 200 and not, and the API latency median and p99 in ms.

    dashboard_load.py PORT TOKEN [--sse 50] [--rps 200] [--seconds 10]

Standard library only (asyncio, raw HTTP/1.1); stops by itself after --seconds.
"""
import argparse
import asyncio
import json
import time

ENDPOINTS = ["/api/status", "/api/positions", "/api/orders", "/api/fills", "/api/equity", "/api/alerts", "/api/feeds", "/api/model"]


async def sse_client(port, token, stop, counts, k):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n".encode())
        await writer.drain()
        while time.monotonic() < stop:
            try:
                line = await asyncio.wait_for(reader.readline(), timeout=max(0.05, stop - time.monotonic()))
            except asyncio.TimeoutError:
                break
            if not line:
                break
            if line.startswith(b"event: bar"):
                counts[k] += 1
        writer.close()
    except OSError:
        counts[k] = -1


async def api_request(port, token, path, results):
    started = time.monotonic()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), timeout=10)
        writer.close()
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1") else 0
    except (OSError, asyncio.TimeoutError, ValueError):
        status = 0
    results.append((status, time.monotonic() - started))


async def main():
    args = argparse.ArgumentParser()
    args.add_argument("port", type=int)
    args.add_argument("token")
    args.add_argument("--sse", type=int, default=50)
    args.add_argument("--rps", type=float, default=200)
    args.add_argument("--seconds", type=float, default=10)
    o = args.parse_args()
    stop = time.monotonic() + o.seconds
    counts = [0] * o.sse
    clients = [asyncio.create_task(sse_client(o.port, o.token, stop, counts, k)) for k in range(o.sse)]
    results, pending, n = [], [], 0
    start = time.monotonic()
    while time.monotonic() < stop:
        due = start + n / o.rps
        if due > time.monotonic():
            await asyncio.sleep(due - time.monotonic())
        pending.append(asyncio.create_task(api_request(o.port, o.token, ENDPOINTS[n % len(ENDPOINTS)], results)))
        n += 1
    await asyncio.gather(*pending, *clients)
    latencies = sorted(r[1] for r in results)
    pick = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 2) if latencies else None
    print(json.dumps({"sse_events": counts, "api_sent": n, "api_ok": sum(1 for r in results if r[0] == 200),
                      "api_failed": sum(1 for r in results if r[0] != 200), "api_ms_median": pick(0.5), "api_ms_p99": pick(0.99),
                      "seconds": o.seconds, "rps": o.rps}))


asyncio.run(main())
