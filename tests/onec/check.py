#!/usr/bin/env python3
"""Static checks of the 1C extension dump trees (no 1C needed).

    tests/onec/check.py assets/1c/retail/src assets/1c/ut/src

Prints `file:line: [check] what is wrong` for each finding and exits 1 if
there is any. See tests/onec/README.md for what each check does. Runs itself
inside target/onec-venv (created on first use from requirements.txt).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
VENV = REPO / "target" / "onec-venv"


def _ensure_venv() -> None:
    try:
        import tree_sitter  # noqa: F401
        import tree_sitter_hbk  # noqa: F401
        return
    except ImportError:
        pass
    python = VENV / "bin" / "python"
    if Path(sys.executable).resolve().parent == python.parent.resolve() or os.environ.get("ONEC_CHECK_IN_VENV"):
        sys.exit("tests/onec: tree-sitter is missing in target/onec-venv; delete it and rerun")
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-r", str(HERE / "requirements.txt")], check=True)
    os.environ["ONEC_CHECK_IN_VENV"] = "1"
    os.execv(str(python), [str(python), *sys.argv])


_ensure_venv()
sys.path.insert(0, str(HERE))

import bsl  # noqa: E402
import dump  # noqa: E402
import hooks  # noqa: E402
import jsonfields  # noqa: E402
import metadata  # noqa: E402
import reserved  # noqa: E402
import syntax  # noqa: E402
import tree as tree_mod  # noqa: E402
from findings import Report  # noqa: E402


def profile_of(root: Path) -> str:
    return "ut" if root.resolve().parent.name == "ut" else "retail"


def openapi_of(root: Path) -> Path | None:
    """`<tree>/../openapi.json` if there is one, else the bridge's document for retail."""
    beside = root.parent / "openapi.json"
    if beside.exists():
        return beside
    bridge = REPO / "assets" / "openapi" / "bridge.json"
    return bridge if profile_of(root) == "retail" and bridge.exists() else None


def check_tree(root: Path, signatures: dict | None, known_all: dict, openapi_path: Path | None) -> Report:
    report = Report()
    if not root.is_dir():
        report.add(root, 0, "dump", "tree not found")
        return report
    xml_files = sorted(root.rglob("*.xml"))
    bsl_files = sorted(root.rglob("*.bsl"))

    bad_xml = dump.well_formed(xml_files, report)
    dump.ids(xml_files, bad_xml, report)
    ext = tree_mod.load(root)
    dump.configuration(ext, report)
    dump.dump_info(ext, report)
    dump.modules_belong(ext, bsl_files, report)

    modules = [bsl.parse_module(p) for p in bsl_files]
    for module in modules:
        syntax.check(module, report)
        reserved.check(module, report)
    dump.handlers(ext, {m.path: m for m in modules}, report)

    hooks.check(root, modules, signatures, report)

    known = metadata.catalogue(known_all.get(profile_of(root), {}), ext)
    metadata.check(ext, modules, known, report)

    openapi = jsonfields.OpenApi(openapi_path) if openapi_path else None
    fields = sum(jsonfields.check(m, openapi, report) for m in modules)
    report.notes.append(f"JSON fields checked: {fields}"
                        + (f" against {openapi_path.relative_to(REPO) if openapi_path.is_relative_to(REPO) else openapi_path}"
                           if openapi_path else " (no OpenAPI document)"))
    report.notes.insert(0, f"{len(bsl_files)} modules, {len(xml_files)} XML files")
    return report


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("trees", nargs="+", type=Path)
    ap.add_argument("--signatures", type=Path, default=HERE / "rmk-2.3-signatures.json")
    ap.add_argument("--known", type=Path, default=HERE / "known-metadata.json")
    args = ap.parse_args(argv)

    started = time.monotonic()
    signatures = hooks.load_signatures(args.signatures)
    known_all = json.loads(args.known.read_text(encoding="utf-8"))
    total = 0
    for root in args.trees:
        report = check_tree(root, signatures if profile_of(root) == "retail" else None,
                            known_all, openapi_of(root))
        print(f"== {root} ({profile_of(root)})")
        for note in report.notes:
            print(f"   {note}")
        for finding in sorted(set(report.findings)):
            print(finding)
        print(f"   {len(set(report.findings))} finding(s)")
        total += len(set(report.findings))
    print(f"tests/onec: {total} finding(s) in {len(args.trees)} tree(s), {time.monotonic() - started:.1f} s")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
