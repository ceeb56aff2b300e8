"""The command line: `iaclint check|policies|explain`, options, output and exit codes.

This is the only module that reads the environment, the terminal and argv. Exit codes are
defined once, here: 0 clean, 1 fail findings, 2 an input error or a usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from linter import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "sarif", "junit", "github")


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, no usage dump
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="iaclint", description="Static policy linter for infrastructure as code.")
    parser.add_argument("--version", action="version", version=f"iaclint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    check = commands.add_parser("check", help="scan files and directories")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    _add_output_options(check)
    _add_input_options(check)
    commands.add_parser("policies", help="list the policies")
    explain = commands.add_parser("explain", help="print a policy's documentation")
    explain.add_argument("policy", metavar="POLICY")
    return parser


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("output")
    group.add_argument("--format", choices=FORMATS, default="text")
    group.add_argument("--output", metavar="FILE", help="write the report to FILE instead of standard output")
    group.add_argument("--quiet", action="store_true", help="only fail findings and errors")
    group.add_argument("--no-color", action="store_true", help="never colour the text output")


def _add_input_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("inputs")
    group.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="skip matching paths (repeatable)")
    group.add_argument("--var", action="append", default=[], metavar="NAME=VALUE", dest="vars",
                       type=_var_option("--var"), help="a Terraform root variable, as terraform plan -var")
    group.add_argument("--var-file", action="append", default=[], metavar="FILE", dest="var_files",
                       help="a Terraform variables file, as terraform plan -var-file")
    group.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", dest="params",
                       type=_var_option("--param"), help="a CloudFormation parameter (pseudo parameters too)")
    group.add_argument("--strict", action="store_true", help="unknown findings count as failures")


def _var_option(flag: str):  # type: ignore[no-untyped-def]
    def parse(text: str) -> str:
        name, sep, _ = text.partition("=")
        if not sep or not name.strip():
            raise argparse.ArgumentTypeError(f"{flag} takes NAME=VALUE, got {text!r}")
        return text

    return parse


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
        if args.command == "policies":
            return _list_policies()
        if args.command == "explain":
            return _explain(args.policy)
        if args.command == "check":
            return _check(args, argv)
        build_parser().print_help()
        return EXIT_ERROR
    except UsageError as exc:
        print(f"iaclint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


def _list_policies() -> int:
    from policies import POLICIES

    for policy in POLICIES:
        meta = policy.meta
        print(f"{meta.code}  {meta.slug:<24} {meta.severity.value:<8} {meta.title}")
    return EXIT_CLEAN


def _explain(code: str) -> int:
    from policies import by_code

    policy = by_code(code)
    if policy is None:
        raise UsageError(f"unknown policy {code!r}; `iaclint policies` lists them")
    print(f"{policy.meta.code} {policy.meta.slug} ({policy.meta.severity.value})\n")
    print(policy.doc.strip())
    return EXIT_CLEAN


def _check(args: argparse.Namespace, argv: list[str]) -> int:
    from linter.engine import ScanOptions, scan
    from linter.model import Status
    from linter.reporters import RENDERERS
    from linter.terraform.modules import VarInput

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"no such file or directory: {missing[0]}")
    for var_file in args.var_files:
        if not Path(var_file).is_file():
            raise UsageError(f"--var-file {var_file}: no such file")
    inputs = _ordered_var_inputs(argv, args)
    options = ScanOptions(
        targets=tuple(args.paths),
        excludes=tuple(args.exclude),
        var_inputs=tuple(VarInput(kind, value) for kind, value in inputs),
        params=dict(p.split("=", 1) for p in args.params),
        strict=args.strict,
        env={k: v for k, v in os.environ.items() if k.startswith("TF_VAR_")},
        cwd=Path.cwd(),
    )
    from linter.cloudformation.intrinsics import ParameterValueError

    try:
        result = scan(options)
    except ParameterValueError as exc:
        raise UsageError(str(exc)) from None
    color = _use_color(args)
    renderer = RENDERERS[args.format]
    output = renderer(result, color=color, quiet=args.quiet, root_uri=Path.cwd().as_uri())
    _write(output, args.output)
    if args.format == "github":
        _append_step_summary(result)
    if result.errors:
        return EXIT_ERROR
    failing = {Status.FAIL, Status.UNKNOWN} if args.strict else {Status.FAIL}
    return EXIT_FINDINGS if any(f.status in failing for f in result.findings) else EXIT_CLEAN


def _ordered_var_inputs(argv: Sequence[str], args: argparse.Namespace) -> list[tuple[str, str]]:
    """--var and --var-file in the order they were given: later ones win, as in Terraform."""
    vars_left, files_left = list(args.vars), list(args.var_files)
    ordered: list[tuple[str, str]] = []
    for token in argv:
        if token.startswith("--var-file") and files_left:
            ordered.append(("var-file", files_left.pop(0)))
        elif token.startswith("--var") and not token.startswith("--var-file") and vars_left:
            ordered.append(("var", vars_left.pop(0)))
    ordered += [("var-file", f) for f in files_left] + [("var", v) for v in vars_left]
    return ordered


def _use_color(args: argparse.Namespace) -> bool:
    if args.no_color or args.output or "NO_COLOR" in os.environ or args.format != "text":
        return False
    return sys.stdout.isatty()


def _write(output: str, path: str | None) -> None:
    if path is None:
        sys.stdout.write(output)
        return
    try:
        Path(path).write_text(output, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def _append_step_summary(result) -> None:  # type: ignore[no-untyped-def]
    """GitHub Actions shows the markdown appended to $GITHUB_STEP_SUMMARY on the run page."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    from linter.reporters.github import step_summary

    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(step_summary(result))
    except OSError as exc:
        print(f"iaclint: warning: cannot write the step summary to {path}: {exc.strerror or exc}", file=sys.stderr)
