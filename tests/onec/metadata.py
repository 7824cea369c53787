"""Check 4: metadata names in the BSL exist in the extension's tree or in the known base list.

Code: `Документы.X`, `Справочники.X`, `РегистрыСведений.X`, `РегистрыНакопления.X`,
`Обработки.X`, `Перечисления.X.Y`, `Константы.X`, `ПланыВидовХарактеристик.X`.
Strings (query texts, type names): `Документ.X[.TS]`, `Справочник.X[.TS]`,
`РегистрСведений.X`, `РегистрНакопления.X`, `Перечисление.X.Y` (ЗНАЧЕНИЕ too),
`ДокументСсылка.X`, `СправочникСсылка.X`, `ПеречислениеСсылка.X`.
Attributes of adopted objects where visible: `ЭтотОбъект.A` and the columns of
`Для Каждого Стр Из [ЭтотОбъект.]TS Цикл … Стр.C` in an object module;
`Объект.A` in a form module.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bsl import IDENT, STRING, Module, key
from findings import Report
from tree import RU_SINGULAR, Extension

CHECK = "metadata"
HINT = "add it to tests/onec/known-metadata.json with its source, or fix the name"

MANAGERS = {  # plural manager in code -> singular kind in full names
    "Документы": "Документ", "Справочники": "Справочник", "РегистрыСведений": "РегистрСведений",
    "РегистрыНакопления": "РегистрНакопления", "Обработки": "Обработка", "Перечисления": "Перечисление",
    "Константы": "Константа", "ПланыВидовХарактеристик": "ПланВидовХарактеристик",
}
_MANAGERS_KEY = {key(k): v for k, v in MANAGERS.items()}
_STRING_REF = re.compile(
    r"(?<![\w.])(Документ|Справочник|РегистрСведений|РегистрНакопления|Перечисление|ПланВидовХарактеристик)"
    r"(Ссылка|Объект)?\.(\w+)(?:\.(\w+))?")
_VALUE_CALL = re.compile(r"(?i)(значение|value)\s*\(\s*$")
_VIRTUAL_TABLES = {key(w) for w in (
    "СрезПоследних СрезПервых Остатки Обороты ОстаткиИОбороты Движения").split()}
_STANDARD = {key(w) for w in (
    "Ссылка Номер Дата Проведен ПометкаУдаления ОбменДанными ДополнительныеСвойства Движения Код "
    "Наименование Родитель Владелец ЭтоГруппа Предопределенный ИмяПредопределенныхДанных Метаданные "
    "ВерсияДанных").split()}
_METHODS_OF_MANAGER = {key("ПустаяСсылка")}


@dataclass
class Known:
    """One object: attributes and tabular sections, or only its name."""
    source: str
    attributes: set[str] | None = None
    tabular_sections: dict[str, set[str]] = field(default_factory=dict)
    values: set[str] | None = None
    predefined: set[str] = field(default_factory=set)


def catalogue(base: dict[str, dict], ext: Extension) -> dict[str, Known]:
    """Base entries merged with the tree's objects (own and adopted children)."""
    out: dict[str, Known] = {}
    for name, e in base.items():
        out[key(name)] = Known(
            e["source"],
            {key(a) for a in e["attributes"]} if "attributes" in e else None,
            {key(t): {key(c) for c in cols} for t, cols in e.get("tabular_sections", {}).items()},
            {key(v) for v in e["values"]} if "values" in e else None,
            {key(v) for v in e.get("predefined", [])})
    for obj in ext.objects.values():
        if obj.kind not in RU_SINGULAR:
            continue
        k = key(obj.full_name)
        entry = out.get(k)
        if entry is None:
            entry = out[k] = Known(f"{obj.xml}", set() if not obj.adopted else None, {},
                                   set() if obj.kind == "Enums" and not obj.adopted else None)
        if entry.attributes is not None or obj.attributes:
            entry.attributes = (entry.attributes or set()) | {key(a) for a in obj.attributes}
        for ts, cols in obj.tabular_sections.items():
            entry.tabular_sections.setdefault(key(ts), set()).update(key(c) for c in cols)
        if obj.values:
            entry.values = (entry.values or set()) | {key(v) for v in obj.values}
    return out


def check(ext: Extension, modules: list[Module], known: dict[str, Known], report: Report) -> None:
    for module in modules:
        _code_refs(module, known, report)
        _string_refs(module, known, report)
        _attributes(ext, module, known, report)


def _lookup(full: str, path: Path, line: int, known: dict[str, Known], report: Report) -> Known | None:
    entry = known.get(key(full))
    if entry is None:
        report.add(path, line, CHECK, f"unknown metadata object `{full}`: {HINT}")
    return entry


def _code_refs(module: Module, known: dict[str, Known], report: Report) -> None:
    toks = module.tokens
    for i, t in enumerate(toks):
        if t.kind != IDENT or key(t.text) not in _MANAGERS_KEY:
            continue
        if i and toks[i - 1].text == "." and not (i > 1 and key(toks[i - 2].text) == key("Метаданные")):
            continue
        if not (i + 2 < len(toks) and toks[i + 1].text == "." and toks[i + 2].kind == IDENT):
            continue
        kind = _MANAGERS_KEY[key(t.text)]
        name = toks[i + 2].text
        entry = _lookup(f"{kind}.{name}", module.path, t.line, known, report)
        via_metadata = i > 1 and key(toks[i - 2].text) == key("Метаданные")
        if (entry is not None and kind == "Перечисление" and not via_metadata and i + 4 < len(toks)
                and toks[i + 3].text == "." and toks[i + 4].kind == IDENT
                and not (i + 5 < len(toks) and toks[i + 5].text == "(")):
            _enum_value(kind, name, toks[i + 4].text, entry, module.path, t.line, report)


def _enum_value(kind: str, name: str, value: str, entry: Known, path: Path, line: int, report: Report) -> None:
    if entry.values is None or key(value) in _METHODS_OF_MANAGER:
        return
    if key(value) not in entry.values:
        report.add(path, line, CHECK, f"`{kind}.{name}` has no value `{value}` "
                   f"(known: {', '.join(sorted(entry.values)) or 'none'}): {HINT}")


def _string_refs(module: Module, known: dict[str, Known], report: Report) -> None:
    for t in module.tokens:
        if t.kind != STRING:
            continue
        for m in _STRING_REF.finditer(t.text):
            kind, form, name, third = m.groups()
            line = t.line + t.text.count("\n", 0, m.start())
            entry = _lookup(f"{kind}.{name}", module.path, line, known, report)
            if entry is None or not third or form:
                continue
            in_value = bool(_VALUE_CALL.search(t.text[:m.start()]))
            if kind == "Перечисление":
                _enum_value(kind, name, third, entry, module.path, line, report)
            elif kind in ("РегистрСведений", "РегистрНакопления"):
                if key(third) not in _VIRTUAL_TABLES:
                    report.add(module.path, line, CHECK, f"`{kind}.{name}.{third}`: not a virtual table of a register")
            elif in_value:
                if key(third) not in _METHODS_OF_MANAGER and entry.attributes is not None \
                        and entry.predefined and key(third) not in entry.predefined:
                    report.add(module.path, line, CHECK, f"`{kind}.{name}` has no predefined item `{third}`: {HINT}")
            elif entry.attributes is not None and key(third) not in entry.tabular_sections:
                report.add(module.path, line, CHECK, f"`{kind}.{name}` has no tabular section `{third}`: {HINT}")


def _owner(ext: Extension, module: Module) -> tuple[str, str] | None:
    """(object full name, module kind) for object modules and form modules of the tree."""
    parts = module.path.relative_to(ext.root).parts
    if len(parts) < 4 or parts[0] not in RU_SINGULAR:
        return None
    full = f"{RU_SINGULAR[parts[0]]}.{parts[1]}"
    if parts[2:] == ("Ext", "ObjectModule.bsl"):
        return full, "object"
    if len(parts) == 7 and parts[2] == "Forms" and parts[4:] == ("Ext", "Form", "Module.bsl"):
        return full, "form"
    return None


def _attributes(ext: Extension, module: Module, known: dict[str, Known], report: Report) -> None:
    owner = _owner(ext, module)
    if owner is None:
        return
    full, where = owner
    entry = known.get(key(full))
    if entry is None or entry.attributes is None:
        return
    root_word = key("ЭтотОбъект") if where == "object" else key("Объект")
    toks = module.tokens
    loop_vars: dict[str, str] = {}  # row variable -> tabular section
    for i, t in enumerate(toks):
        if t.kind != IDENT:
            continue
        k = key(t.text)
        if where == "object" and k == key("Каждого") and i + 4 < len(toks):
            # Для Каждого Стр Из [ЭтотОбъект.]TS Цикл
            var, j = toks[i + 1], i + 3
            if toks[j].kind == IDENT and key(toks[j].text) == root_word and toks[j + 1].text == ".":
                j += 2
            if toks[j].kind == IDENT and key(toks[j].text) in entry.tabular_sections \
                    and j + 1 < len(toks) and toks[j + 1].kind == IDENT:
                loop_vars[key(var.text)] = key(toks[j].text)
            else:
                loop_vars.pop(key(var.text), None)
            continue
        if i + 2 >= len(toks) or toks[i + 1].text != "." or toks[i + 2].kind != IDENT:
            continue
        if i and toks[i - 1].text == ".":
            continue
        name_tok = toks[i + 2]
        called = i + 3 < len(toks) and toks[i + 3].text == "("
        if k == root_word and not called:
            n = key(name_tok.text)
            if n not in entry.attributes and n not in entry.tabular_sections and n not in _STANDARD:
                report.add(module.path, name_tok.line, CHECK,
                           f"`{t.text}.{name_tok.text}`: {full} has no attribute or tabular section "
                           f"`{name_tok.text}` in the tree or the known list: {HINT}")
        elif k in loop_vars and not called:
            cols = entry.tabular_sections[loop_vars[k]]
            n = key(name_tok.text)
            if cols and n not in cols and n != key("НомерСтроки"):
                report.add(module.path, name_tok.line, CHECK,
                           f"`{t.text}.{name_tok.text}`: tabular section {full}.{loop_vars[k]} "
                           f"has no column `{name_tok.text}`: {HINT}")
