"""The GitLab code quality reporter: the golden file, and the fields GitLab requires."""

from __future__ import annotations

import json

from sample_results import assert_golden, sample_result

from linter.reporters import RENDERERS, gitlab


def test_golden() -> None:
    assert_golden("report.gitlab.json", gitlab.render(sample_result()))


def test_registered() -> None:
    assert RENDERERS["gitlab"] is gitlab.render


def test_issues_have_what_gitlab_requires() -> None:
    issues = json.loads(gitlab.render(sample_result()))
    for issue in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert isinstance(issue["location"]["path"], str) and issue["location"]["lines"]["begin"] >= 1
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    # Suppressed findings are left out; the unknown one is information unless --strict.
    assert [(i["location"]["path"], i["location"]["lines"]["begin"], i["severity"]) for i in issues] == [
        ("terraform/modules/key/main.tf", 3, "critical"),
        ("terraform/main.tf", 13, "critical"),
        ("cloudformation/keys.yaml", 11, "info"),
        ("cdk.out/Crypto.template.json", 8, "critical"),
    ]
    strict = json.loads(gitlab.render(sample_result(strict=True)))
    assert [i["severity"] for i in strict] == ["critical"] * 4
