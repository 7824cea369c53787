#!/usr/bin/env python3
"""Writes the metadata XML of the Retail extension tree (assets/1c/retail/src) from the description below.

The BSL modules are written by hand and kept; every .xml file (objects, forms, roles, Configuration.xml,
ConfigDumpInfo.xml) is generated, with stable uuids derived from object names.

    assets/1c/tools/retail_tree.py assets/1c/retail/src          rewrite the XML
    assets/1c/tools/retail_tree.py --check assets/1c/retail/src  fail if the committed XML differs
"""
import filecmp
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dump import Tree, uid, syn, text, attribute, KINDS, gen_types  # noqa: E402
from forms import Form, adopted_form_xml  # noqa: E402

CHECK = sys.argv[1] == "--check"
TARGET = sys.argv[-1]
ROOT = tempfile.mkdtemp(prefix="retail-tree-") if CHECK else TARGET
if CHECK:
    shutil.rmtree(ROOT)
    shutil.copytree(TARGET, ROOT)
# keep existing .bsl files (written by hand), regenerate XML
for dp, dn, fn in os.walk(ROOT):
    for f in fn:
        if f.endswith(".xml"):
            os.remove(os.path.join(dp, f))
t = Tree(ROOT)
def openw(p, *a, **k):
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return open(p, "w", encoding="utf-8")

P = "Напарник"

t.language("db4a9ccb-9ef5-4b3c-8577-b6fe5db1b62e")

# --- subsystem: the section "Напарник" with the settings and the queue
t.add("Subsystem", "Напарник")
content = "".join(f'<xr:Item xsi:type="xr:MDObjectRef">{x}</xr:Item>' for x in
                  ["DataProcessor.НапарникНастройки", "InformationRegister.НапарникОчередь"])
t.write("Subsystems/Напарник.xml", f'<Subsystem uuid="{uid("Subsystem", "Напарник")}"><Properties><Name>Напарник</Name>{syn("Напарник")}<Comment/>'
        '<IncludeHelpInContents>false</IncludeHelpInContents><IncludeInCommandInterface>true</IncludeInCommandInterface>'
        f'<UseOneCommand>false</UseOneCommand><Explanation>{text("Связь кассы с программой Напарник: настройки, очередь отправки")}</Explanation>'
        f'<Picture/><Content>{content}</Content></Properties><ChildObjects/></Subsystem>')

# --- roles
def role(name, synonym, rights):
    t.add("Role", name)
    t.write(f"Roles/{name}.xml", f'<Role uuid="{uid("Role", name)}"><Properties><Name>{name}</Name>{syn(synonym)}<Comment/></Properties></Role>')
    objs = []
    for obj, rs in rights:
        objs.append(f'<object><name>{obj}</name>' + "".join(f'<right><name>{r}</name><value>true</value></right>' for r in rs) + '</object>')
    path = os.path.join(ROOT, f"Roles/{name}/Ext/Rights.xml")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<Rights xmlns="http://v8.1c.ru/8.2/roles" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Rights" version="2.11">'
                '<setForNewObjects>false</setForNewObjects><setForAttributesByDefault>true</setForAttributesByDefault>'
                '<independentRightsOfChildObjects>false</independentRightsOfChildObjects>' + "".join(objs) + '</Rights>\n')

rw = ["Read", "Update", "View", "Edit"]
role("НапарникКассир", "Напарник: работа кассира", [
    ("Subsystem.Напарник", ["View"]),
    ("InformationRegister.НапарникОчередь", rw),
    ("InformationRegister.НапарникНастройки", ["Read", "View"]),
    ("DataProcessor.НапарникНастройки", ["Use", "View"]),
    ("CommonCommand.НапарникИзменитьПродавцов", ["View"]),
    ("CommonForm.НапарникИзменениеПродавцов", ["View"]),
])
role("НапарникАдминистратор", "Напарник: настройка", [
    ("Subsystem.Напарник", ["View"]),
    ("InformationRegister.НапарникОчередь", rw),
    ("InformationRegister.НапарникНастройки", rw),
    ("DataProcessor.НапарникНастройки", ["Use", "View"]),
    ("CommonCommand.НапарникИзменитьПродавцов", ["View"]),
    ("CommonForm.НапарникИзменениеПродавцов", ["View"]),
])

# --- common modules
t.common_module("НапарникКлиент", "Напарник: связь с программой на кассе", client=True)
t.common_module("НапарникКлиентСервер", "Напарник: общие правила (JSON, доли, деньги)", client=True, server=True)
t.common_module("НапарникВызовСервера", "Напарник: вызовы сервера с кассы", server=True, server_call=True)
t.common_module("НапарникЧекСервер", "Напарник: продавцы и доли в чеке", server=True)
t.common_module("НапарникПокупателиСервер", "Напарник: покупатель по телефону и его карта", server=True, privileged=True)
t.common_module("НапарникОчередьСервер", "Напарник: очередь отправки на кассу", server=True)
t.common_module("НапарникОтчетСервер", "Напарник: отчет о розничных продажах по продавцам", server=True)

# --- event subscription: a closed shift goes to Naparnik
t.add("EventSubscription", "НапарникЗакрытиеСмены")
t.write("EventSubscriptions/НапарникЗакрытиеСмены.xml",
        f'<EventSubscription uuid="{uid("EventSubscription", "НапарникЗакрытиеСмены")}"><Properties><Name>НапарникЗакрытиеСмены</Name>'
        f'{syn("Напарник: закрытие кассовой смены")}<Comment/><Source><v8:Type>cfg:DocumentObject.КассоваяСмена</v8:Type></Source>'
        '<Event>OnWrite</Event><Handler>CommonModule.НапарникОчередьСервер.КассоваяСменаПриЗаписи</Handler></Properties></EventSubscription>')

# --- common command on the receipt's forms + the common form
t.add("CommonCommand", "НапарникИзменитьПродавцов")
t.write("CommonCommands/НапарникИзменитьПродавцов.xml",
        f'<CommonCommand uuid="{uid("CommonCommand", "НапарникИзменитьПродавцов")}"><Properties><Name>НапарникИзменитьПродавцов</Name>'
        f'{syn("Продавцы чека (Напарник)")}<Comment/><Group>FormCommandBarImportant</Group><Representation>Auto</Representation>'
        f'<ToolTip>{text("Изменить продавцов чека; нужен ПИН менеджера")}</ToolTip><Picture/><Shortcut/><IncludeHelpInContents>false</IncludeHelpInContents>'
        '<CommandParameterType><v8:Type>cfg:DocumentRef.ЧекККМ</v8:Type></CommandParameterType><ParameterUseMode>Single</ParameterUseMode>'
        '<ModifiesData>true</ModifiesData><OnMainServerUnavalableBehavior>Auto</OnMainServerUnavalableBehavior></Properties></CommonCommand>')

t.add("CommonForm", "НапарникИзменениеПродавцов")
t.form_meta("CommonForms/НапарникИзменениеПродавцов.xml", "CommonForm", "НапарникИзменениеПродавцов", "Продавцы чека", common=True)
f = Form("Продавцы чека")
f.event("OnCreateAtServer", "ПриСозданииНаСервере")
f.event("OnOpen", "ПриОткрытии")
f.attr("Чек", "Чек", "DocumentRef.ЧекККМ")
f.attr("Продавцы", "Продавцы", "ValueTable", columns=[("Код", "Код", "string:50"), ("Имя", "Продавец", "string:150"), ("Сумма", "Сумма", "number:15,2")])
f.attr("КодПродавца", "Код или бейдж продавца", "string:50")
f.attr("Менеджер", "Менеджер", "string:150")
f.attr("ПИН", "ПИН менеджера", "string:16")
f.attr("ТекстСостояния", "", "string:0")
f.field("Чек", "Чек", readonly=True)
f.label("ТекстСостояния", "ТекстСостояния")
f.table("Продавцы", "Продавцы", ["Код", "Имя", "Сумма"])
f.field("КодПродавца", "КодПродавца")
f.command("ДобавитьПродавца", "Добавить", "Добавить продавца по коду или бейджу", "ДобавитьПродавца")
f.command("УдалитьПродавца", "Удалить", "Убрать выделенного продавца", "УдалитьПродавца")
f.field("Менеджер", "Менеджер", readonly=True)
f.field("ПИН", "ПИН", password=True)
f.command("Сохранить", "Сохранить", "Передать новых продавцов в Напарник и записать доли в чек", "Сохранить", default=True)
with openw(os.path.join(ROOT, "CommonForms/НапарникИзменениеПродавцов/Ext/Form.xml"), "w", encoding="utf-8") as fh:
    fh.write(f.xml())

# --- adopted catalogs used as types of own data
for name, base in [("ФизическиеЛица", "c1fa7833-60f0-49b7-9ba7-076ecd126a56"),
                   ("КассыККМ", "939cafb3-169b-49b1-baf5-ee4baed599f8"),
                   ("ВидыДисконтныхКарт", "28e43d87-9e07-479f-8c8d-20b57719f6a3")]:
    t.adopted("Catalog", name, base)

# --- adopted documents
sellers_ts = t.tabular_section("ЧекККМ", "НапарникПродавцы", "Продавцы (Напарник)", [
    ("НомерСтрокиТоваров", "Строка товаров", "number:5,0"),
    ("Продавец", "Продавец", "CatalogRef.ФизическиеЛица"),
    ("КодПродавца", "Код продавца", "string:50"),
    ("ИмяПродавца", "Продавец (как в Напарнике)", "string:150"),
    ("Сумма", "Сумма", "number:15,2"),
])
data_attr = (attribute("Document.ЧекККМ", "НапарникДанные", "Данные Напарника", "string:0")
             + attribute("Document.ЧекККМ", "НапарникКомпьютер", "Компьютер кассы (Напарник)", "string:100"))
t.adopted("Document", "ЧекККМ", "b4c9e631-8fc8-455e-8eb2-a18c8a1d1621", children=data_attr + sellers_ts)
t.adopted("Document", "ОтчетОРозничныхПродажах", "04bef590-ee45-4171-aa9c-1d2bd421cc7c")
t.adopted("Document", "КассоваяСмена", "953a5c06-150b-4d33-a1b3-e1b5b7d767c2")

# --- the two cashier workplaces: own attribute copied by name into the receipt, adopted main form
for proc, base, form, form_base in [
        ("РМКУправляемыйРежим", "9c0fb8a3-aa32-40de-aa41-fe6b3e6c6fb9", "Форма", "7efafd50-8cef-4f2c-b118-91877b02738b"),
        ("РабочееМестоКассира", "e35a6d9d-796c-4c2b-a7ff-ee8756fcec07", "ФормаРМК", "62f63720-ad73-4c39-9dd6-aa6033f32b0c")]:
    a = (attribute(f"DataProcessor.{proc}", "НапарникДанные", "Данные Напарника", "string:0")
         + attribute(f"DataProcessor.{proc}", "НапарникКомпьютер", "Компьютер кассы (Напарник)", "string:100"))
    t.adopted("DataProcessor", proc, base, children=a, forms=[form])
    t.form_meta(f"DataProcessors/{proc}/Forms/{form}.xml", f"DataProcessor.{proc}", form, None, adopted_base=form_base)
    with openw(os.path.join(ROOT, f"DataProcessors/{proc}/Forms/{form}/Ext/Form.xml"), "w", encoding="utf-8") as fh:
        fh.write(adopted_form_xml(f"DataProcessorObject.{proc}"))

# --- settings data processor with its form
folder, cats = KINDS["DataProcessor"]
t.add("DataProcessor", "НапарникНастройки")
t.write("DataProcessors/НапарникНастройки.xml",
        f'<DataProcessor uuid="{uid("DataProcessor", "НапарникНастройки")}">{gen_types("DataProcessor", "НапарникНастройки", cats)}<Properties>'
        f'<Name>НапарникНастройки</Name>{syn("Настройки Напарника")}<Comment/><UseStandardCommands>true</UseStandardCommands>'
        '<DefaultForm>DataProcessor.НапарникНастройки.Form.Форма</DefaultForm><AuxiliaryForm/><IncludeHelpInContents>false</IncludeHelpInContents>'
        f'<ExtendedPresentation/><Explanation>{text("Порт и токен Напарника на этой кассе, коды магазина и кассы, проверка связи")}</Explanation>'
        '</Properties><ChildObjects><Form>Форма</Form></ChildObjects></DataProcessor>')
t.form_meta("DataProcessors/НапарникНастройки/Forms/Форма.xml", "DataProcessor.НапарникНастройки", "Форма", "Настройки Напарника")
f = Form("Настройки Напарника")
f.event("OnCreateAtServer", "ПриСозданииНаСервере")
f.event("OnOpen", "ПриОткрытии")
f.attr("Компьютер", "Компьютер кассы", "string:100")
f.attr("Порт", "Порт Напарника", "number:5,0")
f.attr("Токен", "Токен моста", "string:200")
f.attr("КодМагазина", "Код магазина", "string:50")
f.attr("КодКассы", "Код кассы", "string:50")
f.attr("ВидДисконтнойКарты", "Вид карты для новых покупателей", "CatalogRef.ВидыДисконтныхКарт")
f.attr("ТекстСостояния", "", "string:0")
f.attr("Очередь", "Отложенные сообщения", "ValueTable", columns=[
    ("Компьютер", "Компьютер", "string:100"), ("КассаККМ", "Касса", "CatalogRef.КассыККМ"), ("Ключ", "Сообщение", "string:100"),
    ("Создано", "Создано", "datetime"), ("Ошибка", "Что ответил Напарник", "string:0")])
f.field("Компьютер", "Компьютер", readonly=True)
f.field("Порт", "Порт")
f.field("Токен", "Токен", password=True)
f.field("КодМагазина", "КодМагазина")
f.field("КодКассы", "КодКассы")
f.field("ВидДисконтнойКарты", "ВидДисконтнойКарты")
f.command("Записать", "Записать", "Сохранить настройки этой кассы", "Записать", default=True)
f.command("ПроверитьСвязь", "Проверить связь", "Спросить Напарник на этой кассе, отвечает ли он и принимает ли токен", "ПроверитьСвязь")
f.label("ТекстСостояния", "ТекстСостояния")
f.table("Очередь", "Очередь", ["Компьютер", "КассаККМ", "Ключ", "Создано", "Ошибка"])
f.command("ПовторитьОтложенные", "Отправить отложенные снова", "Вернуть отложенные сообщения в очередь, например после исправления данных", "ПовторитьОтложенные")
os.makedirs(os.path.join(ROOT, "DataProcessors/НапарникНастройки/Forms/Форма/Ext"), exist_ok=True)
with openw(os.path.join(ROOT, "DataProcessors/НапарникНастройки/Forms/Форма/Ext/Form.xml"), "w", encoding="utf-8") as fh:
    fh.write(f.xml())

# --- registers
t.register("НапарникОчередь", "Очередь отправки в Напарник",
           dims=[("Компьютер", "Компьютер кассы", "string:100"), ("Ключ", "Сообщение", "string:100")],
           resources=[("КассаККМ", "Касса ККМ", "CatalogRef.КассыККМ"), ("Метод", "Метод HTTP", "string:10"), ("Путь", "Путь", "string:200"), ("Тело", "Тело (JSON)", "string:0"),
                      ("Состояние", "Состояние", "string:20"), ("Попыток", "Попыток", "number:5,0"),
                      ("СледующаяПопытка", "Следующая попытка", "datetime"), ("Создано", "Создано", "datetime"),
                      ("Ошибка", "Последняя ошибка", "string:0")])
t.register("НапарникНастройки", "Настройки Напарника по компьютерам",
           dims=[("Компьютер", "Компьютер", "string:100")],
           resources=[("Порт", "Порт", "number:5,0"), ("Токен", "Токен", "string:200"), ("КодМагазина", "Код магазина", "string:50"),
                      ("КодКассы", "Код кассы", "string:50"), ("ВидДисконтнойКарты", "Вид карты для новых покупателей", "CatalogRef.ВидыДисконтныхКарт")])

t.configuration("Напарник", "Напарник: покупатель и продавцы чека", P, "Version8_3_17", "1.0.0", "Напарник", keep_ids=False,
                comment="Покупатель по телефону и продавцы по бейджам из программы Напарник на кассе")

# ConfigDumpInfo: every object with the uuid of its file and a version hash of its files
import hashlib, re as _re
FOLDERS = {"Language": "Languages", "Subsystem": "Subsystems", "Role": "Roles", "CommonModule": "CommonModules",
           "EventSubscription": "EventSubscriptions", "CommonCommand": "CommonCommands", "CommonForm": "CommonForms",
           "Catalog": "Catalogs", "Document": "Documents", "DataProcessor": "DataProcessors",
           "InformationRegister": "InformationRegisters"}
items = []
for kind, name in sorted(t.children):
    path = os.path.join(ROOT, FOLDERS[kind], name + ".xml")
    text_ = open(path, encoding="utf-8").read()
    object_id = _re.search(r'<' + kind + r' uuid="([^"]+)"', text_).group(1)
    digest = hashlib.sha1()
    digest.update(text_.encode("utf-8"))
    sub = os.path.join(ROOT, FOLDERS[kind], name)
    for dp, dn, fn in sorted(os.walk(sub)):
        for f_ in sorted(fn):
            digest.update(open(os.path.join(dp, f_), "rb").read())
    items.append(f'<Metadata name="{kind}.{name}" id="{object_id}" configVersion="{digest.hexdigest()}"/>')
with openw(os.path.join(ROOT, "ConfigDumpInfo.xml")) as fh:
    fh.write('<?xml version="1.0" encoding="UTF-8"?>\n<ConfigDumpInfo xmlns="http://v8.1c.ru/8.3/xcf/dumpinfo" '
             'xmlns:xen="http://v8.1c.ru/8.3/xcf/enums" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
             'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" format="Hierarchical" version="2.11">'
             f'<ConfigVersions>{"".join(items)}</ConfigVersions></ConfigDumpInfo>\n')
if CHECK:
    stale = []
    for dp, dn, fn in os.walk(ROOT):
        for f_ in fn:
            if f_.endswith(".xml"):
                rel = os.path.relpath(os.path.join(dp, f_), ROOT)
                committed = os.path.join(TARGET, rel)
                if not os.path.exists(committed) or not filecmp.cmp(os.path.join(dp, f_), committed, shallow=False):
                    stale.append(rel)
    shutil.rmtree(ROOT)
    if stale:
        print("retail tree: the committed XML differs from what assets/1c/tools/retail_tree.py writes "
              "(run it on assets/1c/retail/src and commit):\n  " + "\n  ".join(sorted(stale)))
        sys.exit(1)
    print(f"retail tree: {len(t.children)} objects, XML as generated")
else:
    print(f"retail tree: {len(t.children)} objects written")
