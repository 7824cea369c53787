"""Check 6: the Designer XML dump is loadable in shape.

Well-formed XML (xmllint), valid and unique ids, Configuration.xml listing
and files agreeing both ways, every module belonging to an existing object
(and form), extension properties present, own names prefixed, adopted objects
marked, and handlers of subscriptions, jobs and HTTP methods existing.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from bsl import Module, key
from findings import Report
from tree import FOLDER_KINDS, Extension, child, local, text_of

CHECK = "dump"

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_ID_PATTERNS = [
    re.compile(r'\buuid="([^"]*)"'),
    re.compile(r"<xr:(?:TypeId|ValueId|ObjectId)>([^<]*)</xr:"),
]
_BASE_ID = re.compile(r"<ExtendedConfigurationObject>([^<]*)</ExtendedConfigurationObject>")
_REQUIRED_PROPS = ("ConfigurationExtensionPurpose", "NamePrefix", "ConfigurationExtensionCompatibilityMode")
_OBJECT_MODULES = {"ObjectModule.bsl", "ManagerModule.bsl", "Module.bsl", "RecordSetModule.bsl",
                   "ValueManagerModule.bsl", "CommandModule.bsl"}


def well_formed(xml_files: list[Path], report: Report) -> set[Path]:
    """Runs xmllint over all files; returns the ones that are not well-formed."""
    bad: set[Path] = set()
    if not xml_files:
        return bad
    if shutil.which("xmllint"):
        proc = subprocess.run(["xmllint", "--noout", *map(str, xml_files)],
                              capture_output=True, text=True, errors="replace")
        for line in proc.stderr.splitlines():
            m = re.match(r"^(.*?):(\d+): (?:parser error|namespace error|validity error) : (.*)$", line)
            if m:
                p = Path(m.group(1))
                bad.add(p)
                report.add(p, int(m.group(2)), CHECK, f"malformed XML: {m.group(3).strip()}")
    else:  # a fallback for machines without libxml2-utils
        for p in xml_files:
            try:
                ET.parse(p)
            except ET.ParseError as e:
                bad.add(p)
                report.add(p, e.position[0], CHECK, f"malformed XML: {e}")
    return bad


def ids(xml_files: list[Path], bad: set[Path], report: Report) -> None:
    seen: dict[str, tuple[Path, int]] = {}
    base: dict[str, tuple[Path, int]] = {}
    for p in xml_files:
        if p in bad:
            continue
        for no, line in enumerate(p.read_text(encoding="utf-8-sig", errors="replace").splitlines(), 1):
            for pattern in _ID_PATTERNS:
                for m in pattern.finditer(line):
                    value = m.group(1).strip()
                    if not _UUID.match(value):
                        report.add(p, no, CHECK, f"`{value}` is not a valid UUID")
                        continue
                    value = value.lower()
                    if value in seen:
                        first = seen[value]
                        report.add(p, no, CHECK, f"duplicated id {value} (first at {first[0]}:{first[1]})")
                    else:
                        seen[value] = (p, no)
            for m in _BASE_ID.finditer(line):
                value = m.group(1).strip()
                if not _UUID.match(value):
                    report.add(p, no, CHECK, f"ExtendedConfigurationObject `{value}` is not a valid UUID")
                else:
                    base.setdefault(value.lower(), (p, no))
    for value, (p, no) in base.items():
        if value in seen:
            other = seen[value]
            report.add(p, no, CHECK, f"base id {value} is also used as an own id at {other[0]}:{other[1]}")


def configuration(ext: Extension, report: Report) -> None:
    cfg = ext.root / "Configuration.xml"
    if not cfg.exists():
        report.add(cfg, 1, CHECK, "Configuration.xml is missing")
        return
    if ext.config is None:
        return  # malformed, already reported
    root = ET.parse(cfg).getroot()
    if not root.get("version"):
        report.add(cfg, 1, CHECK, "MetaDataObject has no `version` attribute (the dump format version)")
    props = child(ext.config, "Properties")
    for name in _REQUIRED_PROPS:
        if not text_of(props, name):
            report.add(cfg, 1, CHECK, f"Configuration Properties lack `{name}`")
    for (folder, name), line in ext.listed.items():
        if folder not in FOLDER_KINDS:
            report.add(cfg, line, CHECK, f"unknown object kind for `{name}` in ChildObjects")
        elif not (ext.root / folder / f"{name}.xml").exists():
            report.add(cfg, line, CHECK, f"listed object has no file {folder}/{name}.xml")
    for (folder, name), obj in ext.objects.items():
        if (folder, name) not in ext.listed:
            report.add(obj.xml, 1, CHECK, f"{folder}/{name}.xml is not listed in Configuration.xml ChildObjects")
        if obj.root is None:
            continue
        own_name = text_of(child(obj.root, "Properties"), "Name")
        if own_name and own_name != name:
            report.add(obj.xml, 1, CHECK, f"file name `{name}` differs from the object's Name `{own_name}`")
        prefixed = bool(ext.name_prefix) and name.startswith(ext.name_prefix)
        if folder == "Languages" or not prefixed:
            if not obj.adopted or not obj.extends:
                missing = [w for w, ok in (("ObjectBelonging=Adopted", obj.adopted),
                                           ("ExtendedConfigurationObject", obj.extends)) if not ok]
                report.add(obj.xml, 1, CHECK,
                           f"`{name}` does not start with NamePrefix `{ext.name_prefix}`, so it must be an "
                           f"adopted object, but it lacks {' and '.join(missing)}")
        elif obj.adopted:
            report.add(obj.xml, 1, CHECK, f"`{name}` carries the own prefix but is marked Adopted")


def dump_info(ext: Extension, report: Report) -> None:
    """ConfigDumpInfo.xml, when present, names every object with the uuid of its own file."""
    info = ext.root / "ConfigDumpInfo.xml"
    if not info.exists():
        return
    try:
        root = ET.parse(info).getroot()
    except ET.ParseError:
        return  # malformed, already reported
    kind_folders = {kind: folder for folder, kind in FOLDER_KINDS.items()}
    seen: set[tuple[str, str]] = set()
    for entry in root.iter():
        if local(entry.tag) != "Metadata":
            continue
        parts = (entry.get("name") or "").split(".")
        if len(parts) < 2 or parts[0] not in kind_folders:
            continue
        key_ = (kind_folders[parts[0]], parts[1])
        obj = ext.objects.get(key_)
        if obj is None or obj.root is None:
            report.add(info, 1, CHECK, f"ConfigDumpInfo names `{entry.get('name')}`, which has no object file")
            continue
        if len(parts) == 2:
            seen.add(key_)
        own = obj.root.get("uuid", "")
        if (entry.get("id") or "").split(".")[0] != own:
            report.add(info, 1, CHECK, f"ConfigDumpInfo gives `{entry.get('name')}` the id {entry.get('id')}, "
                                       f"but {key_[0]}/{key_[1]}.xml has uuid {own}")
    for key_ in ext.objects:
        if key_ not in seen:
            report.add(info, 1, CHECK, f"ConfigDumpInfo does not list {key_[0]}/{key_[1]}.xml")


def modules_belong(ext: Extension, bsl_files: list[Path], report: Report) -> None:
    for p in bsl_files:
        parts = p.relative_to(ext.root).parts
        folder = parts[0]
        obj = ext.objects.get((folder, parts[1])) if len(parts) > 1 else None
        if obj is None or len(parts) < 3:
            report.add(p, 1, CHECK, f"module without its object: {folder}/{parts[1] if len(parts) > 1 else '?'}.xml "
                       "is missing (or the module is not under <Kind>/<Name>/…)")
            continue
        if folder == "CommonForms" and parts[2:] == ("Ext", "Form", "Module.bsl"):
            continue
        if len(parts) == 4 and parts[2] == "Ext" and parts[3] in _OBJECT_MODULES:
            continue
        if len(parts) == 7 and parts[2] == "Forms" and parts[4:] == ("Ext", "Form", "Module.bsl"):
            form = parts[3]
            if form not in obj.forms:
                report.add(p, 1, CHECK, f"form `{form}` is not listed in {obj.xml.name}'s ChildObjects")
            if not (ext.root / folder / parts[1] / "Forms" / f"{form}.xml").exists():
                report.add(p, 1, CHECK, f"form module without its form file Forms/{form}.xml")
            continue
        if len(parts) == 6 and parts[2] == "Commands" and parts[4:] == ("Ext", "CommandModule.bsl"):
            if parts[3] not in obj.commands:
                report.add(p, 1, CHECK, f"command `{parts[3]}` is not listed in {obj.xml.name}'s ChildObjects")
            continue
        report.add(p, 1, CHECK, "module at a path Designer does not use "
                   "(expected Ext/ObjectModule.bsl, Ext/ManagerModule.bsl, Ext/Module.bsl, "
                   "Forms/<F>/Ext/Form/Module.bsl, …)")


def handlers(ext: Extension, modules: dict[Path, Module], report: Report) -> None:
    def find(module_path: Path):
        m = modules.get(module_path)
        return m

    for obj in ext.objects.values():
        if obj.root is None:
            continue
        props = child(obj.root, "Properties")
        if obj.kind in ("EventSubscriptions", "ScheduledJobs"):
            handler = text_of(props, "Handler") or text_of(props, "MethodName")
            if not handler:
                report.add(obj.xml, 1, CHECK, f"{obj.name} has no Handler/MethodName")
                continue
            parts = handler.split(".")
            if len(parts) != 3 or parts[0] != "CommonModule":
                report.add(obj.xml, 1, CHECK, f"handler `{handler}` is not CommonModule.<Module>.<Method>")
                continue
            module = find(ext.root / "CommonModules" / parts[1] / "Ext" / "Module.bsl")
            method = module.method(parts[2]) if module else None
            if method is None:
                report.add(obj.xml, 1, CHECK, f"handler `{handler}`: no such method in common module `{parts[1]}`")
            elif not method.export:
                report.add(obj.xml, 1, CHECK, f"handler `{handler}` is not exported (add Экспорт)")
        elif obj.kind == "HTTPServices":
            module = find(ext.root / "HTTPServices" / obj.name / "Ext" / "Module.bsl")
            for method_elem in obj.root.iter():
                if local(method_elem.tag) != "Method":
                    continue
                handler = text_of(child(method_elem, "Properties"), "Handler")
                if handler and (module is None or module.method(handler) is None):
                    report.add(obj.xml, 1, CHECK,
                               f"HTTP method handler `{handler}` is not a function of HTTPServices/{obj.name}/Ext/Module.bsl")
