"""`kpi serve`'s app freezes its startup heap (a full GC pass otherwise paused every
request for ~100 ms under load; BENCHMARKS.md, issue 17). Run in a child process: a
frozen heap is never collected, which a test process creating many apps must not get."""

from __future__ import annotations

import os
import subprocess
import sys

CHILD = """
import gc
from api.server import freeze_startup_heap, served_app
from kpi.settings import Settings

app = served_app(Settings.from_env(), "postgresql:///unused", dev_login=False)
assert freeze_startup_heap in app.on_startup, app.on_startup
assert app.on_startup[-1] is freeze_startup_heap, "freeze after the other startup hooks"
before = gc.get_freeze_count()
freeze_startup_heap()
print(before, gc.get_freeze_count())
"""


def test_served_app_freezes_the_heap_it_started_with() -> None:
    env = {"PATH": os.environ["PATH"], "KPI_JWT_SECRET": "heap-test-secret"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    before, after = map(int, done.stdout.split())
    assert before == 0
    assert after > 10_000  # the modules, routes and OpenAPI models of the app
