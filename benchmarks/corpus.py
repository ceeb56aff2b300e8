"""Print wall times: `iaclint --version`, a scan of ../shared/corpus, a one-file pre-commit
style run, and (with --hcl2) python-hcl2's raw parse time of the same .tf files.

    python benchmarks/corpus.py [CORPUS] [--hcl2] [--checkov PATH_TO_CHECKOV]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], cwd: Path = ROOT) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, done.returncode


def best_of(n: int, cmd: list[str]) -> float:
    return min(timed(cmd)[0] for _ in range(n))


def hcl2_parse_time(corpus: Path) -> tuple[int, float]:
    import hcl2.api  # type: ignore[import-not-found]

    files = sorted(corpus.rglob("*.tf"))
    hcl2.api.parses_to_tree("a = 1")
    start = time.perf_counter()
    for path in files:
        try:
            hcl2.api.parses_to_tree(path.read_text(encoding="utf-8-sig", errors="replace"))
        except Exception:  # noqa: BLE001 - only the time matters here
            pass
    return len(files), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--hcl2", action="store_true")
    parser.add_argument("--checkov", metavar="EXE")
    args = parser.parse_args()
    corpus = Path(args.corpus)
    iaclint = [sys.executable, "-m", "linter"]
    print(f"iaclint --version: {best_of(5, iaclint + ['--version']) * 1000:.0f} ms (best of 5)")
    seconds, code = timed(iaclint + ["check", "--format", "json", str(corpus)])
    print(f"iaclint check {corpus}: {seconds:.2f} s (exit {code})")
    one = corpus / "terraform" / "terraform-aws-modules__terraform-aws-vpc" / "main.tf"
    if one.exists():
        print(f"iaclint check <one file of a large module>: {best_of(3, iaclint + ['check', str(one)]) * 1000:.0f} ms")
    if args.hcl2:
        count, parse = hcl2_parse_time(corpus / "terraform")
        print(f"python-hcl2 parses_to_tree of {count} .tf files: {parse:.2f} s")
    if args.checkov:
        seconds, code = timed([args.checkov, "-d", str(corpus), "--quiet", "-o", "json",
                               "--framework", "terraform", "cloudformation", "terraform_plan", "--skip-download"])
        print(f"checkov -d {corpus}: {seconds:.2f} s (exit {code})")


if __name__ == "__main__":
    main()
