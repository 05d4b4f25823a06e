"""Fallback load generator when ``wrk`` is not installed: asyncio, keep-alive, own process.

    python -m bench.loadgen PORT CONNECTIONS SECONDS PATHS_FILE [TOKEN]

Prints the same JSON line as bench/wrk.lua. Slower than wrk (it shares the 2 cores in
Python), so its req/s are a lower bound.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time


async def _client(
    port: int, paths: list[str], token: str, until: float, lat: list[float], bad: list[int]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    while time.perf_counter() < until:
        path = random.choice(paths)
        started = time.perf_counter()
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        if length:
            await reader.readexactly(length)
        lat.append(time.perf_counter() - started)
        if status >= 400:
            bad[0] += 1
    writer.close()


async def _main(port: int, connections: int, seconds: float, paths: list[str], token: str) -> None:
    lat: list[float] = []
    bad = [0]
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(
        *(_client(port, paths, token, until, lat, bad) for _ in range(connections))
    )
    duration = time.perf_counter() - started
    lat.sort()

    def pct(p: float) -> int:
        return int(lat[min(len(lat) - 1, int(p / 100 * len(lat)))] * 1e6) if lat else 0

    print(
        json.dumps(
            {
                "requests": len(lat),
                "duration_us": int(duration * 1e6),
                "p50_us": pct(50),
                "p90_us": pct(90),
                "p99_us": pct(99),
                "max_us": pct(100),
                "mean_us": sum(lat) / len(lat) * 1e6 if lat else 0,
                "non_2xx_3xx": bad[0],
                "socket_errors": 0,
            }
        )
    )


if __name__ == "__main__":
    port, conns, secs, file = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    token = sys.argv[5] if len(sys.argv) > 5 else ""
    with open(file) as handle:
        lines = [line.strip() for line in handle if line.strip()]
    asyncio.run(_main(port, conns, secs, lines, token))
