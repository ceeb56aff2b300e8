"""Terraform plan JSON parser: decoding, plan detection, resources, values, locations."""

from __future__ import annotations

import codecs
import json
import random
from pathlib import Path

import pytest

from linter.model import Attribute, Diagnostic, Location, Resource, SourceFormat, Unknown
from linter.parsers import plan as plan_module
from linter.parsers.plan import PlanError, PlanResult, decode, looks_like_plan, parse_plan

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "plan"
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "plan"
REPLICA_TYPES = ("aws_kms_replica_key", "aws_kms_replica_external_key")


def load(relative: str) -> tuple[str, PlanResult]:
    text = decode((FIXTURES / relative).read_bytes())
    result = parse_plan(text, relative)
    assert result is not None
    return text, result


def verdict(resource: Resource) -> str:
    """KMS001's reading of a resource, enough to check the parser's output."""
    if resource.type in REPLICA_TYPES:
        return "fail"
    attribute = resource.attribute("multi_region")
    if attribute is None:
        return "pass"
    if isinstance(attribute.value, Unknown):
        return "unknown"
    return "fail" if attribute.value is True else "pass"


def by_address(result: PlanResult) -> dict[str, Resource]:
    return {r.address: r for r in result.resources}


def attribute(resource: Resource, name: str) -> Attribute:
    found = resource.attribute(name)
    assert found is not None, f"{resource.address} has no {name}"
    return found


def snippet(text: str, location: Location) -> str:
    """The text a one-line location spans."""
    assert location.line == location.end_line == 1
    return text[location.column - 1 : location.end_column - 1]


# ---------------------------------------------------------------------------- decoding

SAMPLE = '{"format_version": "1.2", "planned_values": {}, "é": "ü"}\n'


@pytest.mark.parametrize(
    "raw",
    [
        SAMPLE.encode("utf-8"),
        codecs.BOM_UTF8 + SAMPLE.encode("utf-8"),
        codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"),
        SAMPLE.encode("utf-16"),  # Python's own: BOM plus native order
        SAMPLE.encode("utf-16-le"),  # no BOM: told by the zero bytes
        SAMPLE.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + SAMPLE.encode("utf-32-le"),
        SAMPLE.encode("utf-32-be"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16", "utf16le", "utf16be", "utf32le-bom", "utf32be"],
)
def test_decode_encodings(raw: bytes) -> None:
    assert decode(raw) == SAMPLE


def test_decode_invalid_utf8_says_where() -> None:
    with pytest.raises(PlanError) as caught:
        decode(b'{\n  "a": "\xff"\n}')
    assert (caught.value.message, caught.value.line, caught.value.column) == ("not valid UTF-8 text: invalid start byte", 2, 9)


def test_decode_truncated_utf16() -> None:
    with pytest.raises(PlanError) as caught:
        decode(codecs.BOM_UTF16_LE + '{"a":\n1}'.encode("utf-16-le") + b"{")
    assert caught.value.message == "not valid UTF-16-LE text: truncated data"
    assert (caught.value.line, caught.value.column) == (2, 3)


def test_real_plan_read_as_utf16_gives_the_same_resources() -> None:
    text = (FIXTURES / "kms_computed.json").read_text(encoding="utf-8")
    for encoding in ("utf-16", "utf-16-be"):
        raw = (codecs.BOM_UTF16_BE if encoding == "utf-16-be" else b"") + text.encode(encoding)
        assert parse_plan(decode(raw), "k.json") == parse_plan(text, "k.json")


# ---------------------------------------------------------------------------- what is a plan


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"format_version": "1.2", "planned_values": {}}, True),
        ({"format_version": "0.1", "resource_changes": []}, True),
        ({"planned_values": {}, "configuration": {}}, False),  # no format_version
        ({"format_version": "1.0", "values": {}}, False),  # a state, not a plan
        ([{"format_version": "1.2", "planned_values": {}}], False),
        ("format_version", False),
    ],
)
def test_looks_like_plan(data: object, expected: bool) -> None:
    assert looks_like_plan(data) is expected


def test_json_that_is_not_a_plan_is_none() -> None:
    assert parse_plan('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}', "t.json") is None
    assert parse_plan("[1, 2]", "a.json") is None
    assert parse_plan('"text"', "s.json") is None


# ---------------------------------------------------------------------------- invalid JSON


def test_log_text_before_the_json_is_an_error_at_line_1() -> None:
    text = decode((FIXTURES / "cases" / "bl-58-plan-preamble.json").read_bytes())
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "plan.json")
    error = caught.value
    assert (error.message, error.line, error.column) == ("invalid JSON: Expecting value", 1, 2)
    assert str(error) == "invalid JSON: Expecting value (line 1, column 2)"
    assert error.diagnostic("plan.json") == Diagnostic("plan.json", 1, "invalid JSON: Expecting value", 2)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        '{"format_version": "1.2",\n "planned_values": {}\n',
        '{"format_version": "1.2"}\n{"again": 1}',
        '{"format_version": "1.2", "resource_changes": [{"address": "a",}]}',
        '{"format_version": "1.2", "resource_changes": [1 2]}',
        '{"format_version": "1.2", "resource_changes": [1,]}',
        '{"format_version" "1.2"}',
        '{"format_version": "1.2", "resource_changes": {"a": [}}',
        '{"format_version": "1.2",\n "configuration": {"root_module": {"module_calls": {"a": {"module": }}}}}',
        '{"format_version": "1.2", "x": "tab\there"}',
        "{'format_version': '1.2'}",
        '{"a": 1}}',
    ],
)
def test_invalid_json_reports_what_json_reports(text: str) -> None:
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "p.json")
    assert (caught.value.message, caught.value.line, caught.value.column) == (
        f"invalid JSON: {expected.value.msg}", expected.value.lineno, expected.value.colno)
    assert "\n" not in str(caught.value)


def test_nesting_too_deep_is_an_error() -> None:
    with pytest.raises(PlanError, match="nested too deeply"):
        parse_plan('{"format_version": "1.2", "resource_changes": ' + "[" * 100_000, "deep.json")


def test_damaged_plans_fail_as_json_fails() -> None:
    """Cut, doubled or dropped characters anywhere: the same error as `json.loads`."""
    text = (FIXTURES / "kms_computed.json").read_text(encoding="utf-8")
    rng = random.Random(7)
    for _ in range(300):
        at = rng.randrange(len(text))
        damaged = rng.choice([text[:at], text[:at] + text[at + 1 :], text[:at] + rng.choice('{}[],:"\\ 1') + text[at:]])
        try:
            expected: object = json.loads(damaged)
        except json.JSONDecodeError as error:
            expected = (f"invalid JSON: {error.msg}", error.lineno, error.colno)
        try:
            got: object = plan_module._load(damaged, plan_module._PLANNED_SPEC)[0]
        except PlanError as error:
            got = (error.message, error.line, error.column)
        assert got == expected, damaged[max(0, at - 20) : at + 20]


def test_walker_reads_the_same_values_as_json() -> None:
    for path in sorted(FIXTURES.rglob("*.json")):
        text = decode(path.read_bytes())
        if "preamble" in path.name:
            continue
        for spec in (plan_module._CHANGES_SPEC, plan_module._PLANNED_SPEC):
            assert plan_module._load(text, spec)[0] == json.loads(text), path


# ---------------------------------------------------------------------------- the shared cases

CASES = {
    "bl-26-plan-after-unknown.json": {"aws_kms_key.pending": ("unknown", 45, 65), "aws_kms_key.plain": ("pass", 74, 88)},
    "bl-28-plan-same-name-modules.json": {
        "aws_kms_key.main": ("fail", 75, 89),
        "module.app.aws_kms_key.main": ("pass", 104, 119),
        "module.audit.aws_kms_key.main": ("fail", 134, 149),
    },
    # aws_kms_key.old is deleted: not evaluated, so not a resource at all.
    "bl-29-plan-delete-noop.json": {"aws_kms_key.keep": ("fail", 33, 56)},
    "bl-31-plan-values-missing.json": {"aws_kms_key.orders": ("fail", 59, 73)},
    "bl-64-plan-null-values.json": {"aws_kms_key.a": ("pass", 45, None), "aws_kms_key.b": ("fail", 72, 84)},
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_verdicts_and_lines(name: str) -> None:
    _, result = load(f"cases/{name}")
    assert (result.errors, result.warnings) == ((), ())
    got = {}
    for resource in result.resources:
        assert resource.source_format is SourceFormat.TERRAFORM_PLAN
        assert resource.location.path == f"cases/{name}"
        found = resource.attribute("multi_region")
        got[resource.address] = (verdict(resource), resource.location.line, found and found.location.line)
    assert got == CASES[name]


def test_unknown_without_configuration_stays_unknown() -> None:
    _, result = load("cases/bl-26-plan-after-unknown.json")
    pending = by_address(result)["aws_kms_key.pending"]
    assert attribute(pending, "multi_region").value == Unknown(
        "known after apply", Location("cases/bl-26-plan-after-unknown.json", 65, 11, 65, 31))
    # computed-only attributes are unknown too when the plan has no configuration to say
    assert sorted(pending.attributes) == ["arn", "description", "enable_key_rotation", "id", "key_id",
                                          "multi_region", "tags_all"]


def test_null_values_are_not_set() -> None:
    _, result = load("cases/bl-64-plan-null-values.json")
    assert sorted(by_address(result)["aws_kms_key.a"].attributes) == ["arn", "description", "id"]


def test_resource_location_spans_the_entry() -> None:
    _, result = load("cases/bl-28-plan-same-name-modules.json")
    audit = by_address(result)["module.audit.aws_kms_key.main"]
    assert audit.location == Location("cases/bl-28-plan-same-name-modules.json", 134, 7, 162, 6)
    # without a configuration section the call's source is not known, nor where it is
    assert [(step.note, step.location.line) for step in audit.context] == [("module.audit", 134)]


# ---------------------------------------------------------------------------- configuration


def test_unconfigured_computed_attribute_takes_the_provider_default() -> None:
    _, result = load("kms_computed.json")
    resources = by_address(result)
    assert list(resources) == [
        "aws_kms_key.pass_default",
        "aws_kms_key.fail_literal",
        "module.dr[0].aws_kms_key.this",
        "module.app.aws_kms_key.this",
        "module.dr[0].aws_kms_replica_key.this",
    ]
    assert {address: verdict(r) for address, r in resources.items()} == {
        "aws_kms_key.pass_default": "pass",
        "aws_kms_key.fail_literal": "fail",
        "module.dr[0].aws_kms_key.this": "unknown",
        "module.app.aws_kms_key.this": "pass",
        "module.dr[0].aws_kms_replica_key.this": "fail",
    }
    # arn, id, key_id, tags_all, policy and multi_region are unknown but not written: gone
    assert sorted(resources["aws_kms_key.pass_default"].attributes) == ["description", "enable_key_rotation"]
    assert sorted(resources["module.app.aws_kms_key.this"].attributes) == ["description", "enable_key_rotation"]
    assert (result.errors, result.warnings) == ((), ())


def test_configured_unknown_says_how_and_follows_module_inputs() -> None:
    _, result = load("kms_computed.json")
    key = by_address(result)["module.dr[0].aws_kms_key.this"]
    multi_region = attribute(key, "multi_region")
    assert multi_region.value == Unknown(
        "known after apply (configured from var.replicate)",
        Location("kms_computed.json", 92, 11, 92, 31),
    )
    assert multi_region.location == Location("kms_computed.json", 92, 11, 92, 31)
    assert [(step.location.line, step.note) for step in multi_region.trail] == [
        (92, "multi_region is unknown (known after apply) in the plan"),
        (268, "multi_region configured from var.replicate"),
        (243, "module.dr input replicate configured from data.aws_ssm_parameter.dr.value"),
    ]
    assert [(step.location.line, step.note) for step in key.context] == [(240, "module.dr[0] (source ./modules/dr)")]
    assert key.location == Location("kms_computed.json", 71, 7, 100, 6)


def test_configured_literal_is_in_the_trail() -> None:
    _, result = load("kms_computed.json")
    multi_region = attribute(by_address(result)["aws_kms_key.fail_literal"], "multi_region")
    assert multi_region.value is True
    assert [(step.location.line, step.note) for step in multi_region.trail] == [
        (54, "multi_region = true in the plan"),
        (209, "multi_region configured as true"),
    ]


def test_replica_key_reference_is_unknown() -> None:
    _, result = load("kms_computed.json")
    replica = by_address(result)["module.dr[0].aws_kms_replica_key.this"]
    assert replica.type == "aws_kms_replica_key"
    assert attribute(replica, "primary_key_arn").value == Unknown(
        "known after apply (configured from aws_kms_key.this.arn)",
        Location("kms_computed.json", 153, 11, 153, 34),
    )


NESTED = """{"format_version": "1.2", "resource_changes": [{"address": "aws_security_group.s",
  "mode": "managed", "type": "aws_security_group", "name": "s", "change": {"actions": ["update"],
  "after": {"ingress": [{"from_port": 443, "cidr_blocks": null}], "tags": {"a": "b"}},
  "after_unknown": {"ingress": [{"cidr_blocks": true, "rule_id": true}], "tags": {"c": true},
                    "egress": [{"cidr_blocks": true}]}}}],
  "configuration": {"root_module": {"resources": [{"address": "aws_security_group.s", "mode": "managed",
    "type": "aws_security_group", "name": "s", "expressions": {
      "ingress": [{"from_port": {"constant_value": 443}, "cidr_blocks": {"references": ["var.cidrs"]}}],
      "tags": {"references": ["local.tags"]}}}]}}}"""


def test_nested_unknowns_follow_the_configuration() -> None:
    result = parse_plan(NESTED, "n.json")
    assert result is not None
    attributes = result.resources[0].attributes
    location = Location("n.json", 3, 13, 3, 65)
    assert attributes["ingress"].value == [
        # rule_id is unknown but not written in the block: the provider's default
        {"from_port": 443, "cidr_blocks": Unknown("known after apply (configured from var.cidrs)", location)},
    ]
    assert attributes["tags"].value == {
        "a": "b", "c": Unknown("known after apply (configured from local.tags)", Location("n.json", 3, 67, 3, 85)),
    }
    # a block that is not written at all may come from a `dynamic` block: kept unknown
    assert attributes["egress"].value == [
        {"cidr_blocks": Unknown("known after apply", Location("n.json", 5, 21, 5, 54))},
    ]


def test_planned_values_fallback() -> None:
    _, result = load("kms_planned_only.json")
    resources = by_address(result)
    # the data source is skipped; an entry without values is a resource without attributes
    assert list(resources) == [
        "aws_kms_key.fail_literal",
        "aws_kms_key.no_values",
        'module.outer.module.inner["x"].aws_kms_key.unknown_ref',
    ]
    assert resources["aws_kms_key.no_values"].attributes == {}
    assert attribute(resources["aws_kms_key.fail_literal"], "multi_region").location.line == 28
    inner = resources['module.outer.module.inner["x"].aws_kms_key.unknown_ref']
    # planned_values leaves unknowns out: a written argument that is missing is unknown,
    # and one written as a literal null (policy) is not set
    assert sorted(inner.attributes) == ["description", "multi_region"]
    assert attribute(inner, "multi_region").value == Unknown(
        "known after apply (configured from local.replicate)",
        Location("kms_planned_only.json", 53, 19, 66, 18),
    )
    assert [step.note for step in inner.context] == ["module.outer (source ./outer)", 'module.inner["x"] (source ./inner)']


# ---------------------------------------------------------------------------- a real plan


def test_real_plan_evaluates_what_exists_after_apply() -> None:
    _, result = load("real/plan.json")
    # not: terraform_data.old (delete), terraform_data.forgotten (forget)
    assert [r.address for r in result.resources] == [
        "terraform_data.changed",  # update
        "terraform_data.fresh",  # create
        "terraform_data.keep",  # no-op
        "terraform_data.pending",  # create
        "terraform_data.replaced",  # delete, create
        "terraform_data.swapped",  # create, delete
        'module.outer["a.b"].module.inner[0].terraform_data.k["x"]',
    ]
    assert (result.errors, result.warnings) == ((), ())


def test_real_plan_values() -> None:
    _, result = load("real/plan.json")
    values = {r.address: {n: a.value for n, a in r.attributes.items()} for r in result.resources}
    # output and id are computed-only: unknown, never written, so absent
    assert values["terraform_data.fresh"] == {}
    assert values["terraform_data.keep"] == {"id": "3791c441-c498-4530-33af-0b731f025456", "input": True, "output": True}
    assert values["terraform_data.changed"] == {"id": "ebe4dd06-674b-c650-1f62-96521e365d7e", "input": "b"}
    assert values["terraform_data.swapped"] == {"input": True, "triggers_replace": ["two"]}
    pending = values["terraform_data.pending"]["input"]
    assert isinstance(pending, Unknown)
    assert pending.reason == "known after apply (configured from terraform_data.fresh.id)"


def test_real_plan_locations_are_columns_of_its_one_line() -> None:
    text, result = load("real/plan.json")
    keep = by_address(result)["terraform_data.keep"]
    assert keep.location.column == 3500
    assert snippet(text, keep.location).startswith('"address":"terraform_data.keep","mode":"managed"')
    assert snippet(text, keep.location).endswith('"after_sensitive":{}}}')
    assert snippet(text, attribute(keep, "input").location) == '"input":true'
    pending = attribute(by_address(result)["terraform_data.pending"], "input")
    assert snippet(text, pending.location) == '"input":true'  # its place in after_unknown
    assert text.rfind('"after_unknown"', 0, pending.location.column) > text.rfind('"after"', 0, pending.location.column)


def test_real_plan_module_trail() -> None:
    text, result = load("real/plan.json")
    key = by_address(result)['module.outer["a.b"].module.inner[0].terraform_data.k["x"]']
    trail = attribute(key, "input").trail
    assert [(step.note, snippet(text, step.location)) for step in trail] == [
        ("input = true in the plan", '"input":true'),
        ("input configured from var.enabled", '"input":{"references":["var.enabled"]}'),
        ("module.inner input enabled configured from var.replicated", '"enabled":{"references":["var.replicated"]}'),
        ("module.outer input replicated configured from var.flag", '"replicated":{"references":["var.flag"]}'),
        ("var.flag = true (plan input variable)", '"flag":{"value":true}'),
    ]
    assert [step.note for step in key.context] == [
        'module.outer["a.b"] (source ./modules/outer)',
        "module.inner[0] (source ../inner)",
    ]
    assert snippet(text, key.context[0].location).startswith('"outer":{"source":"./modules/outer"')


# ---------------------------------------------------------------------------- diagnostics


def test_malformed_entries_are_errors_and_the_rest_is_read() -> None:
    text = """{"format_version": "1.2",
 "resource_changes": [
  7,
  {"address": "aws_kms_key.a", "mode": "managed", "type": "aws_kms_key", "change": {"actions": ["create"]}},
  {"address": "aws_kms_key.b", "mode": "managed", "type": "aws_kms_key", "name": "b",
   "change": {"actions": ["create"], "after": {"multi_region": true}}},
  {"address": "aws_kms_key.b", "mode": "managed", "type": "aws_kms_key", "name": "b",
   "change": {"actions": ["update"], "after": {"multi_region": false}}}
 ]}"""
    result = parse_plan(text, "m.json")
    assert result is not None
    assert [r.address for r in result.resources] == ["aws_kms_key.b"]
    assert attribute(result.resources[0], "multi_region").value is True
    assert result.errors == (
        Diagnostic("m.json", 3, "a resource_changes entry is not an object", 3),
        Diagnostic("m.json", 4, "a resource_changes entry lacks address, type, name or change.actions", 3),
    )
    assert result.warnings == (
        Diagnostic("m.json", 7, "aws_kms_key.b is in resource_changes twice; the first is used", 4),
    )


def test_incomplete_plans_warn() -> None:
    text = '{"format_version": "2.0", "resource_changes": [], "errored": true,\n "complete": false}'
    result = parse_plan(text, "w.json")
    assert result == PlanResult((), (), (
        Diagnostic("w.json", 1, "plan format_version 2.0 is not one this reader knows (0.x, 1.x)", 2),
        Diagnostic("w.json", 1, "the plan errored: resources may be missing", 51),
        Diagnostic("w.json", 2, "the plan is incomplete (deferred changes): resources may be missing", 2),
    ))


def test_resource_changes_not_a_list_is_an_error() -> None:
    result = parse_plan('{"format_version": "1.2", "resource_changes": {}}', "x.json")
    assert result == PlanResult((), (Diagnostic("x.json", 1, "resource_changes is not a list", 27),), ())


# ---------------------------------------------------------------------------- the corpus

CORPUS_ERRORS = {"hashicorp__terraform-json/testdata/invalid/plan.json": "invalid JSON: Extra data (line 676, column 29)"}
CORPUS_NOT_PLANS = {
    "bridgecrewio__checkov/tests/terraform/parser/resources/plan_vpc_endpoint/tfplan.json",  # no format_version
    "bridgecrewio__checkov/tests/terraform/runner/resources/plan/corrupted-tfplan.json",  # a state file
}
CORPUS_KMS = [  # KMS-INDEX.md rows 127-131: aws_kms_key.logs_key, created, multi_region absent
    "bridgecrewio__checkov/tests/terraform/parser/resources/plan_tags/tfplan.json",
    "bridgecrewio__checkov/tests/terraform/runner/resources/plan/tfplan.json",
    "bridgecrewio__checkov/tests/terraform/runner/tf_plan_skip_check_regex/resource/skip_directory/tfplan2.json",
    "bridgecrewio__checkov/tests/terraform/runner/tf_plan_skip_check_regex/resource/tfplan1.json",
    "bridgecrewio__checkov/tests/terraform/runner/tfplan2.json",
]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not present")
def test_corpus() -> None:
    errors, not_plans, kms = {}, set(), {}
    for path in sorted(CORPUS.rglob("*.json")):
        relative = path.relative_to(CORPUS).as_posix()
        try:
            result = parse_plan(decode(path.read_bytes()), relative)
        except PlanError as error:
            errors[relative] = str(error)
            continue
        if result is None:
            not_plans.add(relative)
            continue
        assert result.errors == (), relative
        kms.update({(relative, r.address): verdict(r) for r in result.resources if r.type.startswith("aws_kms_")
                    and r.type != "aws_kms_alias"})
    assert errors == CORPUS_ERRORS
    assert not_plans == CORPUS_NOT_PLANS
    assert kms == {(relative, "aws_kms_key.logs_key"): "pass" for relative in CORPUS_KMS}


@pytest.mark.parametrize(
    ("address", "steps"),
    [
        ("aws_kms_key.k", []),
        ('aws_kms_key.k["module.a."]', []),
        ("module.a.module.b.aws_kms_key.k", [("a", ""), ("b", "")]),
        ('module.a[0].module.b["x.y]"].aws_kms_key.k[2]', [("a", "[0]"), ("b", '["x.y]"]')]),
        ('module.a["module.q.\\"z\\""].aws_kms_key.k', [("a", '["module.q.\\"z\\""]')]),
    ],
)
def test_module_steps_strip_instance_keys(address: str, steps: list[tuple[str, str]]) -> None:
    assert plan_module._module_steps(address) == steps
