"""CDK cloud assemblies -> resources: stacks, Stages, nested stacks, construct paths and
contexts, on the case fixtures (copies of ../shared/cases), hand-made assemblies for the
fallbacks and failures, and the real `cdk synth` output of ../shared/corpus/cdk-synth
(skipped when it is absent), checked against the tables of its READMEs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linter.engine import ScanOptions, scan
from linter.model import Attribute, Diagnostic, Location, Resource, SourceFormat, Step, Unknown
from linter.parsers.cdk import AssemblyResult, app_frame, is_assembly_manifest, parse_assembly

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "cdk"
SYNTH = ROOT.parent / "shared" / "corpus" / "cdk-synth"
KMS_TYPES = ("AWS::KMS::Key", "AWS::KMS::ReplicaKey")


def assemble(folder: Path, params: dict[str, object] | None = None) -> AssemblyResult:
    return parse_assembly(folder / "cdk.out" / "manifest.json", "cdk.out/manifest.json", params or {})


def attr(resource: Resource, name: str) -> Attribute:
    attribute = resource.attribute(name)
    assert attribute is not None, (resource.address, name)
    return attribute


def keyed(result: AssemblyResult) -> dict[tuple[str, str], Resource]:
    return {(r.location.path, r.address): r for r in result.resources}


def multi_region(resource: Resource) -> object:
    attribute = resource.attribute("MultiRegion")
    return "absent" if attribute is None else attribute.value


def test_is_assembly_manifest() -> None:
    assert is_assembly_manifest(FIXTURES / "bl-38-cdk-no-path-metadata" / "cdk.out" / "manifest.json")
    assert is_assembly_manifest(FIXTURES / "bl-38-cdk-no-path-metadata" / "cdk.out")
    assert not is_assembly_manifest(FIXTURES / "bl-38-cdk-no-path-metadata")
    assert is_assembly_manifest({"version": "36.0.0", "artifacts": {"S": {"type": "aws:cloudformation:stack"}}})
    assert not is_assembly_manifest(FIXTURES / "bl-38-cdk-no-path-metadata" / "cdk.out" / "Crypto.template.json")
    assert not is_assembly_manifest({"stacks": {"s": {"synthesizedStackPath": "stacks/s/cdk.tf.json"}}})  # CDK for Terraform
    assert not is_assembly_manifest({"name": "app", "version": "1.0.0"})  # package.json


def test_nested_stack_in_stage() -> None:
    result = assemble(FIXTURES / "bl-37-cdk-nested-stack-in-stage")
    replica = keyed(result)[("cdk.out/assembly-Prod/ProdAppCrypto8B4C2D6E.nested.template.json", "BackupReplica")]
    assert replica.type == "AWS::KMS::ReplicaKey" and replica.source_format is SourceFormat.CDK
    assert replica.location == Location("cdk.out/assembly-Prod/ProdAppCrypto8B4C2D6E.nested.template.json", 3, 0, 15)
    assert replica.construct_path == "Prod/App/Crypto/BackupReplica"
    assert replica.context == (
        Step(Location("cdk.out/manifest.json", 4), "stage Prod"),
        Step(Location("cdk.out/assembly-Prod/manifest.json", 4), "stack Prod/App (stack name Prod-App)"),
        Step(Location("cdk.out/assembly-Prod/ProdAppD1E2F3A4.template.json", 3, 0, 34), "nested stack Crypto"),
    )
    assert [r.address for r in result.resources] == ["CryptoNestedStackCryptoNestedStackResource7A3B9C1D", "BackupReplica"]
    assert result.files == {
        "cdk.out/manifest.json", "cdk.out/assembly-Prod/manifest.json",
        "cdk.out/assembly-Prod/ProdAppD1E2F3A4.template.json",
        "cdk.out/assembly-Prod/ProdAppCrypto8B4C2D6E.nested.template.json",
    }
    folder = (FIXTURES / "bl-37-cdk-nested-stack-in-stage" / "cdk.out").resolve()
    assert result.consumed == {folder / "manifest.json", folder / "assembly-Prod" / "manifest.json",
                               folder / "assembly-Prod" / "ProdAppD1E2F3A4.template.json",
                               folder / "assembly-Prod" / "ProdAppCrypto8B4C2D6E.nested.template.json"}
    assert result.errors == [] and result.warnings == []


def test_construct_paths_from_inline_manifest_metadata() -> None:
    result = assemble(FIXTURES / "bl-38-cdk-no-path-metadata")
    keys = keyed(result)
    dr = keys[("cdk.out/Crypto.template.json", "DrKeyA1B2C3D4")]
    local = keys[("cdk.out/Crypto.template.json", "LocalKey9F8E7D6C")]
    assert (dr.construct_path, multi_region(dr)) == ("Crypto/DrKey/Resource", True)
    assert (local.construct_path, multi_region(local)) == ("Crypto/LocalKey/Resource", "absent")
    assert dr.location == Location("cdk.out/Crypto.template.json", 3, 0, 14)
    assert dr.context == (Step(Location("cdk.out/manifest.json", 4), "stack Crypto"),)


def test_same_stack_name_in_two_environments() -> None:
    result = assemble(FIXTURES / "bl-67-cdk-same-stack-name")
    keys = keyed(result)
    us = keys[("cdk.out/KeysUs.template.json", "GlobalKey2D4F6B8C")]
    eu = keys[("cdk.out/KeysEu.template.json", "RegionalKey3C5E7A9B")]
    assert (multi_region(us), multi_region(eu)) == (True, False)
    assert us.context == (Step(Location("cdk.out/manifest.json", 14), "stack KeysUs (stack name keys, aws://111122223333/us-east-1)"),)
    assert eu.construct_path == "KeysEu/RegionalKey/Resource"


def test_nested_templates_without_asset_metadata() -> None:
    """No `aws:asset:path`: the asset hash of TemplateURL (assets.json), then the
    `aws:cdk:templateFile` metadata; construct paths from the nested stack's metadata."""
    result = assemble(FIXTURES / "asset-fallback")
    keys = keyed(result)
    parent_key = keys[("cdk.out/App.template.json", "RegionalKey5E6F7A8B")]
    nested_key = keys[("cdk.out/AppKeys1A2B3C4D.nested.template.json", "RegionalKey5E6F7A8B")]
    other = keys[("cdk.out/AppOther9F8E7D6C.nested.template.json", "OtherKey0A1B2C3D")]
    assert parent_key.construct_path == "App/RegionalKey/Resource"
    assert nested_key.construct_path == "App/Keys/RegionalKey/Resource"
    assert other.construct_path == "App/Other/OtherKey/Resource"
    # The environment's Region decides the parent's condition.
    assert multi_region(parent_key) is True
    assert [(str(s.location), s.note) for s in attr(parent_key, "MultiRegion").trail] == [
        ("cdk.out/App.template.json:19", "MultiRegion: !If [InEurope, true, false]"),
        ("cdk.out/App.template.json:10", 'condition InEurope: true (AWS::Region from the stack environment "eu-west-1")'),
        ("cdk.out/App.template.json:11", 'pseudo parameter AWS::Region from the stack environment "eu-west-1"'),
        ("cdk.out/manifest.json:10", "environment aws://111122223333/eu-west-1"),
    ]
    # The nested stack's parameter comes from the parent's Parameters property.
    assert multi_region(nested_key) == "true"
    assert [(str(s.location), s.note) for s in attr(nested_key, "MultiRegion").trail] == [
        ("cdk.out/AppKeys1A2B3C4D.nested.template.json:13", "MultiRegion: !Ref Replicate"),
        ("cdk.out/AppKeys1A2B3C4D.nested.template.json:3",
         'parameter Replicate passed by KeysNestedStackKeysNestedStackResource9C8B7A6D "true"'),
        ("cdk.out/App.template.json:29", "Parameters: {Replicate: !Ref ReplicateKeys}"),
        ("cdk.out/App.template.json:3", 'parameter ReplicateKeys default "true"'),
    ]
    assert nested_key.context[-1] == Step(Location("cdk.out/App.template.json", 22, 0, 33), "nested stack Keys")
    # The account is known from the environment too, so the replica's ARN is known.
    assert attr(other, "PrimaryKeyArn").value == Unknown(
        'Fn::Sub "arn:${AWS::Partition}:kms:us-east-1:${AWS::AccountId}:key/mrk-1": pseudo parameter '
        "AWS::Partition is known only at deploy time", Location("cdk.out/AppOther9F8E7D6C.nested.template.json", 7))
    assert result.errors == [] and result.warnings == []
    given = assemble(FIXTURES / "asset-fallback", {"ReplicateKeys": "false"})
    assert multi_region(keyed(given)[("cdk.out/AppKeys1A2B3C4D.nested.template.json", "RegionalKey5E6F7A8B")]) == "false"


def test_broken_assembly_gives_errors_and_never_loops() -> None:
    result = assemble(FIXTURES / "broken")
    assert result.resources == []
    assert result.errors == [
        Diagnostic("cdk.out/manifest.json", 4, "stack Gone: template file Gone.template.json not found"),
        Diagnostic("cdk.out/Garbled.template.json", 5, "invalid JSON: Expecting ',' delimiter", 7),
        Diagnostic("cdk.out/manifest.json", 20, "cloud assembly assembly-Self contains itself"),
    ]


@pytest.mark.parametrize("case", sorted(p for p in FIXTURES.iterdir() if (p / "expect.json").is_file()), ids=lambda p: p.name)
def test_case_fixture(case: Path) -> None:
    expect = json.loads((case / "expect.json").read_text())
    by_address = {r.address: r for r in assemble(case).resources}
    for item in expect["expect"]:
        resource = by_address[item["address"]]
        flagged = resource.type == "AWS::KMS::ReplicaKey" or multi_region(resource) in (True, "true")
        assert ("fail" if flagged else "pass") == item["status"]
        assert resource.location.path == item.get("path", resource.location.path)


# ----------------------------------------------------------------------------- cdk synth corpus

# kms-mixed/README.md: template (relative to cdk.out), logical ID, construct path, MultiRegion.
KMS_MIXED = {
    ("KmsMixedStack.template.json", "MultiRegionKey71A92F06"): ("KmsMixedStack/MultiRegionKey/Resource", True),
    ("KmsMixedStack.template.json", "L1MultiRegionKey"): ("KmsMixedStack/L1MultiRegionKey", True),
    ("KmsMixedStack.template.json", "ReplicaKey"): ("KmsMixedStack/ReplicaKey", "replica"),
    ("KmsMixedStack.template.json", "ParameterisedKey"): ("KmsMixedStack/ParameterisedKey", "true"),
    ("KmsMixedStack.template.json", "ConditionalKey"): ("KmsMixedStack/ConditionalKey", True),
    ("KmsMixedStack.template.json", "EscapeHatchKeyF1AEA372"): ("KmsMixedStack/EscapeHatchKey/Resource", "true"),
    ("KmsMixedStackKeysNested9F0A6D07.nested.template.json", "NestedMultiRegionKey2D3E0B0F"):
        ("KmsMixedStack/KeysNested/NestedMultiRegionKey/Resource", True),
    ("assembly-DrStage/DrStageDrKeyStack3235406E.template.json", "StageMultiRegionKey45871C77"):
        ("DrStage/DrKeyStack/StageMultiRegionKey/Resource", True),
    ("KmsMixedStack.template.json", "SingleRegionKeyF751E0C5"): ("KmsMixedStack/SingleRegionKey/Resource", "absent"),
    ("KmsMixedStack.template.json", "ExplicitSingleRegionKey7C50728A"): ("KmsMixedStack/ExplicitSingleRegionKey/Resource", False),
    ("KmsMixedStack.template.json", "L1SingleRegionKey"): ("KmsMixedStack/L1SingleRegionKey", False),
    ("KmsMixedStackKeysNested9F0A6D07.nested.template.json", "NestedSingleRegionKeyD86616A6"):
        ("KmsMixedStack/KeysNested/NestedSingleRegionKey/Resource", "absent"),
    ("assembly-DrStage/DrStageDrKeyStack3235406E.template.json", "StageSingleRegionKeyA769BA1C"):
        ("DrStage/DrKeyStack/StageSingleRegionKey/Resource", "absent"),
}

KMS_CLEAN = {
    ("KmsCleanStack.template.json", "DataKey17AFBB84"): ("KmsCleanStack/DataKey/Resource", "absent"),
    ("KmsCleanStack.template.json", "ExplicitSingleRegionKey7C50728A"): ("KmsCleanStack/ExplicitSingleRegionKey/Resource", False),
    ("KmsCleanStack.template.json", "L1SingleRegionKey"): ("KmsCleanStack/L1SingleRegionKey", False),
    ("KmsCleanStack.template.json", "L1DecoyKey"): ("KmsCleanStack/L1DecoyKey", "absent"),
    ("KmsCleanStackCleanNested54E9EF4D.nested.template.json", "NestedKey8502707A"):
        ("KmsCleanStack/CleanNested/NestedKey/Resource", "absent"),
    ("assembly-CleanStage/CleanStageCleanStagedStack7CC89A74.template.json", "StageKey93D93A71"):
        ("CleanStage/CleanStagedStack/StageKey/Resource", "absent"),
}


@pytest.mark.skipif(not SYNTH.is_dir(), reason="../shared/corpus/cdk-synth is not here")
@pytest.mark.parametrize("app, table", [("kms-mixed", KMS_MIXED), ("kms-clean", KMS_CLEAN)])
def test_cdk_synth_keys_match_readme(app: str, table: dict[tuple[str, str], tuple[str, object]]) -> None:
    result = parse_assembly(SYNTH / app / "cdk.out" / "manifest.json", f"{app}/cdk.out/manifest.json", {})
    prefix = f"{app}/cdk.out/"
    got = {}
    for resource in result.resources:
        if resource.type in KMS_TYPES:
            assert resource.existence is None, resource.address
            kind = "replica" if resource.type == "AWS::KMS::ReplicaKey" else multi_region(resource)
            got[(resource.location.path.removeprefix(prefix), resource.address)] = (resource.construct_path, kind)
    assert got == table
    assert result.errors == [] and result.warnings == []


@pytest.mark.skipif(not SYNTH.is_dir(), reason="../shared/corpus/cdk-synth is not here")
def test_cdk_synth_contexts_and_trails() -> None:
    result = parse_assembly(SYNTH / "kms-mixed" / "cdk.out" / "manifest.json", "cdk.out/manifest.json", {})
    keys = {r.address: r for r in result.resources}
    assert keys["NestedMultiRegionKey2D3E0B0F"].context == (
        Step(Location("cdk.out/manifest.json", 19), "stack KmsMixedStack"),
        Step(Location("cdk.out/KmsMixedStack.template.json", 482, 0, 513), "nested stack KeysNested"),
        Step(Location("app.js", 40, 5), "construct created here, in new KeysNestedStack"),
    )
    assert keys["StageMultiRegionKey45871C77"].context == (
        Step(Location("cdk.out/manifest.json", 4), "stage DrStage"),
        Step(Location("cdk.out/assembly-DrStage/manifest.json", 12), "stack DrStage/DrKeyStack (stack name DrStage-DrKeyStack)"),
        Step(Location("app.js", 190, 5), "construct created here, in new DrKeyStack"),
    )
    assert [(s.location.line, s.note) for s in attr(keys["ConditionalKey"], "MultiRegion").trail] == [
        (428, "MultiRegion: !If [IsProduction, true, false]"),
        (550, 'condition IsProduction: true (EnvironmentName default "prod")'),
        (535, 'parameter EnvironmentName default "prod"'),
    ]
    assert [(s.location.line, s.note) for s in attr(keys["ParameterisedKey"], "MultiRegion").trail] == [
        (386, "MultiRegion: !Ref EnableMultiRegion"), (526, 'parameter EnableMultiRegion default "true"')]
    assert keys["ConsumerBucket7FE5DCDD"].references == ()
    assert keys["DataBucketE3889A50"].references == ("MultiRegionKey71A92F06",)
    # CDKMetadata exists only in some Regions; with no Region given that is unknown.
    assert keys["CDKMetadata"].existence is not None
    given = parse_assembly(SYNTH / "kms-mixed" / "cdk.out" / "manifest.json", "cdk.out/manifest.json",
                           {"EnableMultiRegion": "false", "EnvironmentName": "dev"})
    given_keys = {r.address: r for r in given.resources}
    assert multi_region(given_keys["ParameterisedKey"]) == "false"
    assert "ConditionalKey" not in given_keys


INTEG = ROOT.parent / "shared" / "corpus" / "cdk" / "aws__aws-cdk" / "packages" / "@aws-cdk-testing" / "framework-integ" / "test" / "aws-kms" / "test"


@pytest.mark.skipif(not INTEG.is_dir(), reason="../shared/corpus/cdk is not here")
def test_integ_snapshot_with_schema_36_inline_metadata() -> None:
    """An aws-cdk integ snapshot: schema 36, no `aws:cdk:path` in the template, construct
    paths only in the manifest's inline metadata; the assertion stack has no resources."""
    result = parse_assembly(INTEG / "integ.key-multi-region.js.snapshot" / "manifest.json", "snap/manifest.json", {})
    assert [(r.location.path, r.address, r.construct_path, multi_region(r)) for r in result.resources] == [
        ("snap/TestStack.template.json", "keyFEDD6EC0", "TestStack/key/Resource", True)]
    assert result.errors == [] and result.warnings == []


# ----------------------------------------------------------------------------- creation stack traces, assets

CREATION = FIXTURES / "creation-stack"


def test_creation_stack_gives_the_app_source_line() -> None:
    result = parse_assembly(CREATION / "cdk.out" / "manifest.json", "creation-stack/cdk.out/manifest.json", {})
    keys = {r.address: r for r in result.resources}
    stack = Step(Location("creation-stack/cdk.out/manifest.json", 4), "stack App")
    # The first frame outside node_modules, relative to the app folder that holds cdk.out.
    assert keys["DataKey1A2B3C4D"].context == (
        stack, Step(Location("creation-stack/bin/app.ts", 9, 5), "construct created here, in new AppStack"))
    # A frame whose file is not in the app folder is shown as recorded.
    assert keys["PlainKey"].context == (
        stack, Step(Location("/opt/elsewhere/lib/app-stack.ts", 12, 5), "construct created here, in new AppStack"))
    assert keys["DataKey1A2B3C4D"].metadata == {"aws:cdk:path": "App/DataKey/Resource"}
    assert result.errors == [] and result.warnings == []


def test_assets_are_not_scanned_as_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CREATION)
    result = scan(ScanOptions(targets=(".",), cwd=CREATION))
    assert [(f.resource.address, f.status.value, f.resource.location.path, f.resource.location.line,
             f.resource.construct_path) for f in result.findings] == [
        ("DataKey1A2B3C4D", "fail", "cdk.out/App.template.json", 3, "App/DataKey/Resource")]
    assert [s.note for s in result.findings[0].evidence] == [
        "stack App", "construct created here, in new AppStack", "MultiRegion: true"]
    assert result.resources == 2 and result.errors == ()


@pytest.mark.parametrize("frames, frame", [
    (["new Key (/w/app/node_modules/aws-cdk-lib/aws-kms/lib/key.js:1:2)", "new S (/w/app/lib/s.ts:3:4)"],
     ("/w/app/lib/s.ts", 3, 4, "new S")),
    (["...new Key2 in aws-cdk-lib...", "<anonymous> (/w/app/app.js:220:14)", "...node internals..."],
     ("/w/app/app.js", 220, 14, "")),
    (["at Object.<anonymous> (file:///w/app/bin/app.mjs:5:1)"], ("/w/app/bin/app.mjs", 5, 1, "")),
    (["/w/app/bin/app.js:7:9"], ("/w/app/bin/app.js", 7, 9, "")),
    (["node:internal/modules/cjs/loader:1368:14", "(no user code in 10 frames)"], None),
    (["new S (C:\\w\\app\\node_modules\\x.js:1:2)", "new T (C:\\w\\app\\lib\\t.ts:2:3)"], ("C:\\w\\app\\lib\\t.ts", 2, 3, "new T")),
])
def test_app_frame(frames: list[str], frame: tuple[str, int, int, str] | None) -> None:
    assert app_frame(frames) == frame
