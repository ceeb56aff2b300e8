"""The GitHub Actions reporter: workflow commands (golden, escaping) and the step summary."""

from __future__ import annotations

import pytest
from sample_results import assert_golden, clean_result, sample_result

from linter.model import Diagnostic, Finding, Location, Resource, ScanResult, Severity, SourceFormat, Status
from linter.reporters import RENDERERS, github


def test_golden() -> None:
    assert_golden("report.github.txt", github.render(sample_result()))


def test_step_summary_golden() -> None:
    assert_golden("step_summary.md", github.step_summary(sample_result()))


def test_registered() -> None:
    assert RENDERERS["github"] is github.render


def test_one_command_per_finding_and_diagnostic() -> None:
    lines = github.render(sample_result()).splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == [
        "::error", "::error", "::notice", "::warning", "::notice", "::error", "::error", "::warning", "iaclint:",
    ]
    assert lines[0].startswith(
        "::error file=terraform/modules/key/main.tf,line=3,endLine=5,title=KMS001::"
        "module.keys.aws_kms_key.this is a multi-Region key (multi_region = true)%0A"
    )
    assert lines[6] == (
        "::error file=terraform/broken.tf,line=3,col=5,title=iaclint error::"
        "unexpected '}', expected: an argument%0Aname = value"
    )


def test_strict_makes_unknown_an_error() -> None:
    lines = github.render(sample_result(strict=True)).splitlines()
    assert lines[3].startswith("::error file=cloudformation/keys.yaml,line=11,endLine=12,title=KMS001 (unknown)::")


@pytest.mark.parametrize(("text", "expected"), [
    ("plain", "plain"),
    ("100% sure", "100%25 sure"),
    ("a\nb\r\nc", "a%0Ab%0D%0Ac"),
    ("%0A literal", "%250A literal"),
    ("a: b, c::d", "a: b, c::d"),
])
def test_escape_data(text: str, expected: str) -> None:
    assert github.escape_data(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("dir/main.tf", "dir/main.tf"),
    ("a,b:c.tf", "a%2Cb%3Ac.tf"),
    ("50%\nx", "50%25%0Ax"),
    ("::error::", "%3A%3Aerror%3A%3A"),
])
def test_escape_property(text: str, expected: str) -> None:
    assert github.escape_property(text) == expected


def test_hostile_paths_and_messages_cannot_break_out_of_the_command() -> None:
    resource = Resource("aws_kms_key.k", "aws_kms_key", SourceFormat.TERRAFORM, Location("we,ird:dir/main.tf", 2, 1, 4, 2))
    message = "bad\n::error file=x::injected 100%"
    finding = Finding("KMS001", "kms-multi-region-key", Severity.HIGH, Status.FAIL, message, resource, None, ())
    [command, _] = github.render(ScanResult((finding,), (), (), (), 1, 1, "0.1.0")).splitlines()
    assert command == "::error file=we%2Cird%3Adir/main.tf,line=2,endLine=4,title=KMS001::bad%0A::error file=x::injected 100%25"


def test_diagnostics_without_a_file_or_line() -> None:
    errors = (Diagnostic("<command line>", 0, "--var-file x.tfvars: no such file"), Diagnostic("big.tf", 0, "too large"))
    lines = github.render(ScanResult((), (), errors, (), 0, 0, "0.1.0")).splitlines()
    assert lines[:2] == [
        "::error title=iaclint error::<command line>: --var-file x.tfvars: no such file",
        "::error file=big.tf,title=iaclint error::too large",
    ]


def test_clean_run_prints_only_the_totals() -> None:
    assert github.render(clean_result()) == (
        "iaclint: 2 files, 2 resources checked: 0 failed, 0 unknown, 0 suppressed, 0 errors, 0 warnings\n"
    )
    assert github.step_summary(clean_result()) == (
        "## iaclint\n\nNo findings.\n\n"
        "**0 failed**, 0 unknown, 0 suppressed, 0 errors, 0 warnings; 2 files, 2 resources checked.\n"
    )


@pytest.mark.parametrize(("text", "expected"), [
    ("a | b", "a \\| b"),
    ("<script>", "\\<script\\>"),
    ("*x* _y_ [l](u) &amp;", "\\*x\\* \\_y\\_ \\[l\\](u) \\&amp;"),
    ("one\ntwo", "one<br>two"),
])
def test_markdown_text_is_escaped(text: str, expected: str) -> None:
    assert github.md_text(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("aws_kms_key.k", "`aws_kms_key.k`"),
    ("a|b", "`a\\|b`"),
    ("x`y", "``x`y``"),
    ("`edge", "`` `edge ``"),
])
def test_markdown_code_spans(text: str, expected: str) -> None:
    assert github.md_code(text) == expected
