"""Time `linter.parsers.hcl.parse` over every .tf/.tofu/.tfvars file under a directory.

Usage: python benchmarks/parse_hcl.py DIR [--lark]

Prints the number of files, their total size in bytes and the seconds spent parsing (file
reading excluded), then one line per file that failed to parse. `--lark` times
python-hcl2's lark parser (`hcl2.api.parses_to_tree`) on the same files for comparison.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable

SUFFIXES = (".tf", ".tofu", ".tfvars")


def collect(root: Path) -> list[tuple[Path, str]]:
    files = sorted(p for p in root.rglob("*") if p.suffix in SUFFIXES and p.is_file())
    return [(p, p.read_text(encoding="utf-8-sig", errors="replace")) for p in files]


def ours() -> Callable[[str], object]:
    from linter.parsers.hcl import parse

    return parse


def lark() -> Callable[[str], object]:
    import hcl2.api

    hcl2.api.parses_to_tree("a = 1\n")  # build the grammar outside the timing
    return hcl2.api.parses_to_tree


def main(argv: list[str]) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("directory", type=Path)
    options.add_argument("--lark", action="store_true", help="time python-hcl2 instead")
    args = options.parse_args(argv)
    sources = collect(args.directory)
    parse = lark() if args.lark else ours()
    failures: list[str] = []
    started = time.perf_counter()
    for path, text in sources:
        try:
            parse(text)
        except Exception as error:  # report every failure, whatever the parser raises
            failures.append(f"{path}: {error}".splitlines()[0])
    seconds = time.perf_counter() - started
    size = sum(len(text.encode()) for _, text in sources)
    print(f"files={len(sources)} bytes={size} seconds={seconds:.2f} failures={len(failures)}")
    print("\n".join(failures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
