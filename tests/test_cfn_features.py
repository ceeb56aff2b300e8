"""CloudFormation evaluation features of issue 4: Fn::ForEach and the other
LanguageExtensions functions, nested stack outputs, Fn::Cidr, parameter files, SAM
applications and resource Metadata.

The fixture folders of fixtures/cloudformation that carry inline `# expect:` markers are
scanned end to end and compared with their markers (the grammar of tests/test_fixtures.py);
the tests below them pin the details: trails, contexts, diagnostics and exact messages.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from test_fixtures import assert_marked_findings, expectations

from linter.cloudformation.intrinsics import ParameterValueError
from linter.cloudformation.parameters import FileParameter, ParamFileError, load_param_file
from linter.engine import ScanOptions, scan
from linter.model import Diagnostic, Location, Resource, Step, Unknown
from linter.parsers.cloudformation import TemplateResult, parse_template, parse_template_tree

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cloudformation"
MARKED = sorted(p for p in FIXTURES.iterdir() if p.is_dir() and not (p / "expect.json").exists() and expectations(p))


def parse(text: str, params: dict[str, object] | None = None) -> TemplateResult:
    result = parse_template(textwrap.dedent(text), "t.yaml", params or {})
    assert result is not None
    return result


def resources(result: TemplateResult) -> dict[str, Resource]:
    return {r.address: r for r in result.resources}


def trail(resource: Resource, name: str) -> list[tuple[str, str]]:
    attribute = resource.attribute(name)
    assert attribute is not None
    return [(str(s.location), s.note) for s in attribute.trail]


def test_marked_fixture_folders_are_found() -> None:
    assert [p.name for p in MARKED] == [
        "cidr", "foreach-literal", "foreach-nested", "foreach-parameter", "language-extensions",
        "metadata-suppression", "nested-outputs", "sam-application",
    ]


@pytest.mark.parametrize("folder", MARKED, ids=lambda p: p.name)
def test_marked_fixture(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_marked_findings(folder, monkeypatch)


# ----------------------------------------------------------------------------- Fn::ForEach

def test_foreach_generated_resources_carry_the_item_in_their_context() -> None:
    result = parse_template_tree(FIXTURES / "foreach-parameter" / "template.yaml", "template.yaml", {})
    assert result is not None
    keys = resources(result)
    assert list(keys) == ["OrdersKey", "LogsKey", "Tenant${Tenant}Key"]
    assert keys["OrdersKey"].location == Location("template.yaml", 15, 0, 21)
    assert keys["OrdersKey"].context == (
        Step(Location("template.yaml", 15), 'Fn::ForEach::DataKeys: DataSet = "Orders"'),
        Step(Location("template.yaml", 5), 'parameter DataSets default "Orders,Logs"'),
    )
    assert trail(keys["OrdersKey"], "MultiRegion") == [
        ("template.yaml:21", 'MultiRegion: !FindInMap [Replication, Orders, Global]'),
        ("template.yaml:12", 'mapping Replication.Orders.Global = "true"'),
    ]
    tenant = keys["Tenant${Tenant}Key"]
    assert tenant.existence == Unknown(
        "Fn::ForEach::TenantKeys: its collection is unknown: parameter Tenants has no default and no value was given",
        Location("template.yaml", 22))
    assert tenant.attribute("MultiRegion").value == Unknown(  # type: ignore[union-attr]
        "Fn::FindInMap key: Fn::ForEach::TenantKeys: its collection is unknown: parameter Tenants has no default "
        "and no value was given", Location("template.yaml", 28))
    given = parse_template_tree(FIXTURES / "foreach-parameter" / "template.yaml", "template.yaml",
                                {"DataSets": "Logs", "Tenants": "Acme"})
    assert given is not None and list(resources(given)) == ["LogsKey", "TenantAcmeKey"]


def test_foreach_ampersand_form_and_sub_in_fragments() -> None:
    result = parse_template_tree(FIXTURES / "foreach-literal" / "template.yaml", "template.yaml", {})
    assert result is not None
    keys = resources(result)
    assert list(keys) == ["GlobalPrimaryKey", "GlobalBackupKey", "Regionaleuwest1Key", "Regionaluseast1Key"]
    assert keys["GlobalBackupKey"].attribute("Description").value == "Backup key, multi-Region"  # type: ignore[union-attr]
    assert keys["Regionaluseast1Key"].attribute("Description").value == "key for us-east-1"  # type: ignore[union-attr]


def test_nested_foreach_and_generated_conditions() -> None:
    result = parse_template_tree(FIXTURES / "foreach-nested" / "template.yaml", "template.yaml", {})
    assert result is not None
    keys = resources(result)
    assert list(keys) == ["EuDataKey", "EuLogsKey", "UsDataKey", "UsLogsKey", "UsReplicaOfPrimary"]
    assert [s.note for s in keys["UsLogsKey"].context] == [
        'Fn::ForEach::Regions: Region = "Us"', 'Fn::ForEach::Kinds: Kind = "Logs"']
    assert keys["UsLogsKey"].attribute("Description").value == "Logs in Us"  # type: ignore[union-attr]
    assert result.errors == [] and result.warnings == []


def test_foreach_in_properties_expands_property_keys() -> None:
    result = parse("""\
        Transform: AWS::LanguageExtensions
        Resources:
          Key:
            Type: AWS::KMS::Key
            Properties:
              Fn::ForEach::Flags:
                - Flag
                - [MultiRegion, Enabled]
                - ${Flag}: true
              Tags:
                Fn::ForEach::Tags:
                  - Team
                  - [a, b]
                  - team${Team}: !Ref Team
        """)
    key = resources(result)["Key"]
    assert {n: a.value for n, a in key.attributes.items()} == {
        "MultiRegion": True, "Enabled": True, "Tags": {"teama": "a", "teamb": "b"}}
    assert trail(key, "MultiRegion") == [
        ("t.yaml:6", 'Fn::ForEach::Flags: Flag = "MultiRegion"'), ("t.yaml:6", "MultiRegion: true")]
    assert result.errors == []


def test_foreach_errors() -> None:
    result = parse("""\
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Fn::ForEach::NoTransform:
            - X
            - [a]
            - K${X}: {Type: AWS::KMS::Key}
        """)
    assert result.resources == []
    assert result.errors == [Diagnostic("t.yaml", 3, "Fn::ForEach::NoTransform needs Transform: AWS::LanguageExtensions; "
                                                     "CloudFormation rejects the template without it")]
    result = parse("""\
        Transform: AWS::LanguageExtensions
        Resources:
          Ka: {Type: AWS::KMS::Key}
          Fn::ForEach::Twice:
            - X
            - [a, b]
            - K${X}: {Type: AWS::KMS::Key}
          Fn::ForEach::Bad: [X, [a]]
          Fn::ForEach::NotAList:
            - X
            - {Ref: AWS::Region}
            - K${X}: {Type: AWS::KMS::Key}
        """, {"AWS::Region": "eu-west-1"})
    assert list(resources(result)) == ["Ka", "Kb"]
    assert result.errors == [
        Diagnostic("t.yaml", 8, "Fn::ForEach::Bad must be [identifier, collection, {key: value}]"),
        Diagnostic("t.yaml", 9, "Fn::ForEach::NotAList: the collection !Ref AWS::Region is not a list"),
        Diagnostic("t.yaml", 4, "Fn::ForEach makes Ka, which line 3 already defines"),
    ]


def test_language_extension_functions_need_the_transform() -> None:
    result = parse("""\
        Mappings: {M: {a: {b: c}}}
        Resources:
          T:
            Type: Custom::T
            Properties:
              Len: !Length [a, b]
              Json: !ToJsonString {a: [1, "x"]}
              Map: !FindInMap [M, z, b, {DefaultValue: d}]
        """)
    assert {n: a.value for n, a in resources(result)["T"].attributes.items()} == {"Len": 2, "Json": '{"a":[1,"x"]}', "Map": "d"}
    needs = "needs Transform: AWS::LanguageExtensions; CloudFormation rejects the template without it"
    assert result.errors == [Diagnostic("t.yaml", 6, f"Fn::Length {needs}"), Diagnostic("t.yaml", 7, f"Fn::ToJsonString {needs}"),
                             Diagnostic("t.yaml", 8, f"Fn::FindInMap with DefaultValue {needs}")]


def test_language_extensions_fixture_trails() -> None:
    result = parse_template_tree(FIXTURES / "language-extensions" / "template.yaml", "template.yaml", {})
    assert result is not None
    keys = resources(result)
    assert trail(keys["FailStageDefault"], "MultiRegion") == [
        ("template.yaml:21", "MultiRegion: !FindInMap [StageSettings, !Ref Stage, Global, {DefaultValue: \"true\"}]"),
        ("template.yaml:5", 'parameter Stage default "qa"'),
        ("template.yaml:21", "mapping StageSettings has no key 'qa': DefaultValue \"true\""),
    ]
    assert keys["FailWhenTagsMatch"].attribute("Description").value == (  # type: ignore[union-attr]
        '{"replicas":["eu-west-1","ap-south-1"],"count":2}')
    assert result.errors == [] and result.warnings == []


# ----------------------------------------------------------------------------- nested outputs, Fn::Cidr

def test_nested_stack_outputs_keep_their_provenance() -> None:
    folder = FIXTURES / "nested-outputs"
    result = parse_template_tree(folder / "parent.yaml", "parent.yaml", {})
    assert result is not None
    keys = resources(result)
    assert trail(keys["FailFromChildOutput"], "MultiRegion") == [
        ("parent.yaml:18", "MultiRegion: !GetAtt SettingsStack.Outputs.Replicate"),
        ("stacks/settings.yaml:11", "output Replicate: !Ref GlobalTables"),
        ("stacks/settings.yaml:3", 'parameter GlobalTables default "true"'),
    ]
    assert keys["UnknownFromComputedOutput"].attribute("MultiRegion").value == Unknown(  # type: ignore[union-attr]
        "attribute Arn of resource BackupKey, known only after deploy", Location("stacks/settings.yaml", 13))
    assert trail(keys["FailPassedOn"], "MultiRegion")[:4] == [
        ("stacks/keys.yaml:11", "MultiRegion: !Ref Replicate"),
        ("stacks/keys.yaml:3", 'parameter Replicate passed by KeysStack "true"'),
        ("parent.yaml:12", "Parameters: {Replicate: !GetAtt SettingsStack.Outputs.Replicate, Backup: "
                           "!GetAtt SettingsStack.Outputs.BackupKe…"),
        ("stacks/settings.yaml:11", "output Replicate: !Ref GlobalTables"),
    ]
    # Each child is read once, though the parent reads its outputs before following it.
    assert result.files == ["parent.yaml", "stacks/settings.yaml", "stacks/keys.yaml"]
    assert [r.address for r in result.resources].count("BackupKey") == 1


def test_outputs_of_a_stack_that_is_not_local_or_not_created() -> None:
    result = parse("""\
        Resources:
          Remote:
            Type: AWS::CloudFormation::Stack
            Properties: {TemplateURL: https://bucket.s3.amazonaws.com/t.yaml}
          Key:
            Type: AWS::KMS::Key
            Properties:
              MultiRegion: !GetAtt Remote.Outputs.Replicate
        """)
    assert resources(result)["Key"].attribute("MultiRegion").value == Unknown(  # type: ignore[union-attr]
        "attribute Outputs.Replicate of resource Remote, known only after deploy", Location("t.yaml", 8))


def test_conditional_output_and_self_referencing_stack(tmp_path: Path) -> None:
    (tmp_path / "child.yaml").write_text(textwrap.dedent("""\
        Parameters:
          Flag: {Type: String, Default: "true"}
          Create: {Type: String, Default: "no"}
        Conditions:
          Creating: !Equals [!Ref Create, "yes"]
        Resources:
          Topic: {Type: AWS::SNS::Topic}
        Outputs:
          Flag:
            Condition: Creating
            Value: !Ref Flag
        """))
    (tmp_path / "parent.yaml").write_text(textwrap.dedent("""\
        Resources:
          Child:
            Type: AWS::CloudFormation::Stack
            Properties:
              TemplateURL: child.yaml
              Parameters:
                Flag: !GetAtt Child.Outputs.Flag
          Key:
            Type: AWS::KMS::Key
            Properties:
              MultiRegion: !GetAtt Child.Outputs.Flag
        """))
    result = parse_template_tree(tmp_path / "parent.yaml", "parent.yaml", {})
    assert result is not None
    assert resources(result)["Key"].attribute("MultiRegion").value == Unknown(  # type: ignore[union-attr]
        "output Flag exists only when condition Creating holds, which is false", Location("child.yaml", 9))
    child = resources(result)["Child"].attribute("Parameters")
    assert child is not None and child.value == {"Flag": Unknown(
        "attribute Outputs.Flag of resource Child, known only after deploy", Location("parent.yaml", 7))}


@pytest.mark.parametrize("cidr, value", [
    ('[10.0.0.0/16, 3, 8]', ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]),
    ('["192.168.0.0/24", 6, 5]', [f"192.168.0.{i * 32}/27" for i in range(6)]),
    ('["2001:db8::/56", 2, 64]', ["2001:db8::/64", "2001:db8:0:1::/64"]),
    ('[10.0.0.0/24, "2", "4"]', ["10.0.0.0/28", "10.0.0.16/28"]),
])
def test_cidr(cidr: str, value: list[str]) -> None:
    result = parse(f"Resources:\n  T:\n    Type: Custom::T\n    Properties:\n      Blocks: !Cidr {cidr}\n")
    assert resources(result)["T"].attribute("Blocks").value == value  # type: ignore[union-attr]
    assert result.warnings == []


@pytest.mark.parametrize("cidr, problem", [
    ("[10.0.0.0/24, 3, 12]", "cannot cut 3 blocks with 12 host bits from 10.0.0.0/24"),
    ("[10.0.0.0/24, 300, 2]", "cannot cut 300 blocks with 2 host bits from 10.0.0.0/24"),
    ("[10.0.0.0/30, 3, 1]", "10.0.0.0/30 holds only 2 blocks of /31"),
    ("[nonsense, 3, 8]", "nonsense is not an address block"),
    ("[10.0.0.0/16, many, 8]", "count 'many' is not a number"),
])
def test_malformed_cidr_is_unknown_with_a_warning(cidr: str, problem: str) -> None:
    result = parse(f"Resources:\n  T:\n    Type: Custom::T\n    Properties:\n      Blocks: !Cidr {cidr}\n")
    assert resources(result)["T"].attribute("Blocks").value == Unknown(  # type: ignore[union-attr]
        f"malformed Fn::Cidr: {problem}", Location("t.yaml", 5))
    assert result.warnings == [Diagnostic("t.yaml", 5, f"malformed Fn::Cidr: {problem}")]


def test_cidr_of_an_unknown_block() -> None:
    result = parse("Resources:\n  T:\n    Type: Custom::T\n    Properties:\n      Blocks: !Cidr [!GetAtt Vpc.CidrBlock, 2, 8]\n"
                   "  Vpc: {Type: AWS::EC2::VPC}\n")
    assert resources(result)["T"].attribute("Blocks").value == Unknown(  # type: ignore[union-attr]
        "Fn::Cidr: attribute CidrBlock of resource Vpc, known only after deploy", Location("t.yaml", 5))


# ----------------------------------------------------------------------------- parameter files

PARAM_FILES = FIXTURES / "param-files"


def scan_with(params: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> set[tuple[str, str]]:
    monkeypatch.chdir(PARAM_FILES)
    result = scan(ScanOptions(targets=("template.yaml",), cwd=PARAM_FILES, params=params))
    assert result.errors == ()
    return {(f.resource.address, f.status.value) for f in result.findings}


def test_cli_parameter_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PARAM_FILES)
    params = load_param_file(Path("params-cli.json"))
    assert params == {"Replicate": "true", "Environment": ""}
    replicate, environment = params["Replicate"], params["Environment"]
    assert isinstance(replicate, FileParameter) and isinstance(environment, FileParameter)
    assert (replicate.location, replicate.note, replicate.previous) == (
        Location("params-cli.json", 2), 'Replicate: ParameterValue "true"', False)
    assert (environment.location, environment.previous) == (Location("params-cli.json", 3), True)
    assert scan_with(params, monkeypatch) == {("ReplicatedKey", "fail"), ("ProdKey", "unknown")}
    result = parse_template_tree(PARAM_FILES / "template.yaml", "template.yaml", params)
    assert result is not None
    assert trail(resources(result)["ReplicatedKey"], "MultiRegion") == [
        ("template.yaml:17", "MultiRegion: !Ref Replicate"),
        ("template.yaml:4", 'parameter Replicate from params-cli.json "true"'),
        ("params-cli.json:2", 'Replicate: ParameterValue "true"'),
    ]
    assert resources(result)["ProdKey"].attribute("MultiRegion").value == Unknown(  # type: ignore[union-attr]
        "Fn::If on condition IsProd, which is unknown: parameter Environment keeps its previous value "
        "(UsePreviousValue), known only to the deployed stack", Location("template.yaml", 21))


@pytest.mark.parametrize("name", ["params-config.json", "params-config.yaml"])
def test_template_configuration_file(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PARAM_FILES)
    params = load_param_file(Path(name))
    assert params["Environment"] == "prod"
    expected = {("ProdKey", "fail")} | ({("ReplicatedKey", "fail")} if name.endswith(".yaml") else set())
    assert scan_with(params, monkeypatch) == expected


def test_parameter_file_value_outside_allowed_values_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text('{"Parameters": {"Replicate": "maybe"}}')
    params = load_param_file(tmp_path / "p.json")
    with pytest.raises(ParameterValueError) as caught:
        parse_template_tree(PARAM_FILES / "template.yaml", "template.yaml", params)
    assert str(caught.value) == (f"parameter Replicate: 'maybe' is not one of its AllowedValues ['true', 'false'] "
                                 f"(template.yaml; given in {(tmp_path / 'p.json').as_posix()}:1)")


@pytest.mark.parametrize("text, message", [
    ('[{"ParameterValue": "x"}]', "p.json:1: entry 1 has no ParameterKey"),
    ('[\n {"ParameterKey": "A", "ParameterValue": "x"},\n {"ParameterKey": "A", "ParameterValue": "y"}\n]',
     "p.json:3: entry 2: parameter A is given twice"),
    ('[{"ParameterKey": "A"}]', "p.json:1: entry 1 (A) has no ParameterValue"),
    ('[{"ParameterKey": "A", "ParameterValue": ["x"]}]', "p.json:1: entry 1 (A): ParameterValue must be a string, not a list"),
    ('{"Parameters": {"A": {"x": 1}}}', "p.json:1: parameter A: value must be a string, not a mapping"),
    ('{"A": "x"}', 'p.json: expected a list of {ParameterKey, ParameterValue} entries or a template configuration '
                   '{"Parameters": {...}}'),
    ('{"Parameters": [1]}', 'p.json: expected a list of {ParameterKey, ParameterValue} entries or a template '
                            'configuration {"Parameters": {...}}'),
    ('[{"ParameterKey": "A",]', "p.json: invalid JSON: Expecting property name enclosed in double quotes (line 1, column 23)"),
])
def test_malformed_parameter_files(text: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("p.json").write_text(text)
    with pytest.raises(ParamFileError) as caught:
        load_param_file(Path("p.json"))
    assert str(caught.value) == message


def test_missing_parameter_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ParamFileError, match=r"^nope\.json: cannot read the parameter file: No such file or directory$"):
        load_param_file(Path("nope.json"))


# ----------------------------------------------------------------------------- SAM, Metadata

def test_sam_application_is_followed_and_globals_are_quiet() -> None:
    result = parse_template_tree(FIXTURES / "sam-application" / "template.yaml", "template.yaml", {})
    assert result is not None
    keys = resources(result)
    assert list(keys) == ["AppKey", "Worker", "Keys", "Shared", "FailFromApplication"]
    assert keys["FailFromApplication"].context == (Step(Location("template.yaml", 24, 0, 29), "nested stack Keys"),)
    assert trail(keys["FailFromApplication"], "MultiRegion")[:3] == [
        ("apps/keys.yaml:11", "MultiRegion: !Ref Replicate"),
        ("apps/keys.yaml:4", 'parameter Replicate passed by Keys "true"'),
        ("template.yaml:28", 'Parameters: {Replicate: !If [IsProd, "true", "false"]}'),
    ]
    assert result.errors == []
    assert result.warnings == [Diagnostic("template.yaml", 30, "serverless application Shared comes from the Serverless "
                                                               "Application Repository; its resources are not checked")]


def test_serverless_application_without_the_transform_is_a_plain_resource() -> None:
    result = parse("Resources:\n  App:\n    Type: AWS::Serverless::Application\n    Properties: {Location: app.yaml}\n")
    assert result.nested_stacks == [] and result.warnings == []


def test_resource_metadata_is_plain_data() -> None:
    result = parse("""\
        Resources:
          Key:
            Type: AWS::KMS::Key
            Metadata:
              iaclint: {ignore: [{id: KMS001, reason: ok, until: 2099-01-01}]}
              Note: !Ref Other
          Other: {Type: AWS::SNS::Topic}
        """)
    metadata = resources(result)["Key"].metadata
    assert metadata == {"iaclint": {"ignore": [{"id": "KMS001", "reason": "ok", "until": "2099-01-01"}]},
                        "Note": {"Ref": "Other"}}
    assert type(metadata) is dict and type(metadata["iaclint"]["ignore"]) is list  # type: ignore[index]
    assert resources(result)["Other"].metadata == {}


def test_parameters_unknown_as_a_whole_make_every_child_parameter_unknown(tmp_path: Path) -> None:
    (tmp_path / "child.yaml").write_text(textwrap.dedent("""\
        Parameters:
          Replicate: {Type: String, Default: "false"}
        Resources:
          Key:
            Type: AWS::KMS::Key
            Properties:
              MultiRegion: !Ref Replicate
              Description: !Sub "in ${AWS::Region}"
        """))
    (tmp_path / "parent.yaml").write_text(textwrap.dedent("""\
        Conditions:
          InEurope: !Equals [!Ref "AWS::Region", eu-west-1]
        Resources:
          Child:
            Type: AWS::CloudFormation::Stack
            Properties:
              TemplateURL: child.yaml
              Parameters: !If [InEurope, {Replicate: "true"}, {Replicate: "false"}]
        """))
    result = parse_template_tree(tmp_path / "parent.yaml", "parent.yaml", {"AWS::Partition": "aws"})
    assert result is not None
    key = resources(result)["Key"]
    reason = "Fn::If on condition InEurope, which is unknown: pseudo parameter AWS::Region is known only at deploy time"
    assert key.attribute("MultiRegion").value == Unknown(reason, Location("parent.yaml", 8))  # type: ignore[union-attr]
    assert key.attribute("Description").value == Unknown(  # type: ignore[union-attr]
        'Fn::Sub "in ${AWS::Region}": pseudo parameter AWS::Region is known only at deploy time', Location("child.yaml", 8))
    given = parse_template_tree(tmp_path / "parent.yaml", "parent.yaml", {"AWS::Region": "eu-west-1"})
    assert given is not None and resources(given)["Key"].attribute("MultiRegion").value == "true"  # type: ignore[union-attr]


def test_refs_to_resources_sam_adds_are_unknown_without_a_warning() -> None:
    result = parse("""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {Handler: a.b, Runtime: python3.12, CodeUri: .}
          Topic:
            Type: AWS::SNS::Topic
            Properties:
              TopicName: !Ref FnRole
        """)
    assert resources(result)["Topic"].attribute("TopicName").value == Unknown(  # type: ignore[union-attr]
        "physical ID of FnRole, a resource the SAM transform may add, known only after deploy", Location("t.yaml", 9))
    assert result.warnings == [] and result.errors == []
