"""CloudFormation templates -> resources: the position-keeping loaders, intrinsic
evaluation with trails, the case fixtures (copies of ../shared/cases with their expect.json)
and the whole corpus of real templates (skipped when ../shared is absent)."""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path

import pytest

from linter.cloudformation.intrinsics import NO_VALUE, Given, ParameterValueError, TemplateEvaluator
from linter.model import Attribute, Diagnostic, Location, Resource, SourceFormat, Step, Unknown
from linter.parsers.cloudformation import (
    TemplateResult, looks_like_template, mentions_template, parse_template, parse_template_tree,
)
from linter.parsers.yamljson import LineDict, LineList, LoadError, load, load_json, load_yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "cloudformation"
CORPUS = ROOT.parent / "shared" / "corpus" / "cloudformation"


def parse(text: str, params: dict[str, object] | None = None, path: str = "t.yaml") -> TemplateResult:
    result = parse_template(textwrap.dedent(text), path, params or {})
    assert result is not None
    return result


def attr(resource: Resource, name: str) -> Attribute:
    attribute = resource.attribute(name)
    assert attribute is not None, (resource.address, name)
    return attribute


def by_address(result: TemplateResult) -> dict[str, Resource]:
    return {r.address: r for r in result.resources}


def value(result: TemplateResult, address: str, name: str) -> object:
    attribute = by_address(result)[address].attribute(name)
    assert attribute is not None
    return attribute.value


def notes(result: TemplateResult, address: str, name: str) -> list[tuple[int, str]]:
    attribute = by_address(result)[address].attribute(name)
    assert attribute is not None
    return [(s.location.line, s.note) for s in attribute.trail]


def kms_verdict(resource: Resource | None) -> str:
    """The KMS001 rule, as the case expectations state it (the policy owns the real one)."""
    if resource is None:
        return "pass"  # not created
    if resource.existence is not None:
        return "unknown"
    if resource.type == "AWS::KMS::ReplicaKey":
        return "fail"
    attribute = resource.attribute("MultiRegion")
    if attribute is None:
        return "pass"
    if isinstance(attribute.value, Unknown):
        return "unknown"
    if attribute.value is True or (isinstance(attribute.value, str) and attribute.value.lower() == "true"):
        return "fail"
    return "pass"


# ----------------------------------------------------------------------------- YAML loader

def test_yaml_short_forms_become_long_forms() -> None:
    data = load_yaml(textwrap.dedent("""\
        A: !Ref Param
        B: !GetAtt Key.Arn
        C: !GetAtt [Key, Arn]
        D: !GetAtt Db.Endpoint.Address
        E: !Sub "${AWS::Region}"
        F: !If [Cond, !Ref X, !Ref "AWS::NoValue"]
        G: !Condition IsProd
        H: !GetAtt
          Fn::FindInMap: [M, a, b]
        I: !Rain::Embed file.sh
        J: !Custom {x: 1}
        """)).data
    assert data == {
        "A": {"Ref": "Param"},
        "B": {"Fn::GetAtt": ["Key", "Arn"]},
        "C": {"Fn::GetAtt": ["Key", "Arn"]},
        "D": {"Fn::GetAtt": ["Db", "Endpoint.Address"]},
        "E": {"Fn::Sub": "${AWS::Region}"},
        "F": {"Fn::If": ["Cond", {"Ref": "X"}, {"Ref": "AWS::NoValue"}]},
        "G": {"Condition": "IsProd"},
        "H": {"Fn::GetAtt": {"Fn::FindInMap": ["M", "a", "b"]}},
        "I": {"Rain::Embed": "file.sh"},
        "J": {"Fn::Custom": {"x": 1}},
    }
    assert data["H"].line == 8 and data["H"].key_line("Fn::GetAtt") == 8
    assert data["H"]["Fn::GetAtt"].key_line("Fn::FindInMap") == 9


def test_yaml_lines_of_keys_mappings_and_sequences() -> None:
    data = load_yaml(textwrap.dedent("""\
        Resources:
          Key:
            Type: AWS::KMS::Key
            Properties:
              Policy: |
                line one
                line two

          Other: {Type: x}
        List:
          - a
          - b: 1
            c: 2
        """)).data
    assert isinstance(data, LineDict)
    assert data.key_lines == {"Resources": 1, "List": 10}
    key = data["Resources"]["Key"]
    assert data["Resources"].key_lines == {"Key": 2, "Other": 9}
    assert (key.line, key.end_line) == (3, 7)  # the block scalar ends on its last text line
    assert (data["Resources"]["Other"].line, data["Resources"]["Other"].end_line) == (9, 9)
    assert isinstance(data["List"], LineList) and data["List"].lines == [11, 12]
    assert data["List"].end_line == 13


def test_yaml_dates_stay_strings_and_booleans_are_yaml_1_1() -> None:
    data = load_yaml("V: 2010-09-09\nT: 2012-10-17T10:00:00Z\nY: yes\nN: off\nQ: 'yes'\n").data
    assert data == {"V": "2010-09-09", "T": "2012-10-17T10:00:00Z", "Y": True, "N": False, "Q": "yes"}


def test_yaml_merge_keys_and_anchors() -> None:
    data = load_yaml(textwrap.dedent("""\
        Base: &base
          A: 1
          B: 2
        Merged:
          <<: *base
          B: 3
        Alias: *base
        """)).data
    assert data["Merged"] == {"A": 1, "B": 3}
    assert data["Merged"].key_lines == {"A": 5, "B": 6}
    assert data["Merged"].merged_from == {"A": 2}
    assert data["Alias"] == {"A": 1, "B": 2}


def test_yaml_duplicate_keys_last_wins_with_a_warning() -> None:
    loaded = load_yaml("A: 1\nB: 2\nA: 3\n")
    assert loaded.data == {"A": 3, "B": 2}
    assert loaded.data.key_lines["A"] == 3
    assert [(w.line, w.message) for w in loaded.warnings] == [
        (3, "duplicate key 'A' at lines 1 and 3; the last one (line 3) wins")]


def test_yaml_bom_is_tolerated() -> None:
    assert load_yaml("\ufeffA: 1\nB: 2\n").data.key_lines == {"A": 1, "B": 2}


@pytest.mark.parametrize("text, message, line", [
    ("A: 1\n---\nB: 2\n", "invalid YAML: more than one YAML document in the file (a template is one document)", 2),
    ("A: [1\nB: 2\n", "invalid YAML: while parsing a flow sequence; did not find expected ',' or ']'", 2),
    ("A: !!python/object:os.system {}\n", "invalid YAML: could not determine a constructor for the tag "
     "'tag:yaml.org,2002:python/object:os.system'", 1),
    ("? [a]\n: 1\n", "invalid YAML: while constructing a mapping; found an unhashable key", 1),
])
def test_yaml_errors_are_one_line(text: str, message: str, line: int) -> None:
    with pytest.raises(LoadError) as caught:
        load_yaml(text)
    assert (caught.value.message, caught.value.line) == (message, line)
    assert "\n" not in str(caught.value)


# ----------------------------------------------------------------------------- JSON loader

def test_json_key_lines_object_lines_and_duplicates() -> None:
    loaded = load_json('\ufeff{\n "A": {"k": "a \\"quoted\\": {brace}",\n   "k": 2},\n "B": [ {"x": 1} ]\n}\n')
    data = loaded.data
    assert data == {"A": {"k": 2}, "B": [{"x": 1}]}
    assert data.key_lines == {"A": 2, "B": 4}
    assert (data["A"].line, data["A"].end_line, data["A"].key_lines) == (2, 3, {"k": 3})
    assert (data.line, data.end_line) == (1, 5)
    assert data["B"][0].key_lines == {"x": 4}
    assert [(w.line, w.message) for w in loaded.warnings] == [
        (3, "duplicate key 'k' at lines 2 and 3; the last one (line 3) wins")]


def test_json_error_has_line_and_column() -> None:
    with pytest.raises(LoadError) as caught:
        load_json('{\n  "A": 1\n  "B": 2\n}')
    assert (caught.value.message, caught.value.line, caught.value.column) == ("invalid JSON: Expecting ',' delimiter", 3, 3)
    assert str(caught.value) == "invalid JSON: Expecting ',' delimiter (line 3, column 3)"


def test_load_picks_json_or_yaml() -> None:
    assert load('{"A": 1}').data.key_lines == {"A": 1}
    assert load("{A: 1}").data == {"A": 1}  # not JSON, but a YAML flow mapping
    with pytest.raises(LoadError, match="invalid JSON"):
        load('{"A": 1,, }')


def test_json_is_fast() -> None:
    resources = {f"Key{i}": {"Type": "AWS::KMS::Key", "Properties": {"Description": "x" * 40, "KeyPolicy": {
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}]}}}
        for i in range(5000)}
    text = json.dumps({"Resources": resources}, indent=1)  # about 1.9 MB
    start = time.perf_counter()
    data = load_json(text).data
    assert time.perf_counter() - start < 2.0
    assert data["Resources"].key_lines["Key4999"] == 3 + 4999 * 18  # 18 lines per resource


# ----------------------------------------------------------------------------- sniffing

def test_looks_like_template() -> None:
    assert looks_like_template({"Resources": {"A": {"Type": "AWS::SNS::Topic"}}})
    assert looks_like_template({"AWSTemplateFormatVersion": "2010-09-09", "Resources": None})
    assert looks_like_template({"service": "s", "resources": {"Resources": {"A": {"Type": "AWS::SNS::Topic"}}}})
    assert not looks_like_template({"Resources": {"A": {"Kind": "x"}}})
    assert not looks_like_template({"services": {"web": {"image": "nginx"}}})
    assert not looks_like_template(["Resources"])


def test_mentions_template() -> None:
    assert mentions_template("AWSTemplateFormatVersion: x\n  bad: [")
    assert mentions_template('{"Resources": {"A": {"Type": "AWS::SNS::Topic",}}')
    assert mentions_template("Resources:\n  A:\n    Type: AWS::SNS::Topic\n   bad")
    assert not mentions_template("services:\n  web: [")
    assert not mentions_template("on: push\njobs: {x: [}")


def test_unparseable_non_templates_are_skipped_and_templates_are_errors() -> None:
    assert parse_template("services:\n  web: [\n", "compose.yaml", {}) is None
    assert parse_template("name: ci\non: push\n", "ci.yml", {}) is None
    result = parse_template("AWSTemplateFormatVersion: 2010-09-09\nResources:\n  A: [\n", "t.yaml", {})
    assert result is not None and result.resources == []
    assert result.errors == [Diagnostic("t.yaml", 4, "invalid YAML: while parsing a flow node; did not find expected node content", 1)]


# ----------------------------------------------------------------------------- resources

def test_resource_record() -> None:
    result = parse("""\
        Resources:
          Key:
            Type: AWS::KMS::Key
            Metadata:
              aws:cdk:path: Stack/Key/Resource
            Properties:
              MultiRegion: true
              Description: !Sub "${Other} key"
          Other:
            Type: AWS::SNS::Topic
        """)
    key = by_address(result)["Key"]
    assert key.type == "AWS::KMS::Key" and key.source_format is SourceFormat.CLOUDFORMATION
    assert key.location == Location("t.yaml", 2, 0, 8)
    assert key.construct_path == "Stack/Key/Resource"
    assert key.references == ("Other",)
    assert attr(key, "MultiRegion").location == Location("t.yaml", 7)
    assert value(result, "Key", "Description") == Unknown(
        'Fn::Sub "${Other} key": physical ID of resource Other, known only after deploy', Location("t.yaml", 8))
    assert result.errors == [] and result.warnings == []


def test_parameter_default_trail() -> None:
    result = parse("""\
        Parameters:
          EnableMultiRegion:
            Type: String
            Default: "true"
            AllowedValues: ["true", "false"]
        Resources:
          Key:
            Type: AWS::KMS::Key
            Properties:
              MultiRegion: !Ref EnableMultiRegion
        """)
    assert value(result, "Key", "MultiRegion") == "true"
    assert notes(result, "Key", "MultiRegion") == [
        (10, "MultiRegion: !Ref EnableMultiRegion"), (2, 'parameter EnableMultiRegion default "true"')]


TEMPLATE_WITH_CONDITIONS = """\
    Parameters:
      EnvironmentName:
        Type: String
        Default: prod
        AllowedValues: [dev, prod]
    Conditions:
      IsProduction: !Equals [!Ref EnvironmentName, prod]
    Resources:
      Key:
        Type: AWS::KMS::Key
        Condition: IsProduction
        Properties:
          MultiRegion: !If [IsProduction, true, false]
    """


def test_condition_trail() -> None:
    result = parse(TEMPLATE_WITH_CONDITIONS)
    assert value(result, "Key", "MultiRegion") is True
    assert notes(result, "Key", "MultiRegion") == [
        (13, "MultiRegion: !If [IsProduction, true, false]"),
        (7, 'condition IsProduction: true (EnvironmentName default "prod")'),
        (2, 'parameter EnvironmentName default "prod"'),
    ]


def test_given_parameters_override_defaults_and_false_condition_drops_the_resource() -> None:
    assert parse(TEMPLATE_WITH_CONDITIONS, {"EnvironmentName": "dev"}).resources == []


def test_given_value_outside_allowed_values_is_a_usage_error() -> None:
    with pytest.raises(ParameterValueError) as caught:
        parse(TEMPLATE_WITH_CONDITIONS, {"EnvironmentName": "test"})
    assert caught.value.parameter == "EnvironmentName"
    assert str(caught.value) == "parameter EnvironmentName: 'test' is not one of its AllowedValues ['dev', 'prod'] (t.yaml)"


def test_unknown_condition_makes_existence_unknown() -> None:
    result = parse("""\
        Conditions:
          InEurope: !Equals [!Ref "AWS::Region", eu-west-1]
        Resources:
          Key:
            Type: AWS::KMS::Key
            Condition: InEurope
            Properties:
              MultiRegion: true
        """)
    assert by_address(result)["Key"].existence == Unknown(
        "condition InEurope is unknown: pseudo parameter AWS::Region is known only at deploy time", Location("t.yaml", 6))
    given = parse("""\
        Conditions:
          InEurope: !Equals [!Ref "AWS::Region", eu-west-1]
        Resources:
          Key: {Type: AWS::KMS::Key, Condition: InEurope}
        """, {"AWS::Region": "eu-west-1"})
    assert by_address(given)["Key"].existence is None


def test_condition_cycle_is_an_error_not_a_hang() -> None:
    result = parse("""\
        Conditions:
          A: !Not [!Condition B]
          B: !Condition A
        Resources:
          Key:
            Type: AWS::KMS::Key
            Condition: A
            Properties:
              MultiRegion: true
        """)
    assert result.errors == [Diagnostic("t.yaml", 3, "conditions refer to each other in a cycle: A -> B -> A")]
    assert by_address(result)["Key"].existence == Unknown(
        "condition A is unknown: condition A is part of a cycle", Location("t.yaml", 7))


def test_undefined_condition_is_an_error() -> None:
    result = parse("Resources:\n  Key:\n    Type: AWS::KMS::Key\n    Condition: Nope\n")
    assert result.errors == [Diagnostic("t.yaml", 4, "condition Nope is not defined in Conditions")]
    assert by_address(result)["Key"].existence is not None


INTRINSICS = """\
    Parameters:
      Env: {Type: String, Default: dev}
      Subnets: {Type: CommaDelimitedList, Default: "a, b ,c"}
      Count: {Type: Number, Default: 3}
      Ami: {Type: "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", Default: /aws/service/ami}
      Tenant: {Type: String}
    Mappings:
      Settings:
        dev: {Multi: "false", Zones: [z1, z2]}
    Conditions:
      Either: !Or [!Equals [!Ref Env, prod], !Equals [!Ref "AWS::Region", eu-west-1]]
    Resources:
      Thing:
        Type: Custom::Thing
        Properties:
          Literal: !Sub "${!Literal}-${Env}"
          SubVars: !Sub ["${A}-${B}", {A: x, B: !Ref Env}]
          SubUnknown: !Sub "${Env}-${Tenant}"
          Joined: !Join [",", [a, !Ref Env, 1, true]]
          JoinList: !Join ["|", !Ref Subnets]
          Selected: !Select [1, !Ref Subnets]
          SelectKnownOfPartial: !Select ["0", [x, !GetAtt Other.Arn]]
          SplitIt: !Split ["-", "a-b-c"]
          MapList: !FindInMap [Settings, !Ref Env, Zones]
          MapDefault: !FindInMap [Settings, prod, Multi, {DefaultValue: none}]
          MapMissing: !FindInMap [Settings, prod, Multi]
          B64: !Base64 hello
          Azs: !GetAZs ""
          Imported: !ImportValue SharedKeyArn
          Gone: !Ref AWS::NoValue
          List: [a, !Ref AWS::NoValue, b]
          IfUnknownSame: !If [Either, same, same]
          IfUnknown: !If [Either, a, b]
          Num: !Ref Count
          Ssm: !Ref Ami
          Len: !Length [a, b]
          Json: !ToJsonString {a: 1}
          Mixed: {Literal: 1, Arn: !GetAtt Other.Arn}
      Other:
        Type: AWS::SNS::Topic
    Transform: AWS::LanguageExtensions
    """


def test_intrinsic_functions() -> None:
    result = parse(INTRINSICS)
    got = {name: a.value for name, a in by_address(result)["Thing"].attributes.items()}
    line = {name: a.location.line for name, a in by_address(result)["Thing"].attributes.items()}

    def unknown(reason: str, name: str) -> Unknown:
        return Unknown(reason, Location("t.yaml", line[name]))

    assert got == {
        "Literal": "${Literal}-dev",
        "SubVars": "x-dev",
        "SubUnknown": unknown('Fn::Sub "${Env}-${Tenant}": parameter Tenant has no default and no value was given', "SubUnknown"),
        "Joined": "a,dev,1,true",
        "JoinList": "a|b|c",
        "Selected": "b",
        "SelectKnownOfPartial": "x",
        "SplitIt": ["a", "b", "c"],
        "MapList": ["z1", "z2"],
        "MapDefault": "none",
        "MapMissing": unknown("mapping Settings has no key 'prod'", "MapMissing"),
        "B64": "aGVsbG8=",
        "Azs": unknown('Fn::GetAZs "": the Availability Zones, known only at deploy time', "Azs"),
        "Imported": unknown("value exported by another stack as SharedKeyArn, known only at deploy time", "Imported"),
        "List": ["a", "b"],
        "IfUnknownSame": "same",
        "IfUnknown": unknown("Fn::If on condition Either, which is unknown: pseudo parameter AWS::Region "
                             "is known only at deploy time", "IfUnknown"),
        "Num": "3",
        "Ssm": Unknown('parameter Ami is read from SSM parameter "/aws/service/ami" at deploy time', Location("t.yaml", 5)),
        "Len": 2,
        "Json": '{"a":1}',
        "Mixed": {"Literal": 1, "Arn": unknown("attribute Arn of resource Other, known only after deploy", "Mixed")},
    }
    assert "Gone" not in got  # AWS::NoValue removes the property
    assert by_address(result)["Thing"].references == ("Other",)
    assert notes(result, "Thing", "MapList") == [
        (24, "MapList: !FindInMap [Settings, !Ref Env, Zones]"),
        (2, 'parameter Env default "dev"'),
        (9, "mapping Settings.dev.Zones = [z1, z2]"),
    ]
    assert result.errors == [] and result.warnings == []


def test_malformed_intrinsic_is_unknown_with_a_warning() -> None:
    result = parse("Resources:\n  T:\n    Type: Custom::T\n    Properties:\n      Bad: !Select [5, [a]]\n")
    assert value(result, "T", "Bad") == Unknown("malformed Fn::Select: index 5 is out of range for 1 values", Location("t.yaml", 5))
    assert result.warnings == [Diagnostic("t.yaml", 5, "malformed Fn::Select: index 5 is out of range for 1 values")]


def test_evaluator_takes_given_values_with_their_trail() -> None:
    template = load_yaml("Parameters:\n  P:\n    Type: String\n    Default: 'false'\n").data
    parent = Step(Location("parent.yaml", 9), "Parameters: {P: true}")
    evaluator = TemplateEvaluator(template, "child.yaml", {"P": Given("true", (parent,), "passed by Stack")})
    evaluated = evaluator.evaluate("MultiRegion", {"Ref": "P"}, 12)
    assert evaluated.value == "true"
    assert [s.note for s in evaluated.trail] == [
        "MultiRegion: !Ref P", 'parameter P passed by Stack "true"', "Parameters: {P: true}"]
    assert evaluator.evaluate("X", {"Ref": "AWS::NoValue"}, 13).value is NO_VALUE


def test_transforms_and_includes_warn() -> None:
    result = parse("""\
        Transform: [AWS::Serverless-2016-10-31, {Name: AWS::Include, Parameters: {Location: s3://b/x.yaml}}, MyMacro]
        Resources:
          Key:
            Type: AWS::KMS::Key
            Properties:
              Tags: {"Fn::Transform": {Name: AWS::Include, Parameters: {Location: s3://b/tags.yaml}}}
              MultiRegion: false
        """)
    assert result.warnings == [
        Diagnostic("t.yaml", 1, "AWS::Include transform is unresolved; what it includes is not checked"),
        Diagnostic("t.yaml", 1, "transform MyMacro is not run; resources it adds or changes are not checked"),
        Diagnostic("t.yaml", 6, "Fn::Transform AWS::Include is not run; what it produces is not checked"),
    ]
    assert value(result, "Key", "MultiRegion") is False


def test_yaml_alias_of_itself_is_an_error_on_that_property() -> None:
    result = parse("Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      Tags: &t\n        - *t\n      MultiRegion: true\n")
    assert result.errors == [Diagnostic("t.yaml", 5, "resource K: Tags contains itself through a YAML alias")]
    assert value(result, "K", "MultiRegion") is True


def test_rain_modules_are_warned_about() -> None:
    result = parse("Resources:\n  Net:\n    Type: !Rain::Module vpc.yml\n  Key: {Type: AWS::KMS::Key}\n")
    assert [r.address for r in result.resources] == ["Key"]
    assert result.warnings == [Diagnostic("t.yaml", 2, "resource Net is a Rain::Module directive that needs packaging first; its resources are not checked")]


def test_serverless_resources_section() -> None:
    path = FIXTURES / "serverless" / "serverless.yml"
    result = parse_template(path.read_text(), "serverless.yml", {})
    assert result is not None
    key = by_address(result)["BillingKey"]
    assert key.location == Location("serverless.yml", 14, 0, 20)
    assert attr(key, "MultiRegion").value == Unknown(
        "Serverless Framework variable in '${self:custom.replicate}', resolved when packaging", Location("serverless.yml", 19))


def test_local_nested_stacks_are_followed_with_parameters() -> None:
    folder = FIXTURES / "nested-local"
    result = parse_template_tree(folder / "parent.yaml", "nested-local/parent.yaml", {})
    assert result is not None
    nested = by_address(result)["NestedKey"]
    assert nested.location == Location("nested-local/stacks/keys.yaml", 6, 0, 10)
    assert nested.context == (Step(Location("nested-local/parent.yaml", 8, 0, 13), "nested stack KeysStack"),)
    assert attr(nested, "MultiRegion").value == "true"
    assert [(str(s.location), s.note) for s in attr(nested, "MultiRegion").trail] == [
        ("nested-local/stacks/keys.yaml:10", "MultiRegion: !Ref MultiRegionKeys"),
        ("nested-local/stacks/keys.yaml:2", 'parameter MultiRegionKeys passed by KeysStack "true"'),
        ("nested-local/parent.yaml:12", "Parameters: {MultiRegionKeys: !Ref Replicate}"),
        ("nested-local/parent.yaml:3", 'parameter Replicate default "true"'),
    ]
    assert result.files == ["nested-local/parent.yaml", "nested-local/stacks/keys.yaml"]
    assert result.sources == [(folder / "parent.yaml").resolve(), (folder / "stacks" / "keys.yaml").resolve()]
    assert result.errors == [Diagnostic("nested-local/stacks/keys.yaml", 11, "nested stack LoopStack: template ../parent.yaml nests itself")]
    assert result.warnings == [Diagnostic("nested-local/parent.yaml", 14, "nested stack RemoteStack: its template is not local, so its resources are not checked")]
    given = parse_template_tree(folder / "parent.yaml", "nested-local/parent.yaml", {"Replicate": "false"})
    assert given is not None and attr(by_address(given)["NestedKey"], "MultiRegion").value == "false"


# ----------------------------------------------------------------------------- cases

CASES = sorted(p for p in FIXTURES.iterdir() if (p / "expect.json").is_file())


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_case_fixture(case: Path) -> None:
    expect = json.loads((case / "expect.json").read_text())
    resources: dict[str, Resource] = {}
    errors: list[Diagnostic] = []
    for file in sorted(case.iterdir()):
        if file.suffix in (".yaml", ".yml", ".json") and file.name != "expect.json":
            result = parse_template(file.read_text(encoding="utf-8"), file.name, {})
            assert result is not None, file
            resources.update((r.address, r) for r in result.resources)
            errors.extend(result.errors)
    for item in expect["expect"]:
        resource = resources.get(item["address"])
        assert kms_verdict(resource) == item["status"], item
        if "line" in item:
            assert resource is not None and (resource.location.path, resource.location.line) == (item["path"], item["line"])
    assert sorted({e.path for e in errors}) == sorted(expect.get("errors", []))


def test_case_duplicate_keys_warn() -> None:
    folder = FIXTURES / "bl-34-duplicate-keys"
    for name, first, last in (("tmpl.yaml", 5, 7), ("tmpl.json", 6, 8)):
        result = parse_template((folder / name).read_text(), name, {})
        assert result is not None
        assert result.warnings == [Diagnostic(name, last, f"duplicate key 'MultiRegion' at lines {first} and {last}; the last one (line {last}) wins")]


def test_case_misindented_resource_errors() -> None:
    result = parse_template((FIXTURES / "bl-55-misindented-resource" / "tmpl.yaml").read_text(), "tmpl.yaml", {})
    assert result is not None
    assert [r.address for r in result.resources] == ["WorkingKey"]
    assert result.errors == [
        Diagnostic("tmpl.yaml", 2, "resource BrokenKey is empty; is its definition indented under it?"),
        Diagnostic("tmpl.yaml", 3, "resource Type is a str, not a mapping with a Type; is it mis-indented?"),
        Diagnostic("tmpl.yaml", 4, "resource Properties has no Type"),
    ]


def test_case_merge_key_trail() -> None:
    result = parse_template((FIXTURES / "bl-32-yaml-merge-key" / "tmpl.yaml").read_text(), "tmpl.yaml", {})
    assert result is not None
    attribute = attr(by_address(result)["MergedKey"], "MultiRegion")
    assert attribute.location == Location("tmpl.yaml", 11)
    assert [(s.location.line, s.note) for s in attribute.trail] == [(11, "MultiRegion merged in with <<"), (3, "MultiRegion: true")]


def test_case_findinmap_trails() -> None:
    result = parse_template((FIXTURES / "bl-53-findinmap-param-default" / "tmpl.yaml").read_text(), "tmpl.yaml", {})
    assert result is not None
    assert notes(result, "StageKey", "MultiRegion") == [
        (20, "MultiRegion: !FindInMap [StageSettings, !Ref Stage, Replicate]"),
        (2, 'parameter Stage default "dev"'),
        (12, 'mapping StageSettings.dev.Replicate = "false"'),
    ]
    assert value(result, "TierKey", "MultiRegion") == Unknown("mapping StageSettings has no key ''", Location("tmpl.yaml", 25))


def test_case_if_in_list_drops_no_value() -> None:
    result = parse_template((FIXTURES / "bl-20-if-in-list" / "tmpl.yaml").read_text(), "tmpl.yaml", {})
    assert result is not None
    assert value(result, "TaggedKey", "Tags") == [{"Key": "team", "Value": "payments"}]
    assert value(result, "TaggedGlobalKey", "Tags") == []
    with_global = parse_template((FIXTURES / "bl-20-if-in-list" / "tmpl.yaml").read_text(), "tmpl.yaml", {"Scope": "global"})
    assert with_global is not None
    assert value(with_global, "TaggedGlobalKey", "Tags") == [{"Key": "scope", "Value": "global"}]


# ----------------------------------------------------------------------------- corpus

# Files of the corpus that give errors; every one is a template CloudFormation rejects.
CORPUS_ERRORS = {
    "aws-cloudformation__cfn-lint/test/fixtures/templates/bad/conditions.yaml": [
        (84, "resource CloudFrontDistribution: Condition must be a condition name"),
        (60, "condition isProd is not defined in Conditions"),
        (64, "condition isDev is not defined in Conditions")],
    "aws-cloudformation__cfn-lint/test/fixtures/templates/bad/core/config_invalid_json.json": [(8, "invalid JSON: Expecting ',' delimiter")],
    "aws-cloudformation__cfn-lint/test/fixtures/templates/bad/core/config_invalid_yaml.yaml": [
        (8, "invalid YAML: while parsing a block mapping; did not find expected key")],
    "aws-cloudformation__cfn-lint/test/fixtures/templates/bad/core/parse_invalid_map.yaml": [
        (18, "invalid YAML: while constructing a mapping; found an unhashable key")],
    "aws-cloudformation__cfn-lint/test/fixtures/templates/bad/functions/foreach_no_transform.yaml": [
        (11, "Fn::ForEach::Buckets needs Transform: AWS::LanguageExtensions; CloudFormation rejects the template without it")],
    "aws-cloudformation__cfn-lint/test/fixtures/templates/bad/json_parse.json": [(5, "invalid JSON: Expecting ':' delimiter")],
    "aws-cloudformation__cfn-lint/test/fixtures/templates/bad/properties_rt_association.yaml": [
        (40, "condition CreateAuxiliaryNetworks is not defined in Conditions")],
    "aws-cloudformation__cfn-lint/test/fixtures/templates/bad/resources/iam/iam_policy.yaml": [
        (39, "condition cCondition is not defined in Conditions")],
    "aws-cloudformation__cfn-lint/test/fixtures/templates/bad/resources/primary_identifiers.yaml": [
        (155, "resource BadType: Type must be a resource type name")],
    "aws-cloudformation__cfn-lint/test/fixtures/templates/bad/template.yaml": [
        (12, "invalid YAML: while parsing a block mapping; did not find expected key")],
    "bridgecrewio__checkov/tests/cloudformation/checks/resource/aws/example_IAMStarActionPolicyDocument/cfn_bad_iam_pass.yaml": [
        (10, "condition cCondition is not defined in Conditions")],
    "bridgecrewio__checkov/tests/cloudformation/parser/cfn_bad_iam.yaml": [(29, "condition cCondition is not defined in Conditions")],
    "bridgecrewio__checkov/tests/cloudformation/parser/success_triple_quotes_string.json": [(17, "invalid JSON: Expecting ',' delimiter")],
    "bridgecrewio__checkov/tests/cloudformation/runner/resources/invalid.json": [(145, "invalid JSON: Expecting ',' delimiter")],
    "bridgecrewio__checkov/tests/cloudformation/runner/resources/invalid_properties.json": [
        (5, "resource InvalidProperties: Properties is not a mapping")],
    "bridgecrewio__checkov/tests/cloudformation/runner/resources/invalid_properties.yaml": [
        (4, "resource InvalidProperties: Properties is not a mapping")],
    "bridgecrewio__checkov/tests/cloudformation/runner/resources/tags.yaml": [
        (49, "condition CreateVpc is not defined in Conditions"),
        (51, "condition CreatePrivateSubnet is not defined in Conditions")],
}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not here")
def test_corpus_parses_with_only_diagnostics() -> None:
    errors: dict[str, list[tuple[int, str]]] = {}
    templates = 0
    start = time.perf_counter()
    for file in sorted(p for p in CORPUS.rglob("*") if p.is_file()):
        shown = file.relative_to(CORPUS).as_posix()
        result = parse_template(file.read_text(encoding="utf-8"), shown, {})
        if result is None:
            continue
        templates += 1
        assert all(r.location.path == shown and r.location.line > 0 for r in result.resources)
        if result.errors:
            errors[shown] = [(e.line, e.message) for e in result.errors]
    assert time.perf_counter() - start < 15
    assert templates == 918
    assert errors == CORPUS_ERRORS


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not here")
def test_corpus_kms_keys_are_single_region() -> None:
    """KMS-INDEX.md: every AWS::KMS::Key in corpus/cloudformation has MultiRegion absent."""
    keys = 0
    for file in sorted(p for p in CORPUS.rglob("*") if p.is_file()):
        text = file.read_text(encoding="utf-8")
        if "AWS::KMS::" not in text:
            continue
        result = parse_template(text, file.name, {})
        for resource in result.resources if result else []:
            if resource.type in ("AWS::KMS::Key", "AWS::KMS::ReplicaKey"):
                keys += 1
                assert kms_verdict(resource) == "pass", (file, resource.address)
    assert keys >= 25
