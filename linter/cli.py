"""The command line: `iaclint check|baseline|policies|explain`, options, configuration,
output and exit codes.

This is the only module that reads the environment, the terminal and argv. Exit codes are
defined once, here: 0 clean, 1 fail findings (unknown ones too, and suppression problems,
under --strict), 2 an input error or a usage error (2 wins over 1). Whatever goes wrong
ends in one line on standard error, `iaclint: error: ...` or, for a defect of iaclint's
own, `iaclint: internal error: ...`, never in a traceback. Start-up stays light: parsers,
reporters and the configuration reader are imported only once a command needs them.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NoReturn, Sequence

from linter import __version__

if TYPE_CHECKING:
    from linter.baseline import Baseline
    from linter.config import Output, Settings
    from linter.engine import ScanOptions
    from linter.model import ScanResult
    from policies.base import Policy

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2, no usage dump
        raise UsageError(message)


class _AppendInput(argparse.Action):
    """--var and --var-file share one list, in command-line order: later ones win, as in
    Terraform."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, value: Any,
                 option_string: str | None = None) -> None:
        setattr(namespace, self.dest, [*(getattr(namespace, self.dest) or []), (self.const, value)])


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="iaclint", description="Static policy linter for infrastructure as code.")
    parser.add_argument("--version", action="version", version=f"iaclint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    check = commands.add_parser("check", help="scan files and directories")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    _add_output_options(check)
    _add_input_options(check)
    _add_policy_options(check)
    check.add_argument("--baseline", metavar="FILE", help="findings recorded in FILE do not fail")
    check.add_argument("--show-config", action="store_true", help="print the merged configuration and stop")
    baseline = commands.add_parser("baseline", help="record the current findings in a baseline file")
    baseline.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    baseline.add_argument("--output", metavar="FILE", required=True, help="the baseline file to write")
    _add_input_options(baseline)
    _add_policy_options(baseline)
    commands.add_parser("policies", help="list the policies")
    explain = commands.add_parser("explain", help="print a policy's documentation")
    explain.add_argument("policy", metavar="POLICY")
    return parser


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("output")
    group.add_argument("--format", action="append", type=_format_option, metavar="FORMAT[=FILE]",
                       help="text, json, sarif, junit, github or gitlab, to FILE or standard output (repeatable)")
    group.add_argument("--output", metavar="FILE", help="write the report given without =FILE to FILE")
    group.add_argument("--quiet", action="store_true",
                       help="only fail and unknown findings and errors: no suppressed findings, no warnings")
    group.add_argument("--no-color", action="store_true", help="never colour the text output")


def _add_input_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("inputs")
    group.add_argument("--config", metavar="FILE", help="read FILE instead of the nearest .iaclint.toml or pyproject.toml")
    group.add_argument("--exclude", action="append", metavar="GLOB", help="skip matching paths (repeatable)")
    group.add_argument("--var", action=_AppendInput, const="var", dest="var_inputs", metavar="NAME=VALUE",
                       type=_var_option("--var"), help="a Terraform root variable, as terraform plan -var")
    group.add_argument("--var-file", action=_AppendInput, const="var-file", dest="var_inputs", metavar="FILE",
                       help="a Terraform variables file, as terraform plan -var-file")
    group.add_argument("--param", action="append", metavar="NAME=VALUE", dest="params",
                       type=_var_option("--param"), help="a CloudFormation parameter (pseudo parameters too)")
    group.add_argument("--param-file", action="append", metavar="FILE", dest="param_files",
                       help="CloudFormation parameters from a JSON or YAML file (AWS CLI or CodePipeline form)")
    group.add_argument("--no-cache", action="store_true",
                       help="do not keep parsed files between runs (in $IACLINT_CACHE_DIR, else $XDG_CACHE_HOME/iaclint)")


def _add_policy_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("policies")
    group.add_argument("--select", action="append", metavar="CODE", help="check only these policies (repeatable, or CODE,CODE)")
    group.add_argument("--ignore", action="append", metavar="CODE", help="do not check these policies (repeatable)")
    group.add_argument("--strict", action=argparse.BooleanOptionalAction, default=None,
                       help="unknown findings and suppression problems fail the check")


def _var_option(flag: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        name, sep, _ = text.partition("=")
        if not sep or not name.strip():
            raise argparse.ArgumentTypeError(f"{flag} takes NAME=VALUE, got {text!r}")
        return text

    return parse


def _format_option(text: str) -> str:
    from linter.config import ConfigError, parse_output

    try:
        parse_output(text)
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _run(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # --version and --help, once printed
        code = 0 if exc.code is None else exc.code if isinstance(exc.code, int) else EXIT_ERROR
    return _flushed(code)


def _run(argv: list[str]) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "policies":
            return _list_policies()
        if args.command == "explain":
            return _explain(args.policy)
        if args.command == "check":
            return _check(args)
        if args.command == "baseline":
            return _baseline(args)
        build_parser().print_help()
        return EXIT_ERROR
    except UsageError as exc:
        print(f"iaclint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - a defect is reported in one line, never as a traceback
        detail = " ".join(str(exc).split())
        print(f"iaclint: internal error: {type(exc).__name__}: {detail} (please report this)", file=sys.stderr)
        return EXIT_ERROR


def _flushed(code: int) -> int:
    """Write what is still buffered now, so that a failure (a full disk, a closed pipe) is
    one line here rather than a traceback from the interpreter at exit."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        _drop_standard_output()
        print(f"iaclint: error: cannot write to standard output: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    return code


def _list_policies() -> int:
    from policies import POLICIES

    lines = [f"{p.meta.code}  {p.meta.slug:<24} {p.meta.severity.value:<8} {p.meta.title}\n" for p in POLICIES]
    _to_standard_output("".join(lines), "the policy list")
    return EXIT_CLEAN


def _explain(code: str) -> int:
    from policies import by_code

    policy = by_code(code)
    if policy is None:
        raise UsageError(f"unknown policy {code!r}; `iaclint policies` lists them")
    head = f"{policy.meta.code} {policy.meta.slug} ({policy.meta.severity.value})"
    _to_standard_output(f"{head}\n\n{policy.doc.strip()}\n", "the documentation")
    return EXIT_CLEAN


# --- check ---------------------------------------------------------------------------------


def _check(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.show_config:
        from linter.config import render_toml

        _write(render_toml(settings, [p.meta.code for p in _policies(settings)]), None)
        return EXIT_CLEAN
    from linter.engine import scan

    outputs = _outputs(settings.format, args.output)
    result = scan(_scan_options(args, settings, baseline=args.baseline))
    for output in outputs:
        _write(_render(result, output, args), output.path)
    if any(output.format == "github" for output in outputs):
        _append_step_summary(result)
    return exit_code(result)


def exit_code(result: ScanResult) -> int:
    """2 for an input error; 1 for a failing finding, or (under --strict, where they are
    errors) an unknown finding, a suppression problem or a module source that could not be
    followed (its resources are unknown); else 0."""
    from linter.model import Status

    if any(error.kind != "suppression" for error in result.errors):
        return EXIT_ERROR
    failing = {Status.FAIL, Status.UNKNOWN} if result.strict else {Status.FAIL}
    if result.errors or any(f.status in failing for f in result.findings):
        return EXIT_FINDINGS
    if result.strict and any(w.kind == "unresolved-module" for w in result.warnings):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _settings(args: argparse.Namespace) -> Settings:
    """The configuration file's settings under the command line's."""
    from linter import config

    cwd = Path.cwd()
    if args.config is not None:
        _require_file("--config", args.config)
    path = Path(args.config).resolve() if args.config is not None else config.find_config(cwd)
    try:
        layer = config.load(path, cwd) if path is not None else {}
        source = None if path is None else config.relative_path(path, cwd) + (" [tool.iaclint]" if path.name == "pyproject.toml" else "")
        return config.merge(layer, _command_line_layer(args), source)
    except config.ConfigError as exc:
        raise UsageError(str(exc)) from None


def _require_file(option: str, path: str) -> None:
    try:
        is_file = stat.S_ISREG(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        is_file = False
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot read: {exc.strerror or exc}") from None
    if not is_file:
        raise UsageError(f"{option} {path}: no such file")


def _command_line_layer(args: argparse.Namespace) -> dict[str, Any]:
    """The settings given on the command line, and only those."""
    from linter.config import ConfigError, policy_codes

    layer: dict[str, Any] = {}
    for option in ("select", "ignore"):
        if getattr(args, option):
            try:
                layer[option] = policy_codes(getattr(args, option))
            except ConfigError as exc:
                raise UsageError(f"--{option}: {exc}") from None
    for kind, value in args.var_inputs or ():
        if kind == "var-file":
            _require_file("--var-file", value)
    given = {
        "exclude": tuple(args.exclude or ()),
        "var_inputs": tuple(args.var_inputs or ()),
        "params": dict(p.split("=", 1) for p in args.params or ()),
        "param_files": tuple(args.param_files or ()),
        "format": tuple(getattr(args, "format", None) or ()),
    }
    layer.update({key: value for key, value in given.items() if value})
    if args.strict is not None:
        layer["strict"] = args.strict
    return layer


def _policies(settings: Settings) -> tuple[Policy, ...]:
    from policies import POLICIES

    return tuple(p for p in POLICIES if (not settings.select or p.meta.code in settings.select)
                 and p.meta.code not in settings.ignore)


def _scan_options(args: argparse.Namespace, settings: Settings, baseline: str | None = None) -> ScanOptions:
    from linter.discovery import is_missing
    from linter.engine import ScanOptions
    from linter.terraform.modules import VarInput

    missing = [p for p in args.paths if is_missing(p)]
    if missing:
        raise UsageError(f"no such file or directory: {missing[0]}")
    return ScanOptions(
        targets=tuple(args.paths),
        excludes=settings.exclude,
        var_inputs=tuple(VarInput(kind, value) for kind, value in settings.var_inputs),
        params=_params(settings),
        param_files=settings.param_files,
        strict=settings.strict,
        env={k: v for k, v in os.environ.items() if k.startswith("TF_VAR_")},
        cwd=Path.cwd(),
        cache_dir=None if args.no_cache else _cache_dir(),
        policies=_policies(settings),
        exceptions=settings.exceptions,
        baseline=_load_baseline(baseline) if baseline is not None else None,
    )


def _params(settings: Settings) -> dict[str, str]:
    """CloudFormation parameters: the files' in order, then those given by name."""
    params: dict[str, str] = {}
    if settings.param_files:
        from linter.cloudformation.parameters import ParamFileError, load_param_file

        try:
            for path in settings.param_files:
                params.update(load_param_file(Path(path)))
        except ParamFileError as exc:
            raise UsageError(str(exc)) from None
    return {**params, **settings.params}


def _load_baseline(path: str) -> Baseline:
    from linter.baseline import BaselineError, load

    try:
        return load(Path(path), Path.cwd(), path)
    except BaselineError as exc:
        raise UsageError(str(exc)) from None


def _outputs(specs: Sequence[str], output: str | None) -> list[Output]:
    """The reports to write: each `FORMAT[=FILE]`; --output names the file of the one
    given without `=FILE`. At most one report goes to standard output."""
    from linter.config import Output, parse_output

    outputs = [parse_output(spec) for spec in specs]
    bare = [o.format for o in outputs if o.path is None]
    if output is not None:
        if len(bare) != 1:
            raise UsageError("--output FILE needs exactly one --format given without =FILE")
        outputs = [Output(o.format, output) if o.path is None else o for o in outputs]
    elif len(bare) > 1:
        raise UsageError(f"only one report can go to standard output, not {', '.join(bare)}: give the others as --format FORMAT=FILE")
    paths = [os.path.realpath(o.path) for o in outputs if o.path is not None]
    if len(set(paths)) != len(paths):
        raise UsageError("two reports would be written to the same file")
    return outputs


def _render(result: ScanResult, output: Output, args: argparse.Namespace) -> str:
    from linter.reporters import RENDERERS

    color = output.path is None and _use_color(args, output.format)
    return RENDERERS[output.format](result, color=color, quiet=args.quiet, root_uri=Path.cwd().as_uri())


def _use_color(args: argparse.Namespace, format_name: str) -> bool:
    if args.no_color or "NO_COLOR" in os.environ or format_name != "text":
        return False
    return sys.stdout.isatty()


def _write(output: str, path: str | None) -> None:
    if path is None:
        _to_standard_output(output, "the report")
        return
    try:
        Path(path).write_text(output, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def _to_standard_output(text: str, what: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as exc:  # a full disk, a closed pipe
        _drop_standard_output()
        raise UsageError(f"cannot write {what}: {exc.strerror or exc}") from None


def _drop_standard_output() -> None:
    """Point standard output at the null device, so that what is still buffered does not
    fail again, with a traceback, when the interpreter flushes it at exit."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _append_step_summary(result: ScanResult) -> None:
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


# --- baseline ------------------------------------------------------------------------------


def _baseline(args: argparse.Namespace) -> int:
    """Write the failing and unknown findings to the baseline file; inputs that could not
    be read are reported (exit 2), since the baseline then misses their findings."""
    from linter.baseline import recorded, render
    from linter.engine import scan

    result = scan(_scan_options(args, _settings(args)))
    entries = recorded(result.findings)
    _write(render(entries, Path(args.output), Path.cwd()), args.output)
    problems = [e for e in result.errors if e.kind != "suppression"]
    for error in problems:
        print(f"{error.path}:{error.line}: error: {error.message}", file=sys.stderr)
    _to_standard_output(f"iaclint: recorded {len(entries)} finding{'s' if len(entries) != 1 else ''} in {args.output}\n",
                        "the summary")
    return EXIT_ERROR if problems else EXIT_CLEAN


def _cache_dir() -> Path | None:
    """$IACLINT_CACHE_DIR, else $XDG_CACHE_HOME/iaclint, else ~/.cache/iaclint."""
    if os.environ.get("IACLINT_CACHE_DIR"):
        return Path(os.environ["IACLINT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "iaclint" if base and base != "~/.cache" else None
