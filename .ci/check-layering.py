#!/usr/bin/env python3
"""Holds the crate layering: each Naparnik crate may depend only on the crates
ARCHITECTURE.md allows, and UI-free crates never pull in a UI, an async
runtime or an HTTP client, however indirectly. Reads `cargo metadata`."""

import json
import subprocess
import sys

# crate -> the naparnik crates it may depend on (directly)
ALLOWED = {
    "naparnik_domain": set(),
    "naparnik_store": {"naparnik_domain"},
    "naparnik_crm_xml": {"naparnik_domain"},
    "naparnik_input": {"naparnik_domain"},
    "naparnik_upstream": {"naparnik_domain", "naparnik_crm_xml"},
    "naparnik_bridge": {"naparnik_domain", "naparnik_store"},
    "naparnik_sync": {"naparnik_domain", "naparnik_store", "naparnik_upstream", "naparnik_crm_xml"},
    "naparnik_ui": {"naparnik_domain"},
    "naparnik_app": None,  # the composition root may use every crate
}

# crate -> external packages that must not appear anywhere in its normal dependency tree
FORBIDDEN = {
    "naparnik_domain": {"egui", "eframe", "tokio", "reqwest", "rusqlite", "axum", "hidapi", "evdev", "serialport"},
    "naparnik_store": {"egui", "eframe", "tokio", "reqwest", "axum", "hidapi", "evdev", "serialport"},
    "naparnik_crm_xml": {"egui", "eframe", "tokio", "reqwest", "rusqlite", "axum"},
    "naparnik_input": {"egui", "eframe", "reqwest", "rusqlite", "axum"},
    "naparnik_upstream": {"egui", "eframe", "rusqlite", "axum"},
    "naparnik_bridge": {"egui", "eframe", "reqwest", "hidapi", "evdev", "serialport"},
    "naparnik_sync": {"egui", "eframe", "axum", "hidapi", "evdev", "serialport"},
    "naparnik_ui": {"tokio", "reqwest", "rusqlite", "axum", "hidapi", "evdev", "serialport"},
}


def main() -> int:
    meta = json.loads(subprocess.check_output(
        ["cargo", "metadata", "--format-version", "1", "--locked"], text=True))
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    members = {packages[i]["name"]: i for i in meta["workspace_members"]}
    problems = []

    for name in members:
        if name not in ALLOWED:
            problems.append(f"{name}: not listed in .ci/check-layering.py (and ARCHITECTURE.md)")

    def normal_deps(node_id):
        for dep in nodes[node_id]["deps"]:
            if any(k["kind"] in (None, "normal") for k in dep["dep_kinds"]):
                yield dep["pkg"]

    for name, node_id in members.items():
        allowed = ALLOWED.get(name)
        direct = {packages[d]["name"] for d in normal_deps(node_id)}
        if allowed is not None:
            for dep in sorted(direct):
                if dep.startswith("naparnik_") and dep not in allowed:
                    problems.append(f"{name} must not depend on {dep}")
        forbidden = FORBIDDEN.get(name, set())
        seen, stack = set(), [node_id]
        while stack:
            current = stack.pop()
            for dep in normal_deps(current):
                if dep in seen:
                    continue
                seen.add(dep)
                dep_name = packages[dep]["name"]
                if dep_name in forbidden:
                    problems.append(f"{name} pulls in {dep_name}")
                stack.append(dep)

    for problem in problems:
        print(f"layering: {problem}", file=sys.stderr)
    if not problems:
        print(f"layering: ok ({len(members)} crates)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
