"""Checks the SBOM (PEP 770) of every wheel against Cargo itself.

For each wheel given:

* exactly one SBOM of ours in ``*.dist-info/sboms/`` (auditwheel's ``auditwheel.cdx.json`` may
  sit beside it), listed in RECORD with its right SHA-256;
* valid CycloneDX 1.6 (the schema, through cyclonedx-python-lib's validator);
* it describes this wheel (distribution name and version);
* its components are exactly the crates ``cargo tree -e normal`` lists for the wheel's Rust
  target and features (read from the SBOM's ``cargo:target`` and ``cargo:features``
  properties), each with its version, and those of scope ``required`` exactly what
  ``cargo tree -e normal,no-proc-macro`` lists (the crates linked; the others are procedural
  macros, run by the compiler only);
* every component has a licence, a purl and a SHA-256 (from Cargo.lock).

Run from a checkout of the same commit (Cargo.lock decides): ``python .ci/sbom_check.py
WHEEL...``. It needs cargo and cyclonedx-python-lib[json-validation]; cargo tree resolves any
target without its toolchain, so one machine checks the wheels of every platform.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AUDITWHEEL_SBOM = "auditwheel.cdx.json"


def cargo_tree(target: str, features: str, edges: str) -> set[tuple[str, str]]:
    command = ["cargo", "tree", "--locked", "-e", edges, "--target", target, "--prefix", "none"]
    command += ["--format", "{p}", *(["--features", features] if features else [])]
    output = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    crates = []
    for line in output.splitlines():
        match = re.match(r"(\S+) v(\S+)", line)
        assert match, f"unexpected line from cargo tree: {line!r}"
        crates.append((match.group(1), match.group(2)))
    return set(crates) - {crates[0]}  # the first line is the root crate


def wheel_sbom(wheel: Path) -> tuple[str, str, str, str]:
    """(path in the wheel, its text, distribution name, version) of the wheel's own SBOM."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (record,) = [n for n in names if re.fullmatch(r"[^/]+\.dist-info/RECORD", n)]
        sboms = [n for n in names if re.fullmatch(r"[^/]+\.dist-info/sboms/[^/]+", n)]
        ours = [n for n in sboms if not n.endswith("/" + AUDITWHEEL_SBOM)]
        assert len(ours) == 1 and ours[0].endswith(".cdx.json"), (
            f"{wheel.name}: expected one SBOM <name>.cdx.json in .dist-info/sboms/, found {sboms}"
        )
        (path,) = ours
        data = archive.read(path)
        rows = {row[0]: row for row in csv.reader(io.StringIO(archive.read(record).decode()))}
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    assert path in rows, f"{wheel.name}: RECORD does not list {path}"
    assert rows[path][1] == f"sha256={digest}", f"{wheel.name}: RECORD's hash of {path} is wrong"
    name, version = wheel.name.split("-")[:2]
    return path, data.decode(), name, version


def check_wheel(wheel: Path) -> str:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    path, text, name, version = wheel_sbom(wheel)
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    assert error is None, f"{wheel.name}: {path} is not valid CycloneDX 1.6: {error}"
    document = json.loads(text)
    subject = document["metadata"]["component"]
    normalised = re.sub(r"[-_.]+", "_", subject["name"]).lower()
    assert (normalised, subject["version"]) == (name.lower(), version), (
        f"{wheel.name}: the SBOM describes {subject['name']} {subject['version']}"
    )
    properties = {p["name"]: p["value"] for p in document["metadata"]["properties"]}
    target, features = properties["cargo:target"], properties["cargo:features"]

    components = document["components"]
    listed = {(c["name"], c["version"]) for c in components}
    required = {(c["name"], c["version"]) for c in components if c["scope"] == "required"}
    everything = cargo_tree(target, features, "normal")
    linked = cargo_tree(target, features, "normal,no-proc-macro")
    assert listed == everything, (
        f"{wheel.name}: SBOM vs cargo tree -e normal: only in the SBOM "
        f"{sorted(listed - everything)}, only in cargo tree {sorted(everything - listed)}"
    )
    assert required == linked, (
        f"{wheel.name}: SBOM scope=required vs cargo tree -e normal,no-proc-macro: only in the "
        f"SBOM {sorted(required - linked)}, only in cargo tree {sorted(linked - required)}"
    )
    incomplete = [
        c["name"]
        for c in components
        if not (c.get("licenses") and c.get("purl") and c.get("hashes"))
    ]
    assert not incomplete, f"{wheel.name}: components without licence, purl or hash: {incomplete}"
    return (
        f"{wheel.name}: {path.split('/', 1)[1]} lists {len(listed)} crates = cargo tree -e normal "
        f"-F {features} --target {target} ({len(everything)}); {len(required)} linked = "
        f"-e normal,no-proc-macro ({len(linked)}), {len(listed) - len(required)} proc-macro only"
    )


def main(argv: list[str]) -> int:
    wheels = [Path(a) for a in argv]
    if not wheels:
        print(__doc__)
        return 2
    failures = 0
    for wheel in wheels:
        try:
            print(check_wheel(wheel))
        except AssertionError as error:
            failures += 1
            print(f"FAILED: {error}")
    print(f"SBOM check: {len(wheels) - failures} of {len(wheels)} wheels passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
