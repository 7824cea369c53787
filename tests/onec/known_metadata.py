#!/usr/bin/env python3
"""Builds known-metadata.json: the base-configuration names the extensions may use.

Two kinds of entries, each with its `source`:
  - read from the Retail 2.2.12 XML dump excerpts (objects, attributes, tabular
    sections, and every object named in an attribute's type);
  - curated by hand below from the fact sheets (retail-2.3-rmk-facts.md,
    NOTES.md, ut-11.5-facts.md, extension-dump-layout.md).
Nothing is invented: a name that is in no fact sheet is not here.

    tests/onec/known_metadata.py [../shared/fixtures/onec] > tests/onec/known-metadata.json
"""
from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

FACTS = "shared/fixtures/onec"
_KIND_RU = {"Document": "Документ", "Catalog": "Справочник", "Enum": "Перечисление",
            "InformationRegister": "РегистрСведений", "AccumulationRegister": "РегистрНакопления",
            "ChartOfCharacteristicTypes": "ПланВидовХарактеристик", "DataProcessor": "Обработка"}
_TYPE_RE = re.compile(r"cfg:(Document|Catalog|Enum|ChartOfCharacteristicTypes)Ref\.(\w+)")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _name(elem: ET.Element) -> str:
    for c in elem:
        if _local(c.tag) == "Properties":
            for p in c:
                if _local(p.tag) == "Name":
                    return (p.text or "").strip()
    return ""


def _children(elem: ET.Element, kind: str) -> list[ET.Element]:
    out = []
    for c in elem:
        if _local(c.tag) == "ChildObjects":
            out.extend(x for x in c if _local(x.tag) == kind)
    return out


def from_xml(folder: Path) -> dict[str, dict]:
    known: dict[str, dict] = {}
    referenced: dict[str, str] = {}
    for xml in sorted(folder.glob("*.xml")):
        src = f"{FACTS}/retail-2.2-metadata/{xml.name} (Retail 2.2.12 dump)"
        obj = next(iter(ET.parse(xml).getroot()))
        full = f"{_KIND_RU[_local(obj.tag)]}.{_name(obj)}"
        known[full] = {
            "source": src,
            "attributes": sorted(_name(a) for a in _children(obj, "Attribute")),
            "tabular_sections": {_name(ts): sorted(_name(a) for a in _children(ts, "Attribute"))
                                 for ts in _children(obj, "TabularSection")},
            "forms": sorted((f.text or "").strip() for f in _children(obj, "Form")),
        }
        for m in _TYPE_RE.finditer(xml.read_text(encoding="utf-8-sig")):
            name = f"{_KIND_RU[m.group(1)]}.{m.group(2)}"
            referenced.setdefault(name, f"{src}: named in an attribute's type")
    for name, src in referenced.items():
        if name not in known and "ххх_" not in name:  # ххх_ objects are local customizations
            known[name] = {"source": src}
    return known


R = "retail-2.3-rmk-facts.md"
N = "NOTES.md"
U = "ut-11.5-facts.md"
L = "extension-dump-layout.md"

RETAIL_CURATED: dict[str, dict] = {
    "Обработка.РМКУправляемыйРежим": {
        "source": f"{R} (a) Retail 2.2.12: attributes of Объект (DataProcessors/РМКУправляемыйРежим.xml); "
                  "the list there ends with 'and others'",
        "attributes": ["ВидОперации", "ВладелецДисконтнойКарты", "ДисконтнаяКарта", "Магазин", "Ответственный",
                       "Продавец", "ЧекККМПродажа", "Телефон", "АдресЭП", "Контрагент", "Организация",
                       "СкидкиРассчитаны", "ЦенаВключаетНДС", "ЗаказПокупателя", "ДокументРасчета",
                       "ОперацияСДенежнымиСредствами"],
        "tabular_sections": {"Товары": ["Продавец", "СуммаВсего", "СуммаАвтоматическойСкидки", "СуммаРучнойСкидки"],
                             "Оплата": [], "СкидкиНаценки": [], "Подарки": [], "СерийныеНомера": [], "Серии": [],
                             "БонусныеБаллыКНачислению": [], "АкцизныеМарки": [], "КодыМаркировки": []},
        "forms": ["Форма", "ФормаМеню", "ФормаВыбораЧека", "ФормаВводаТелефон", "ФормаВыбораПричиныВозврата"],
        "partial": True,
    },
    "Обработка.РабочееМестоКассира": {
        "source": f"{R} (a) Retail 2.3: attributes of Объект from the UNF proxy "
                  "(AlexanderYekat/unf:DataProcessors/РабочееМестоКассира.xml), matched by the 2.3 cfe",
        "attributes": ["ВидОперации", "Организация", "ТорговыйОбъект", "КассаККМ", "СуммаДокумента",
                       "НалогообложениеНДС", "ЦенаВключаетНДС", "Кассир", "Контрагент", "ДисконтнаяКарта",
                       "ПользовательБД", "ЗаказПокупателя", "ДокументРасчета", "ОперацияСДенежнымиСредствами",
                       "Оплачивается"],
        "tabular_sections": {"Товары": ["Продавец", "ИдентификаторПродавца", "СуммаСкидкиНаценки",
                                        "ПроцентСкидкиНаценки", "СуммаАвтоматическойСкидки", "ТорговыйОбъект"],
                             "Оплата": ["ВидОплаты"]},
        "forms": ["ФормаРМК"],
        "partial": True,
    },
    "Обработка.ЗакрытиеКассовойСмены": {"source": f"{R} b.7 (form Форма, ОбработатьДокументыККМСервер)",
                                        "forms": ["Форма"]},
    "Документ.КассоваяСмена": {"source": f"{R} b.7 (attributes Статус L837, ОкончаниеКассовойСмены L639, КассаККМ L300); "
                                         "DeZargo/1c_retail_apple:Documents/КассоваяСмена.xml @ 896da2e1 (НачалоКассовойСмены, "
                                         "НомерСменыККТ, Магазин)",
                               "attributes": ["Статус", "ОкончаниеКассовойСмены", "КассаККМ", "НачалоКассовойСмены",
                                              "НомерСменыККТ", "Магазин"], "partial": True},
    "Перечисление.СтатусыКассовойСмены": {"source": f"{R} b.7 (КассоваяСмена.Статус = Закрыта); "
                                                    "DeZargo/1c_retail_apple:Enums/СтатусыКассовойСмены.xml @ 896da2e1",
                                          "values": ["Открыта", "Закрыта"]},
    "Справочник.Магазины": {"source": f"{L} §3 base ids (Справочник.Магазины); {R} (d) Магазин"},
    "Справочник.КассыККМ": {"source": f"{L} §3 base ids (Справочник.КассыККМ)"},
    "Справочник.ВидыОплатЧекаККМ": {"source": f"{R} (d) Оплата.ВидОплаты; {L} §3 base ids"},
    "ОбщийМодуль.СтандартныеПодсистемыКлиент": {"source": f"{L} §3 base ids"},
    "Перечисление.СтатусыЧековККМ": {"source": f"{N} §3.1 [R22-ENUMS]; {R} (d)",
                                     "values": ["Отложенный", "Аннулированный", "Пробитый", "Архивный"]},
    "Перечисление.ВидыОперацийЧекККМ": {"source": f"{N} §3.1 [R22-ENUMS]; {R} (d)",
                                        "values": ["Продажа", "Возврат"], "partial": True},
    "Перечисление.ТипыОплатЧекаККМ": {"source": f"{R} (d): the 2.3 cfe adopts it, value ПлатежнаяКарта",
                                      "values": ["ПлатежнаяКарта"], "partial": True},
    "Перечисление.ТипыИнформационныхКарт": {"source": f"{N} §3.4 [R22-ENUMS] (ТипКарты)",
                                            "values": ["Дисконтная", "Регистрационная"]},
    "Перечисление.ВидыИнформационныхКарт": {"source": f"{N} §3.4 [R22-ENUMS] (ВидКарты)",
                                            "values": ["Штриховая", "Магнитная", "Смешанная"]},
}

UT_CURATED: dict[str, dict] = {
    "Справочник.ВидыКонтактнойИнформации": {
        "source": "andrewnomoore/ut_11_5_should_work @ 635e9a42: src/Catalogs/ВидыКонтактнойИнформации/ВидыКонтактнойИнформации.mdo (predefined items)",
        "predefined": ["ТелефонПартнера", "ТелефонКонтрагента", "ТелефонКонтактногоЛица"], "partial": True},
    "Перечисление.ТипыКонтактнойИнформации": {
        "source": "andrewnomoore/ut_11_5_should_work @ 635e9a42: src/Enums/ТипыКонтактнойИнформации; " + R + " (f) (БСП column Тип)",
        "values": ["Телефон", "Адрес", "АдресЭлектроннойПочты"], "partial": True},
    "Перечисление.ЮрФизЛицо": {"source": "andrewnomoore/ut_11_5_should_work @ 635e9a42: src/Enums/ЮрФизЛицо/ЮрФизЛицо.mdo",
                              "values": ["ЮрЛицо", "ФизЛицо", "ЮрЛицоНеРезидент", "ИндивидуальныйПредприниматель"]},
    "Перечисление.СтатусыКартЛояльности": {"source": "andrewnomoore/ut_11_5_should_work @ 635e9a42: src/Enums/СтатусыКартЛояльности/СтатусыКартЛояльности.mdo",
                                          "values": ["Действует", "Аннулирована"]},
    "Перечисление.ТипыКарт": {"source": "andrewnomoore/ut_11_5_should_work @ 635e9a42: src/Enums/ТипыКарт/ТипыКарт.mdo "
                                        "(ВидыКартЛояльности.ТипКарты; used in src/Catalogs/КартыЛояльности/ObjectModule.bsl ПередЗаписью)",
                              "values": ["Штриховая", "Магнитная", "Смешанная"]},
    "Документ.ОтчетОРозничныхПродажах": {
        "source": f"{U} §1 (UT 11.5.18.41 EDT dump, Documents/ОтчетОРозничныхПродажах)",
        "attributes": ["Валюта", "ВидЦены", "КассаККМ", "Организация", "Ответственный", "Подразделение", "Склад",
                       "СуммаДокумента", "ЦенаВключаетНДС", "КассоваяСмена", "Контрагент", "ФормаОплаты"],
        "tabular_sections": {
            "Товары": ["Номенклатура", "Характеристика", "Упаковка", "КоличествоУпаковок", "Количество", "Цена",
                       "Сумма", "СтавкаНДС", "СуммаНДС", "ПроцентРучнойСкидки", "СуммаРучнойСкидки", "Партнер",
                       "ИдентификаторСтроки", "Продавец", "Помещение", "Серия", "АналитикаУчетаНоменклатуры",
                       "НоменклатураНабора", "ХарактеристикаНабора", "АналитикаУчетаНаборов", "ПоЧекуКоррекции",
                       "ДокументРеализации"],
            "ВидыЗапасов": ["Партнер", "Продавец"], "НачислениеБонусныхБаллов": ["Партнер"],
            "ОплатаБонуснымиБаллами": ["Партнер"], "ОплатаПлатежнымиКартами": ["ВидОплаты"],
            "ПодарочныеСертификаты": [], "Серии": [], "АкцизныеМарки": []},
        "partial": True,
    },
    "Документ.ЧекККМ": {
        "source": f"{U} §2 (Documents/ЧекККМ)",
        "attributes": ["Архивный", "КассаККМ", "Кассир", "Статус", "ФормаОплаты", "КартаЛояльности", "Партнер",
                       "КассоваяСмена", "Контрагент", "ПолученоНаличными", "НомерЧекаККМ", "Склад", "ВидЦены",
                       "Валюта"],
        "tabular_sections": {
            "Товары": ["Продавец", "ПроцентАвтоматическойСкидки", "СуммаАвтоматическойСкидки", "ПроцентРучнойСкидки",
                       "СуммаРучнойСкидки", "СуммаБонусныхБалловКСписанию", "Штрихкод", "ИдентификаторСтроки"],
            "ОплатаПлатежнымиКартами": ["ВидОплаты"], "СкидкиНаценки": [], "ПодарочныеСертификаты": [],
            "БонусныеБаллы": []},
        "forms": ["ФормаДокументаРМК"],
        "partial": True,
    },
    "Документ.ЧекККМВозврат": {"source": f"{U} §2 (adopted by the retailCRM UT 11.5 cfe)"},
    "Справочник.Партнеры": {
        "source": f"{U} §3 (Catalogs/Партнеры)",
        "attributes": ["Клиент", "ОсновнойМенеджер", "ЮрФизЛицо", "Пол", "ДатаРождения",
                       "ВариантОтправкиЭлектронногоЧека", "ВидЦен", "ИндивидуальныйВидЦены"],
        "tabular_sections": {"КонтактнаяИнформация": [
            "Тип", "Вид", "Представление", "ЗначенияПолей", "Страна", "Регион", "Город", "АдресЭП",
            "ДоменноеИмяСервера", "НомерТелефона", "НомерТелефонаБезКодов", "ВидДляСписка", "Значение"]},
        "predefined": ["НашеПредприятие", "НеизвестныйПартнер", "РозничныйПокупатель"],
        "partial": True,
    },
    "Справочник.Контрагенты": {
        "source": f"{U} §3 (Catalogs/Контрагенты)",
        "attributes": ["Партнер", "ЮрФизЛицо", "ИНН", "КПП"],
        "tabular_sections": {"КонтактнаяИнформация": ["НомерТелефона", "НомерТелефонаБезКодов", "ДействуетС",
                                                      "Значение"]},
        "partial": True,
    },
    "Справочник.Пользователи": {"source": f"{U} §1 (Ответственный, Продавец: CatalogRef.Пользователи)"},
    "Справочник.КартыЛояльности": {"source": f"{U} §4 (Catalogs/КартыЛояльности)",
                                   "attributes": ["Штрихкод", "МагнитныйКод", "Статус", "Партнер", "Контрагент",
                                                  "Соглашение"], "partial": True},
    "Справочник.ВидыКартЛояльности": {"source": f"{U} §4 (owner of КартыЛояльности)",
                                      "attributes": ["ТипКарты", "Персонализирована", "БонуснаяПрограммаЛояльности"],
                                      "partial": True},
    "Справочник.СкидкиНаценки": {"source": f"{U} §4 (Catalogs/СкидкиНаценки)",
                                 "attributes": ["СпособПредоставления", "ЗначениеСкидкиНаценки", "ВидКартыЛояльности",
                                                "БонуснаяПрограммаЛояльности", "Управляемая"],
                                 "tabular_sections": {"УсловияПредоставления": []}, "partial": True},
    "Справочник.УсловияПредоставленияСкидокНаценок": {
        "source": f"{U} §4", "attributes": ["УсловиеПредоставления", "ВидКартыЛояльности", "СегментПартнеров",
                                            "ВариантНакопления", "ПериодНакопления"], "partial": True},
    "Справочник.СегментыПартнеров": {"source": f"{U} §4"},
    "Справочник.СоглашенияСКлиентами": {"source": f"{U} §4 (СоглашениеСКлиентами)",
                                        "attributes": ["Партнер", "Типовое", "ПроцентРучнойСкидки",
                                                       "ИндивидуальныйВидЦены"], "partial": True},
    "РегистрСведений.ДействиеСкидокНаценок": {"source": f"{U} §4",
                                              "attributes": ["Источник", "СкидкаНаценка", "Статус", "СегментПартнеров"]},
    "РегистрСведений.ПартнерыСегмента": {"source": f"{U} §4", "attributes": ["Сегмент", "Партнер"], "partial": True},
    "РегистрСведений.АналитикаУчетаПоПартнерам": {
        "source": f"{U} §5", "attributes": ["КлючАналитики", "Партнер", "Организация", "Контрагент", "Договор",
                                            "НаправлениеДеятельности"]},
    "РегистрНакопления.ВыручкаИСебестоимостьПродаж": {
        "source": f"{U} §5", "attributes": [
            "АналитикаУчетаНоменклатуры", "ЗаказКлиента", "АналитикаУчетаПоПартнерам", "Подразделение", "Менеджер",
            "Склад", "Соглашение", "Договор", "ХозяйственнаяОперация", "Количество", "СуммаВыручки",
            "СуммаВыручкиБезНДС", "СуммаРучнойСкидки", "СуммаАвтоматическойСкидки", "ДокументДвижения"],
        "partial": True},
    "Перечисление.ФормыОплаты": {"source": f"{U} §2 (ФормыОплаты.Наличная, ФормыОплаты.ПлатежнаяКарта)",
                                 "values": ["Наличная", "ПлатежнаяКарта"], "partial": True},
    "Перечисление.СтатусыЧековККМ": {"source": f"{U} §2 (Статус = Пробит)", "values": ["Пробит"], "partial": True},
    "Перечисление.КомпанияЧастноеЛицо": {"source": f"{U} §3 (Партнеры.ЮрФизЛицо)"},
    "Перечисление.ТипыПлатежнойСистемыККТ": {"source": f"{U} §1 (ОплатаПлатежнымиКартами.ВидОплаты)"},
    "Перечисление.УсловияПредоставленияСкидокНаценок": {
        "source": f"{U} §4 (Enums/УсловияПредоставленияСкидокНаценок L32–116)",
        "values": ["ЗаРазовыйОбъемПродаж", "ЗаНакопленныйОбъемПродаж", "ЗаПробнуюПродажу", "ЗаПервуюПродажуПартнеру",
                   "ЗаВремяПродажи", "ЗаГрафикОплаты", "ЗаФормуОплаты", "ЗаНаличиеКартыЛояльности",
                   "ОграничениеПоГруппеПользователей", "КартаЛояльностиНеЗарегистрирована",
                   "ВхождениеПартнераВСегмент", "ВнешняяОбработка", "ЗаДеньРожденияКлиента"]},
}


def build(facts: Path) -> dict:
    retail = from_xml(facts / "retail-2.2-metadata")
    for name, entry in RETAIL_CURATED.items():
        if set(retail.get(name, {})) <= {"source"}:  # only named in a type: the fact sheet says more
            retail[name] = entry
    return {
        "about": "Base-configuration metadata the extensions may name. Generated by tests/onec/known_metadata.py "
                 f"from {FACTS}; add a name only with its source. `partial`: the lists come from prose "
                 "and may be incomplete.",
        "retail": dict(sorted(retail.items())),
        "ut": dict(sorted(UT_CURATED.items())),
    }


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[3] / FACTS
    json.dump(build(root), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
