"""Check 3: every `&Перед/&После/&Вместо/&ИзменениеИКонтроль("X")` resolves.

The target must be in the vendored signature list (`rmk-2.3-signatures.json`)
for the object and module given by the file's path, with the same compilation
directive, the same parameters (names and `Знач`; defaults may be omitted) and
a hook name different from the target.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bsl import HOOK_ANNOTATIONS, Method, Module, directive_name, key
from findings import Report

CHECK = "hooks"

_KIND_RU = {"Documents": "Документ", "DataProcessors": "Обработка", "Catalogs": "Справочник",
            "CommonModules": "ОбщийМодуль", "Reports": "Отчет",
            "InformationRegisters": "РегистрСведений", "AccumulationRegisters": "РегистрНакопления"}
_MODULE_RU = {"ObjectModule.bsl": "Модуль объекта", "ManagerModule.bsl": "Модуль менеджера",
              "Module.bsl": "Модуль", "RecordSetModule.bsl": "Модуль набора записей"}


@dataclass
class SigParam:
    name: str
    by_value: bool


@dataclass
class Signature:
    directives: set[str]
    params: list[SigParam] | None  # None: the list does not know them
    confirmed_2_3: str | None
    source: str


def load_signatures(path: Path) -> dict[tuple[str, str, str], Signature]:
    table: dict[tuple[str, str, str], Signature] = {}
    for e in json.loads(path.read_text(encoding="utf-8")):
        directive = e["directive"]
        directives = set() if directive.startswith("(") else {
            directive_name(w[1:]) for w in re.findall(r"&\w+", directive)}
        params: list[SigParam] | None = None if e["params"] is None else []
        for p in e["params"] or []:
            words = p.split("=")[0].split()
            assert params is not None
            params.append(SigParam(words[-1], len(words) > 1 and key(words[0]) in ("знач", "val")))
        table[(e["object"], e["module"], key(e["procedure"]))] = Signature(
            directives, params, e.get("confirmed_2_3"), e["source"])
    return table


def module_of(tree: Path, path: Path) -> tuple[str, str] | None:
    """(object, module) as named in the signature list, from a module's path in the dump."""
    parts = path.relative_to(tree).parts
    if len(parts) == 6 and parts[2] == "Forms" and parts[4:] == ("Form", "Module.bsl") \
            or len(parts) == 7 and parts[2] == "Forms" and parts[4:] == ("Ext", "Form", "Module.bsl"):
        kind = _KIND_RU.get(parts[0])
        return (f"{kind}.{parts[1]}", f"Форма «{parts[3]}» (модуль формы)") if kind else None
    if len(parts) == 4 and parts[2] == "Ext" and parts[3] in _MODULE_RU:
        kind = _KIND_RU.get(parts[0])
        return (f"{kind}.{parts[1]}", _MODULE_RU[parts[3]]) if kind else None
    return None


def _fmt_directives(d: set[str]) -> str:
    return " ".join(f"&{x}" for x in sorted(d)) or "no directive"


def check(tree: Path, modules: list[Module], signatures: dict | None, report: Report) -> None:
    summary: dict[str, list[str]] = defaultdict(list)
    for module in modules:
        hooked = [m for m in module.methods if m.hook is not None]
        if not hooked:
            continue
        where = module_of(tree, module.path)
        for m in hooked:
            hook = m.hook
            assert hook is not None
            kind = HOOK_ANNOTATIONS[key(hook.name)]
            if signatures is None:
                report.add(module.path, hook.line, CHECK,
                           f"`&{hook.name}` hook, but this tree has no signature list to check it against")
                continue
            if not hook.argument:
                report.add(module.path, hook.line, CHECK, f"`&{hook.name}` without the target's name")
                continue
            if where is None:
                report.add(module.path, hook.line, CHECK,
                           "hook in a module whose object and module cannot be told from its path")
                continue
            obj, mod = where
            sig = signatures.get((obj, mod, key(hook.argument)))
            confirmed = "?"
            if sig is None:
                report.add(module.path, hook.line, CHECK,
                           f"`&{kind}(\"{hook.argument}\")`: no `{hook.argument}` in {obj} {mod} "
                           "of the signature list (wrong name, wrong module, or not a base method)")
            else:
                confirmed = "yes" if sig.confirmed_2_3 else "no"
                _compare(module, m, hook.argument, sig, report)
            summary[obj].append(f"&{kind}(\"{hook.argument}\") in {mod} by {m.name}"
                                f" (confirmed_2_3: {confirmed})")
    for obj in sorted(summary):
        report.notes.append(f"hooks on {obj}:")
        report.notes.extend(f"    {line}" for line in summary[obj])


def _compare(module: Module, m: Method, target: str, sig: Signature, report: Report) -> None:
    path = module.path
    if key(m.name) == key(target):
        report.add(path, m.line, CHECK, f"hook `{m.name}` has the target's own name; name it differently")
    if m.directives != sig.directives:
        report.add(path, m.header_line, CHECK,
                   f"hook `{m.name}` has {_fmt_directives(m.directives)}, "
                   f"the original `{target}` has {_fmt_directives(sig.directives)}")
    if sig.params is None:
        return
    if len(m.params) != len(sig.params):
        want = ", ".join(("Знач " if p.by_value else "") + p.name for p in sig.params)
        report.add(path, m.line, CHECK,
                   f"hook `{m.name}` has {len(m.params)} parameter(s), the original `{target}` "
                   f"has {len(sig.params)}: ({want})")
        return
    for mine, theirs in zip(m.params, sig.params):
        if key(mine.name) != key(theirs.name):
            report.add(path, mine.line, CHECK,
                       f"hook `{m.name}`: parameter `{mine.name}` is `{theirs.name}` in the original")
        if mine.by_value != theirs.by_value:
            report.add(path, mine.line, CHECK,
                       f"hook `{m.name}`: parameter `{mine.name}` must {'' if theirs.by_value else 'not '}"
                       "be `Знач` as in the original")
