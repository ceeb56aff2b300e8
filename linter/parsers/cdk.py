"""CDK cloud assemblies (`cdk.out`) -> `Resource` records with construct paths.

An assembly is a `manifest.json` whose artifacts name stack templates
(`aws:cloudformation:stack` -> `properties.templateFile`) and Stage sub-assemblies
(`cdk:cloud-assembly` -> `properties.directoryName`, with their own manifest). Nested stacks
are not artifacts: the parent template's `AWS::CloudFormation::Stack` resource names its
template in `Metadata."aws:asset:path"`, or, when that metadata is off, through the asset
hash in its `TemplateURL` (`<Stack>.assets.json`) or the `aws:cdk:templateFile` metadata.

Construct paths come from each resource's `aws:cdk:path` metadata; when an assembly was made
without it, from the `aws:cdk:logicalId` entries of the stack's metadata (inline in older
manifests, in `additionalMetadataFile` in newer ones). Each resource's context is the chain
of Stages, stacks and nested stacks that leads to it, and, when the assembly recorded
creation stack traces (`cdk synth --debug`, `aws:cdk:creationStack`), the line of the app's
source that created the construct. Asset folders are never read as templates.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Mapping

from linter.cloudformation.intrinsics import Given
from linter.model import Diagnostic, Location, Resource, SourceFormat, Step
from linter.parsers.cloudformation import NestedStack, parse_template_tree
from linter.parsers.yamljson import LoadError, key_line, load_json

STACK = "aws:cloudformation:stack"
NESTED_ASSEMBLY = "cdk:cloud-assembly"
ASSET_MANIFEST = "cdk:asset-manifest"
_ASSET_HASH = re.compile(r"([0-9a-f]{64})\.json$")


@dataclass
class AssemblyResult:
    resources: list[Resource] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    # Every file read (manifests, templates, nested templates, metadata, asset manifests),
    # so the caller does not scan them again as plain CloudFormation: resolved paths in
    # `consumed`, display paths in `files`.
    consumed: set[Path] = field(default_factory=set)
    files: set[str] = field(default_factory=set)


def is_assembly_manifest(path_or_data: Path | str | object) -> bool:
    """Whether a `manifest.json` (its path, its folder, or its loaded data) is a CDK cloud
    assembly's (CDK for Terraform's `manifest.json` is not)."""
    if isinstance(path_or_data, (str, Path)):
        path = Path(path_or_data)
        path = path / "manifest.json" if path.is_dir() else path
        if path.name != "manifest.json" or not path.is_file():
            return False
        try:
            path_or_data = load_json(path.read_text(encoding="utf-8")).data
        except (OSError, UnicodeDecodeError, LoadError):
            return False
    if not isinstance(path_or_data, dict):
        return False
    artifacts = path_or_data.get("artifacts")
    return (isinstance(path_or_data.get("version"), str) and isinstance(artifacts, dict)
            and all(isinstance(a, dict) and isinstance(a.get("type"), str) for a in artifacts.values()))


def parse_assembly(manifest_path: Path, display_path: str, params: Mapping[str, object] | None = None) -> AssemblyResult:
    """Every resource of every stack, nested stack and Stage of the assembly.

    `params` are given parameter values for the top-level stacks (as `cdk deploy
    --parameters` gives them); a value outside AllowedValues raises ParameterValueError.
    """
    result = AssemblyResult()
    app = _AppFolder(manifest_path.parent.parent, posixpath.dirname(posixpath.dirname(display_path)))
    _Walker(result, dict(params or {}), app).assembly(manifest_path, display_path, (), ())
    return result


class _Walker:
    def __init__(self, result: AssemblyResult, params: dict[str, object], app: _AppFolder) -> None:
        self.result = result
        self.params = params
        self.app = app

    def assembly(self, manifest: Path, display: str, context: tuple[Step, ...], chain: tuple[Path, ...]) -> None:
        data = self._read_json(manifest, display)
        if data is None:
            return
        artifacts = data.get("artifacts")
        if not isinstance(artifacts, dict):
            return
        assets = self._assets(manifest.parent, display, artifacts)
        for artifact_id, artifact in artifacts.items():
            line = key_line(artifacts, artifact_id, 1)
            kind = artifact.get("type") if isinstance(artifact, dict) else None
            if kind == STACK:
                self.stack(manifest, display, artifact_id, artifact, line, context, assets)
            elif kind == NESTED_ASSEMBLY:
                self.stage(manifest, display, artifact_id, artifact, line, context, (*chain, manifest.resolve()))

    def stage(self, manifest: Path, display: str, artifact_id: str, artifact: Mapping[str, Any], line: int,
              context: tuple[Step, ...], chain: tuple[Path, ...]) -> None:
        directory = _properties(artifact).get("directoryName")
        if not isinstance(directory, str):
            self._error(display, line, f"cloud assembly {artifact_id} has no directoryName")
            return
        child = manifest.parent / directory / "manifest.json"
        child_display = _join(display, f"{directory}/manifest.json")
        if not child.is_file():
            self._error(display, line, f"cloud assembly {artifact_id}: {directory}/manifest.json not found")
            return
        if child.resolve() in chain:
            self._error(display, line, f"cloud assembly {artifact_id} contains itself")
            return
        name = artifact.get("displayName") or _properties(artifact).get("displayName") or artifact_id
        step = Step(Location(display, line), f"stage {name}")
        self.assembly(child, child_display, (*context, step), chain)

    def stack(self, manifest: Path, display: str, artifact_id: str, artifact: Mapping[str, Any], line: int,
              context: tuple[Step, ...], assets: Mapping[str, str]) -> None:
        properties = _properties(artifact)
        template = properties.get("templateFile")
        if not isinstance(template, str):
            self._error(display, line, f"stack {artifact_id} has no templateFile")
            return
        file = manifest.parent / template
        if not file.is_file():
            self._error(display, line, f"stack {artifact_id}: template file {template} not found")
            return
        index = _ConstructIndex(self._metadata(manifest.parent, display, artifact), template)
        step = Step(Location(display, line), _stack_note(artifact_id, artifact))
        params = {**_environment(artifact, artifact_id, Location(display, line)), **self.params}
        tree = parse_template_tree(
            file, _join(display, template), params, source_format=SourceFormat.CDK,
            context=(*context, step), locate=_NestedLocator(index, assets),
            construct_paths=lambda shown: index.logical_ids(posixpath.basename(shown)), known_template=True,
        )
        if tree is None:
            self._error(display, line, f"stack {artifact_id}: {template} is not a CloudFormation template")
            return
        self.result.resources.extend(self._with_creation(r, index) for r in tree.resources)
        self.result.errors.extend(tree.errors)
        self.result.warnings.extend(tree.warnings)
        self.result.files.update(tree.files)
        self.result.consumed.update(tree.sources)

    def _with_creation(self, resource: Resource, index: _ConstructIndex) -> Resource:
        """The resource, with the app source line that created its construct when known."""
        frame = index.creation.get(resource.construct_path or "")
        if frame is None:
            return resource
        file, line, column, function = frame
        note = "construct created here" + (f", in {function}" if function else "")
        step = Step(Location(self.app.show(file), line, column), note)
        return dataclasses.replace(resource, context=(*resource.context, step))

    def _assets(self, folder: Path, display: str, artifacts: Mapping[str, Any]) -> dict[str, str]:
        """Asset hash -> file (relative to the assembly folder) of every asset manifest."""
        sources: dict[str, str] = {}
        for artifact in artifacts.values():
            name = _properties(artifact).get("file") if isinstance(artifact, dict) and artifact.get("type") == ASSET_MANIFEST else None
            data = self._read_json(folder / name, _join(display, name), quiet=True) if isinstance(name, str) else None
            files = data.get("files") if isinstance(data, dict) else None
            for digest, entry in (files or {}).items():
                path = entry.get("source", {}).get("path") if isinstance(entry, dict) else None
                if isinstance(path, str):
                    sources[digest] = path
        return sources

    def _metadata(self, folder: Path, display: str, artifact: Mapping[str, Any]) -> Mapping[str, Any]:
        inline = artifact.get("metadata")
        if isinstance(inline, dict):
            return inline
        name = artifact.get("additionalMetadataFile")
        if isinstance(name, str):
            data = self._read_json(folder / name, _join(display, name), quiet=True)
            return data if isinstance(data, dict) else {}
        return {}

    def _read_json(self, file: Path, display: str, quiet: bool = False) -> Any:
        try:
            data = load_json(file.read_text(encoding="utf-8")).data
        except (OSError, UnicodeDecodeError) as error:
            if not quiet:
                self._error(display, 0, f"cannot read {posixpath.basename(display)}: {error}")
            return None
        except LoadError as error:
            self.result.errors.append(Diagnostic(display, error.line, error.message, error.column))
            return None
        self.result.files.add(display)
        self.result.consumed.add(file.resolve())
        return data

    def _error(self, path: str, line: int, message: str) -> None:
        self.result.errors.append(Diagnostic(path, line, message))


class _ConstructIndex:
    """Logical ID -> construct path per template, from `aws:cdk:logicalId` metadata.

    Entries belong to the stack whose `aws:cdk:templateFile` entry is their longest path
    prefix (nested stacks have one), else to the artifact's own template.
    """

    def __init__(self, metadata: Mapping[str, Any], own_template: str) -> None:
        self.template_files: dict[str, str] = {}
        # Construct path (no leading slash) -> the first frame of the app's own code.
        self.creation: dict[str, Frame] = {}
        logical_ids: list[tuple[str, str]] = []
        for path, entries in metadata.items():
            for entry in entries if isinstance(entries, list) else []:
                kind, data = (entry.get("type"), entry.get("data")) if isinstance(entry, dict) else (None, None)
                if kind == "aws:cdk:logicalId" and isinstance(data, str):
                    logical_ids.append((path, data))
                elif kind == "aws:cdk:templateFile" and isinstance(data, str):
                    self.template_files[path] = data
                elif kind == "aws:cdk:creationStack" and isinstance(data, list):
                    frame = app_frame(data)
                    if frame is not None:
                        self.creation[path.lstrip("/")] = frame
        self._by_file: dict[str, dict[str, str]] = {}
        for path, logical_id in logical_ids:
            owner = max((r for r in self.template_files if path.startswith(r + "/")), key=len, default=None)
            template = self.template_files[owner] if owner is not None else own_template
            self._by_file.setdefault(template, {})[logical_id] = path.lstrip("/")

    def logical_ids(self, template: str) -> Mapping[str, str]:
        return self._by_file.get(template, {})


# (file as recorded, line, column, function) of one stack frame.
Frame = tuple[str, int, int, str]
# `new KmsMixedStack (/home/dev/app/app.js:27:5)`, `at Object.<anonymous> (file:///x/app.mjs:3:1)`,
# or a bare `/home/dev/app/lib/stack.ts:12:7`.
_FRAME = re.compile(r"^\s*(?:at\s+)?(?:(?P<function>[^()]*?)\s+\()?(?P<file>[^()]+?):(?P<line>\d+):(?P<column>\d+)\)?\s*$")


def app_frame(frames: list[Any]) -> Frame | None:
    """The first frame of a creation stack trace that is the app's own code: not in
    node_modules, not Node.js internals, not a summary line (`...new Key2 in aws-cdk-lib...`)."""
    for frame in frames:
        match = _FRAME.match(frame) if isinstance(frame, str) else None
        if match is None:
            continue
        file = match.group("file").removeprefix("file://")
        if "node_modules" in file.replace("\\", "/").split("/") or file.startswith(("node:", "internal/")):
            continue
        function = (match.group("function") or "").strip()
        function = "" if function in ("<anonymous>", "Object.<anonymous>") else function
        return file, int(match.group("line")), int(match.group("column")), function
    return None


class _AppFolder:
    """Where the app's source files are: the folder holding the assembly (`cdk.out`).

    Stack traces record absolute paths on the machine that synthesized; a recorded path
    that runs through a folder of this folder's name, to a file that exists here, is shown
    relative to it; any other path is shown as recorded."""

    def __init__(self, folder: Path, display: str) -> None:
        self.folder = folder
        self.display = display

    def show(self, recorded: str) -> str:
        parts = PurePosixPath(recorded.replace("\\", "/")).parts
        name = self.folder.resolve().name
        for index in range(len(parts) - 1, -1, -1):
            rest = parts[index + 1:]
            if parts[index] == name and rest and self.folder.joinpath(*rest).is_file():
                return posixpath.join(self.display, *rest) if self.display else posixpath.join(*rest)
        return recorded


class _NestedLocator:
    """Finds a nested stack's template, relative to the parent template's folder."""

    def __init__(self, index: _ConstructIndex, assets: Mapping[str, str]) -> None:
        self.index = index
        self.assets = assets

    def __call__(self, parent: Path, nested: NestedStack) -> str | None:
        asset = nested.metadata.get("aws:asset:path")
        if isinstance(asset, str) and asset:
            return asset
        for text in _strings(nested.raw_template_url):
            match = _ASSET_HASH.search(text)
            if match and match.group(1) in self.assets:
                return self.assets[match.group(1)]
        match = re.fullmatch(r"(.*)/([^/]+)\.NestedStack/\2\.NestedStackResource", nested.construct_path or "")
        if match:
            return self.index.template_files.get(f"/{match.group(1)}/{match.group(2)}")
        return None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _properties(artifact: Any) -> Mapping[str, Any]:
    properties = artifact.get("properties") if isinstance(artifact, dict) else None
    return properties if isinstance(properties, dict) else {}


def _join(manifest_display: str, relative: str) -> str:
    return posixpath.normpath(posixpath.join(posixpath.dirname(manifest_display), relative))


def _stack_note(artifact_id: str, artifact: Mapping[str, Any]) -> str:
    name = artifact.get("displayName") or artifact_id
    details = []
    stack_name = _properties(artifact).get("stackName")
    if isinstance(stack_name, str) and stack_name != name:
        details.append(f"stack name {stack_name}")
    environment = artifact.get("environment")
    if isinstance(environment, str) and "unknown-" not in environment:
        details.append(environment)
    return f"stack {name}" + (f" ({', '.join(details)})" if details else "")


def _environment(artifact: Mapping[str, Any], artifact_id: str, where: Location) -> dict[str, Given]:
    """Pseudo parameters the manifest fixes: account and Region of the environment, stack name."""
    given: dict[str, Given] = {}
    environment = artifact.get("environment")
    match = re.fullmatch(r"aws://([^/]+)/([^/]+)", environment) if isinstance(environment, str) else None
    trail = (Step(where, f"environment {environment}"),)
    if match and match.group(1) != "unknown-account":
        given["AWS::AccountId"] = Given(match.group(1), trail, "from the stack environment")
    if match and match.group(2) != "unknown-region":
        given["AWS::Region"] = Given(match.group(2), trail, "from the stack environment")
    stack_name = _properties(artifact).get("stackName")
    name = stack_name if isinstance(stack_name, str) else artifact_id
    given["AWS::StackName"] = Given(name, (Step(where, f"stack {name}"),), "from the manifest")
    return given
