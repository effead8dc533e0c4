"""The software bill of materials of the Rust extension: CycloneDX JSON of its crates.

setup.py calls :func:`cyclonedx_json` while it builds a wheel and writes the result into the
wheel's ``.dist-info/sboms/`` (PEP 770). The crates come from ``cargo metadata``, resolved from
Cargo.lock for the features and the target of the build; the document is written by
cyclonedx-python-lib (a build requirement, so every isolated build has it).

Which crates are listed, and how:

* ``scope: required``: every crate compiled into the extension, i.e. the normal dependencies
  reachable from this crate without passing through a procedural macro;
* ``scope: excluded``: crates that only run inside the compiler, as procedural macros, and
  their own dependencies: they generate code but are not linked. With them, the components are
  exactly what ``cargo tree -e normal`` shows (``-e normal,no-proc-macro`` shows the first
  group), which .ci/packaging_proof.py checks.

Build-dependencies (build scripts) and dev-dependencies are left out. Each component has its
name, version, licence (SPDX, as the crate declares it), purl and, from Cargo.lock, the SHA-256
of the ``.crate`` file. ``metadata.tools`` records the versions of the build tools, which is
what a rebuild has to match (RELEASING.md). The output is a function of its inputs alone: no
clock (the timestamp is SOURCE_DATE_EPOCH), no random serial number or references.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # build-system.requires installs tomli on 3.10
    import tomli as tomllib


def cargo(tool: str, subcommand: str, manifest: Path, *args: str) -> str:
    command = [tool, subcommand, "--locked", "--manifest-path", str(manifest), *args]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def dependency_graph(
    tool: str, manifest: Path, features_args: list[str], target: str
) -> tuple[tuple[str, str], dict[tuple[str, str], set[tuple[str, str]]]]:
    """The root crate and every crate's normal dependencies, as (name, version) pairs.

    Read from ``cargo tree -e normal``, which resolves features as the build does (resolver 2:
    a feature that only a dev- or build-dependency turns on is not counted), unlike the
    ``resolve`` graph of ``cargo metadata``, which unifies them and so lists crates that are
    never compiled into the extension."""
    text = cargo(
        tool,
        "tree",
        manifest,
        "-e",
        "normal",
        "--target",
        target,
        "--prefix",
        "depth",
        "--format",
        "{p}",
        *features_args,
    )
    graph: dict[tuple[str, str], set[tuple[str, str]]] = {}
    path: list[tuple[str, str]] = []  # the crate at each depth above the current line
    for line in text.splitlines():
        match = re.match(r"(\d+)(\S+) v(\S+)", line)
        if match is None:
            continue
        depth, crate = int(match.group(1)), (match.group(2), match.group(3))
        del path[depth:]
        graph.setdefault(crate, set())
        if path:
            graph[path[-1]].add(crate)
        path.append(crate)
    if not graph:
        raise RuntimeError(f"cargo tree printed no crates:\n{text}")
    return next(iter(graph)), graph


def reachable(graph: dict, start: tuple[str, str], allowed) -> set[tuple[str, str]]:
    """The crates reachable from start through crates that allowed() accepts."""
    seen: set = set()
    todo = [start]
    while todo:
        for crate in graph[todo.pop()]:
            if crate not in seen and allowed(crate):
                seen.add(crate)
                todo.append(crate)
    return seen


def package_name(manifest: Path) -> str:
    with open(manifest, "rb") as f:
        return tomllib.load(f)["package"]["name"]


def lock_checksums(lock_file: Path) -> dict[tuple[str, str], str]:
    """(name, version) -> SHA-256 of the .crate file, as Cargo.lock records it."""
    with open(lock_file, "rb") as f:
        packages = tomllib.load(f).get("package", [])
    return {(p["name"], p["version"]): p["checksum"] for p in packages if "checksum" in p}


def purl(package: dict):
    """The package URL of a crate: ``pkg:cargo/<name>@<version>`` for a registry's (a crate
    from a registry other than Cargo's default would need a ``repository_url`` qualifier: this
    project uses none), with ``vcs_url`` for a git dependency; None for a local path."""
    from packageurl import PackageURL

    source = package.get("source") or ""
    if source.startswith("registry+"):
        qualifiers = {}
    elif source.startswith("git+"):
        qualifiers = {"vcs_url": source}
    else:
        return None
    return PackageURL(
        type="cargo", name=package["name"], version=package["version"], qualifiers=qualifiers
    )


def cyclonedx_json(
    *,
    tool: str,
    manifest: Path,
    features: Iterable[str],
    target: str,
    distribution: tuple[str, str],
    tools: Mapping[str, str],
    epoch: int | None,
) -> tuple[str, int]:
    """The SBOM of the crate at ``manifest`` built with ``features`` for ``target`` (by the
    cargo command ``tool``) as part of ``distribution`` (name, version), and the number of
    crates linked into it."""
    from cyclonedx.factory.license import LicenseFactory
    from cyclonedx.model import HashAlgorithm, HashType, Property
    from cyclonedx.model.bom import Bom, BomMetaData
    from cyclonedx.model.component import Component, ComponentScope, ComponentType
    from cyclonedx.model.lifecycle import LifecyclePhase, PredefinedLifecycle
    from cyclonedx.model.tool import ToolRepository
    from cyclonedx.output.json import JsonV1Dot6
    from packageurl import PackageURL

    features = list(features)
    features_args = ["--features", ",".join(features)] if features else []
    root, graph = dependency_graph(tool, manifest, features_args, target)
    # For what cargo tree does not print: licences, descriptions, sources, crate kinds.
    metadata = json.loads(
        cargo(
            tool,
            "metadata",
            manifest,
            "--format-version",
            "1",
            "--filter-platform",
            target,
            *features_args,
        )
    )
    packages = {(p["name"], p["version"]): p for p in metadata["packages"]}

    def is_macro(crate: tuple[str, str]) -> bool:
        return any("proc-macro" in t["kind"] for t in packages[crate]["targets"])

    linked = reachable(graph, root, lambda crate: not is_macro(crate))
    everything = reachable(graph, root, lambda crate: True)
    checksums = lock_checksums(manifest.parent / "Cargo.lock")
    licenses = LicenseFactory()

    components = {}
    for crate in sorted(everything):
        package = packages[crate]
        declared = package.get("license")
        checksum = checksums.get(crate)
        components[crate] = Component(
            name=crate[0],
            version=crate[1],
            bom_ref=f"crate:{crate[0]}@{crate[1]}",
            scope=ComponentScope.REQUIRED if crate in linked else ComponentScope.EXCLUDED,
            # Old manifests separate alternatives with "/", which SPDX spells " OR ".
            licenses=[licenses.make_from_string(declared.replace("/", " OR "))] if declared else [],
            purl=purl(package),
            hashes=[HashType(alg=HashAlgorithm.SHA_256, content=checksum)] if checksum else [],
            description=(package.get("description") or "").strip() or None,
        )

    name, version = distribution
    subject = Component(
        name=name,
        version=version,
        type=ComponentType.LIBRARY,
        bom_ref=f"distribution:{name}@{version}",
        purl=PackageURL(type="pypi", name=name.lower(), version=version),
        description="the crates of its Rust extension",
    )
    tool_components = [
        Component(name=tool_name, version=tool_version, type=ComponentType.APPLICATION)
        for tool_name, tool_version in sorted(tools.items())
    ]
    # The serial number is derived from the content, so that a rebuild reproduces it.
    identity = "\n".join([name, version, target, *(f"{n}@{v}" for n, v in components)])
    bom = Bom(
        serial_number=uuid.uuid5(uuid.NAMESPACE_URL, f"sbom:{identity}"),
        metadata=BomMetaData(
            component=subject,
            tools=ToolRepository(components=tool_components),
            timestamp=datetime.fromtimestamp(epoch, timezone.utc) if epoch is not None else None,
            lifecycles=[PredefinedLifecycle(LifecyclePhase.BUILD)],
            # What `cargo tree` needs to list the same crates (.ci/sbom_check.py does).
            properties=[
                Property(name="cargo:target", value=target),
                Property(name="cargo:features", value=",".join(features)),
            ],
        ),
        components=components.values(),
    )
    for crate, component in [(root, subject), *components.items()]:
        bom.register_dependency(component, [components[dep] for dep in sorted(graph[crate])])
    document = json.loads(JsonV1Dot6(bom).output_as_string())
    return json.dumps(document, indent=2, sort_keys=True) + "\n", len(linked)
