"""The extension's own metadata, read from its Designer XML dump."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

# Configuration.xml ChildObjects element -> folder of the dump
KIND_FOLDERS = {
    "Language": "Languages", "Subsystem": "Subsystems", "StyleItem": "StyleItems",
    "Style": "Styles", "CommonPicture": "CommonPictures", "Interface": "Interfaces",
    "SessionParameter": "SessionParameters", "Role": "Roles", "CommonTemplate": "CommonTemplates",
    "FilterCriterion": "FilterCriteria", "CommonModule": "CommonModules",
    "CommonAttribute": "CommonAttributes", "ExchangePlan": "ExchangePlans",
    "XDTOPackage": "XDTOPackages", "WebService": "WebServices", "HTTPService": "HTTPServices",
    "WSReference": "WSReferences", "EventSubscription": "EventSubscriptions",
    "ScheduledJob": "ScheduledJobs", "SettingsStorage": "SettingsStorages",
    "FunctionalOption": "FunctionalOptions", "FunctionalOptionsParameter": "FunctionalOptionsParameters",
    "DefinedType": "DefinedTypes", "CommonCommand": "CommonCommands", "CommandGroup": "CommandGroups",
    "Constant": "Constants", "CommonForm": "CommonForms", "Catalog": "Catalogs",
    "Document": "Documents", "DocumentNumerator": "DocumentNumerators", "Sequence": "Sequences",
    "DocumentJournal": "DocumentJournals", "Enum": "Enums", "Report": "Reports",
    "DataProcessor": "DataProcessors", "InformationRegister": "InformationRegisters",
    "AccumulationRegister": "AccumulationRegisters",
    "ChartOfCharacteristicTypes": "ChartsOfCharacteristicTypes",
    "ChartOfAccounts": "ChartsOfAccounts", "AccountingRegister": "AccountingRegisters",
    "ChartOfCalculationTypes": "ChartsOfCalculationTypes",
    "CalculationRegister": "CalculationRegisters", "BusinessProcess": "BusinessProcesses",
    "Task": "Tasks", "IntegrationService": "IntegrationServices", "Bot": "Bots",
    "WebSocketClient": "WebSocketClients", "PaletteColor": "PaletteColors",
}
FOLDER_KINDS = {v: k for k, v in KIND_FOLDERS.items()}

# folder -> Russian singular used in full names (`Документ.ЧекККМ`)
RU_SINGULAR = {
    "Documents": "Документ", "Catalogs": "Справочник", "InformationRegisters": "РегистрСведений",
    "AccumulationRegisters": "РегистрНакопления", "DataProcessors": "Обработка",
    "Enums": "Перечисление", "Constants": "Константа",
    "ChartsOfCharacteristicTypes": "ПланВидовХарактеристик", "Reports": "Отчет",
    "CommonModules": "ОбщийМодуль", "ExchangePlans": "ПланОбмена",
}


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def child(elem: ET.Element | None, name: str) -> ET.Element | None:
    if elem is None:
        return None
    for c in elem:
        if local(c.tag) == name:
            return c
    return None


def text_of(elem: ET.Element | None, name: str) -> str | None:
    c = child(elem, name)
    return (c.text or "").strip() if c is not None else None


@dataclass
class MetaObject:
    kind: str  # folder name, e.g. "Documents"
    name: str
    xml: Path
    line_in_config: int = 0
    adopted: bool = False
    extends: str | None = None
    attributes: set[str] = field(default_factory=set)  # header attributes, dimensions, resources
    tabular_sections: dict[str, set[str]] = field(default_factory=dict)
    forms: set[str] = field(default_factory=set)
    commands: set[str] = field(default_factory=set)
    values: set[str] = field(default_factory=set)  # enum values
    root: ET.Element | None = None  # the kind element (Document, Catalog, …)

    @property
    def full_name(self) -> str:
        return f"{RU_SINGULAR.get(self.kind, self.kind)}.{self.name}"


@dataclass
class Extension:
    root: Path
    config: ET.Element | None = None  # the Configuration element
    name_prefix: str = ""
    listed: dict[tuple[str, str], int] = field(default_factory=dict)  # (folder, name) -> line
    objects: dict[tuple[str, str], MetaObject] = field(default_factory=dict)

    def by_full_name(self) -> dict[str, MetaObject]:
        return {o.full_name: o for o in self.objects.values()}


def parse_xml(path: Path) -> ET.Element | None:
    try:
        return ET.parse(path).getroot()
    except (ET.ParseError, OSError):
        return None


def _lines_of(path: Path, needles: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    try:
        for no, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
            for needle in needles:
                if needle in line and needle not in out:
                    out[needle] = no
    except OSError:
        pass
    return out


def load(root: Path) -> Extension:
    ext = Extension(root)
    cfg_path = root / "Configuration.xml"
    top = parse_xml(cfg_path) if cfg_path.exists() else None
    if top is None:
        return ext
    ext.config = child(top, "Configuration")
    props = child(ext.config, "Properties")
    ext.name_prefix = text_of(props, "NamePrefix") or ""
    children = child(ext.config, "ChildObjects")
    entries = [(local(c.tag), (c.text or "").strip()) for c in (children if children is not None else [])]
    lines = _lines_of(cfg_path, [f"<{k}>{n}</{k}>" for k, n in entries])
    for kind, name in entries:
        folder = KIND_FOLDERS.get(kind, kind + "s")
        ext.listed[(folder, name)] = lines.get(f"<{kind}>{name}</{kind}>", 1)
    for xml in sorted(root.glob("*/*.xml")):
        folder = xml.parent.name
        if folder not in FOLDER_KINDS:
            continue
        obj = MetaObject(folder, xml.stem, xml, ext.listed.get((folder, xml.stem), 0))
        _read_object(obj)
        ext.objects[(folder, xml.stem)] = obj
    return ext


def _read_object(obj: MetaObject) -> None:
    top = parse_xml(obj.xml)
    if top is None:
        return
    elem = next(iter(top), None)
    if elem is None:
        return
    obj.root = elem
    props = child(elem, "Properties")
    obj.adopted = text_of(props, "ObjectBelonging") == "Adopted"
    obj.extends = text_of(props, "ExtendedConfigurationObject")
    for c in child(elem, "ChildObjects") or []:
        kind = local(c.tag)
        name = text_of(child(c, "Properties"), "Name") or (c.text or "").strip()
        if kind in ("Attribute", "Dimension", "Resource", "AddressingAttribute"):
            obj.attributes.add(name)
        elif kind == "TabularSection":
            cols = {text_of(child(a, "Properties"), "Name") or "" for a in (child(c, "ChildObjects") or [])}
            obj.tabular_sections[name] = cols
        elif kind == "Form":
            obj.forms.add(name)
        elif kind == "Command":
            obj.commands.add(name)
        elif kind == "EnumValue":
            obj.values.add(name)
