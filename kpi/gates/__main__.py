"""``python -m kpi.gates``: see ``kpi.gates.cli``."""

from __future__ import annotations

import sys

from kpi.gates.cli import main

sys.exit(main(sys.argv[1:]))
