"""``python -m bench pipeline --scale 1``: run a benchmark and print its Markdown table."""

from __future__ import annotations

import argparse
import sys

from bench import pipeline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("name", choices=["pipeline"])
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be greater than 0")
    report = pipeline.run(args.scale)
    print(pipeline.markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
