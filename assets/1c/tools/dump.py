"""Writes Designer XML dump files (format 2.11) for the Naparnik extensions. Deterministic uuids (uuid5)."""
import os, uuid
NS = uuid.UUID("6f1c0f7e-2a59-4b7e-9a51-6e61a7a0c0de")
HDR = ('<?xml version="1.0" encoding="UTF-8"?>\n<MetaDataObject xmlns="http://v8.1c.ru/8.3/MDClasses" '
 'xmlns:app="http://v8.1c.ru/8.2/managed-application/core" xmlns:cfg="http://v8.1c.ru/8.1/data/enterprise/current-config" '
 'xmlns:cmi="http://v8.1c.ru/8.2/managed-application/cmi" xmlns:ent="http://v8.1c.ru/8.1/data/enterprise" '
 'xmlns:lf="http://v8.1c.ru/8.2/managed-application/logform" xmlns:style="http://v8.1c.ru/8.1/data/ui/style" '
 'xmlns:sys="http://v8.1c.ru/8.1/data/ui/fonts/system" xmlns:v8="http://v8.1c.ru/8.1/data/core" '
 'xmlns:v8ui="http://v8.1c.ru/8.1/data/ui" xmlns:web="http://v8.1c.ru/8.1/data/ui/colors/web" '
 'xmlns:win="http://v8.1c.ru/8.1/data/ui/colors/windows" xmlns:xen="http://v8.1c.ru/8.3/xcf/enums" '
 'xmlns:xpr="http://v8.1c.ru/8.3/xcf/predef" xmlns:xr="http://v8.1c.ru/8.3/xcf/readable" '
 'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="2.11">\n')
FORM_HDR = ('<?xml version="1.0" encoding="UTF-8"?>\n<Form xmlns="http://v8.1c.ru/8.3/xcf/logform" '
 'xmlns:app="http://v8.1c.ru/8.2/managed-application/core" xmlns:cfg="http://v8.1c.ru/8.1/data/enterprise/current-config" '
 'xmlns:dcscor="http://v8.1c.ru/8.1/data-composition-system/core" xmlns:dcsset="http://v8.1c.ru/8.1/data-composition-system/settings" '
 'xmlns:ent="http://v8.1c.ru/8.1/data/enterprise" xmlns:lf="http://v8.1c.ru/8.2/managed-application/logform" '
 'xmlns:style="http://v8.1c.ru/8.1/data/ui/style" xmlns:sys="http://v8.1c.ru/8.1/data/ui/fonts/system" '
 'xmlns:v8="http://v8.1c.ru/8.1/data/core" xmlns:v8ui="http://v8.1c.ru/8.1/data/ui" '
 'xmlns:web="http://v8.1c.ru/8.1/data/ui/colors/web" xmlns:win="http://v8.1c.ru/8.1/data/ui/colors/windows" '
 'xmlns:xr="http://v8.1c.ru/8.3/xcf/readable" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="2.11">\n')

def uid(*parts):
    return str(uuid.uuid5(NS, "/".join(parts)))

def text(s):
    return f'<v8:item><v8:lang>ru</v8:lang><v8:content>{s}</v8:content></v8:item>'

def syn(s):
    return f'<Synonym>{text(s)}</Synonym>' if s else '<Synonym/>'

def typ(t):
    """t: 'string:N' (0 = unlimited), 'number:D,F', 'bool', 'date', 'datetime', or a cfg type like 'CatalogRef.X'."""
    if t.startswith("string"):
        n = t.split(":")[1]
        return (f'<Type><v8:Type>xs:string</v8:Type><v8:StringQualifiers><v8:Length>{n}</v8:Length>'
                '<v8:AllowedLength>Variable</v8:AllowedLength></v8:StringQualifiers></Type>')
    if t.startswith("number"):
        d, f = t.split(":")[1].split(",")
        return (f'<Type><v8:Type>xs:decimal</v8:Type><v8:NumberQualifiers><v8:Digits>{d}</v8:Digits>'
                f'<v8:FractionDigits>{f}</v8:FractionDigits><v8:AllowedSign>Any</v8:AllowedSign></v8:NumberQualifiers></Type>')
    if t == "bool":
        return '<Type><v8:Type>xs:boolean</v8:Type></Type>'
    if t in ("date", "datetime"):
        fr = "Date" if t == "date" else "DateTime"
        return f'<Type><v8:Type>xs:dateTime</v8:Type><v8:DateQualifiers><v8:DateFractions>{fr}</v8:DateFractions></v8:DateQualifiers></Type>'
    return f'<Type><v8:Type>cfg:{t}</v8:Type></Type>'

FIELD_PROPS = ('<PasswordMode>false</PasswordMode><Format/><EditFormat/><ToolTip/><MarkNegatives>false</MarkNegatives>'
 '<Mask/><MultiLine>false</MultiLine><ExtendedEdit>false</ExtendedEdit><MinValue xsi:nil="true"/><MaxValue xsi:nil="true"/>')
CHOICE_PROPS = ('<ChoiceFoldersAndItems>Items</ChoiceFoldersAndItems><ChoiceParameterLinks/><ChoiceParameters/>'
 '<QuickChoice>Auto</QuickChoice><CreateOnInput>Auto</CreateOnInput><ChoiceForm/><LinkByType/>'
 '<ChoiceHistoryOnInput>Auto</ChoiceHistoryOnInput>')

def attribute(owner, name, synonym, t, tag="Attribute", fill_value=True, extra=""):
    fv = '<FillFromFillingValue>false</FillFromFillingValue><FillValue xsi:nil="true"/>' if fill_value else ""
    return (f'<{tag} uuid="{uid(owner, tag, name)}"><Properties><Name>{name}</Name>{syn(synonym)}<Comment/>{typ(t)}'
            f'{FIELD_PROPS}{fv}<FillChecking>DontCheck</FillChecking>{CHOICE_PROPS}{extra}'
            '<Indexing>DontIndex</Indexing><FullTextSearch>DontUse</FullTextSearch><DataHistory>DontUse</DataHistory>'
            f'</Properties></{tag}>')

def gen_types(owner_kind, name, cats):
    out = ['<InternalInfo>']
    for gname, cat in cats:
        out.append(f'<xr:GeneratedType name="{gname}.{name}" category="{cat}">'
                   f'<xr:TypeId>{uid(owner_kind, name, gname, "t")}</xr:TypeId>'
                   f'<xr:ValueId>{uid(owner_kind, name, gname, "v")}</xr:ValueId></xr:GeneratedType>')
    out.append('</InternalInfo>')
    return "".join(out)

KINDS = {
    "Catalog": ("Catalogs", [("CatalogObject", "Object"), ("CatalogRef", "Ref"), ("CatalogSelection", "Selection"),
                             ("CatalogList", "List"), ("CatalogManager", "Manager")]),
    "Document": ("Documents", [("DocumentObject", "Object"), ("DocumentRef", "Ref"), ("DocumentSelection", "Selection"),
                               ("DocumentList", "List"), ("DocumentManager", "Manager")]),
    "DataProcessor": ("DataProcessors", [("DataProcessorObject", "Object"), ("DataProcessorManager", "Manager")]),
    "InformationRegister": ("InformationRegisters", [
        ("InformationRegisterRecord", "Record"), ("InformationRegisterManager", "Manager"),
        ("InformationRegisterSelection", "Selection"), ("InformationRegisterList", "List"),
        ("InformationRegisterRecordSet", "RecordSet"), ("InformationRegisterRecordKey", "RecordKey"),
        ("InformationRegisterRecordManager", "RecordManager")]),
}

class Tree:
    def __init__(self, root):
        self.root = root
        self.children = []   # (kind, name)
    def write(self, rel, body, header=HDR, footer="</MetaDataObject>\n"):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(header + body + "\n" + footer)
    def add(self, kind, name):
        self.children.append((kind, name))

    def language(self, base):
        self.add("Language", "Русский")
        self.write("Languages/Русский.xml", f'<Language uuid="{uid("Language")}"><InternalInfo/><Properties><Name>Русский</Name>'
                   f'<Comment/><ObjectBelonging>Adopted</ObjectBelonging><ExtendedConfigurationObject>{base}</ExtendedConfigurationObject>'
                   '<LanguageCode>ru</LanguageCode></Properties></Language>')

    def adopted(self, kind, name, base, children="", forms=(), extra_props=""):
        folder, cats = KINDS[kind]
        self.add(kind, name)
        f = "".join(f"<Form>{x}</Form>" for x in forms)
        rr = "<RegisterRecords/>" if kind == "Document" else ""
        self.write(f"{folder}/{name}.xml", f'<{kind} uuid="{uid(kind, name)}">{gen_types(kind, name, cats)}<Properties><Name>{name}</Name>'
                   f'<Comment/><ObjectBelonging>Adopted</ObjectBelonging><ExtendedConfigurationObject>{base}</ExtendedConfigurationObject>'
                   f'{extra_props}{rr}</Properties><ChildObjects>{children}{f}</ChildObjects></{kind}>')

    def tabular_section(self, doc, name, synonym, columns):
        kind = f"Document.{doc}.{name}"
        cols = "".join(attribute(kind, c, s, t) for c, s, t in columns)
        return (f'<TabularSection uuid="{uid(kind)}"><InternalInfo>'
                f'<xr:GeneratedType name="DocumentTabularSection.{doc}.{name}" category="TabularSection"><xr:TypeId>{uid(kind,"ts","t")}</xr:TypeId><xr:ValueId>{uid(kind,"ts","v")}</xr:ValueId></xr:GeneratedType>'
                f'<xr:GeneratedType name="DocumentTabularSectionRow.{doc}.{name}" category="TabularSectionRow"><xr:TypeId>{uid(kind,"row","t")}</xr:TypeId><xr:ValueId>{uid(kind,"row","v")}</xr:ValueId></xr:GeneratedType>'
                f'</InternalInfo><Properties><Name>{name}</Name>{syn(synonym)}<Comment/><ToolTip/><FillChecking>DontCheck</FillChecking>'
                '<StandardAttributes><xr:StandardAttribute name="LineNumber"><xr:LinkByType/><xr:FillChecking>DontCheck</xr:FillChecking>'
                '<xr:MultiLine>false</xr:MultiLine><xr:FillFromFillingValue>false</xr:FillFromFillingValue><xr:CreateOnInput>Auto</xr:CreateOnInput>'
                '<xr:MaxValue xsi:nil="true"/><xr:ToolTip/><xr:ExtendedEdit>false</xr:ExtendedEdit><xr:Format/><xr:ChoiceForm/>'
                '<xr:QuickChoice>Auto</xr:QuickChoice><xr:ChoiceHistoryOnInput>Auto</xr:ChoiceHistoryOnInput><xr:EditFormat/>'
                '<xr:PasswordMode>false</xr:PasswordMode><xr:DataHistory>Use</xr:DataHistory><xr:MarkNegatives>false</xr:MarkNegatives>'
                '<xr:MinValue xsi:nil="true"/><xr:Synonym/><xr:Comment/><xr:FullTextSearch>Use</xr:FullTextSearch>'
                '<xr:ChoiceParameterLinks/><xr:FillValue xsi:nil="true"/><xr:Mask/><xr:ChoiceParameters/></xr:StandardAttribute>'
                f'</StandardAttributes></Properties><ChildObjects>{cols}</ChildObjects></TabularSection>')

    def common_module(self, name, synonym, client=False, server=False, server_call=False, global_=False, privileged=False):
        self.add("CommonModule", name)
        b = lambda v: "true" if v else "false"
        self.write(f"CommonModules/{name}.xml", f'<CommonModule uuid="{uid("CommonModule", name)}"><Properties><Name>{name}</Name>{syn(synonym)}<Comment/>'
                   f'<Global>{b(global_)}</Global><ClientManagedApplication>{b(client)}</ClientManagedApplication><Server>{b(server)}</Server>'
                   f'<ExternalConnection>{b(server and not server_call)}</ExternalConnection><ClientOrdinaryApplication>{b(client)}</ClientOrdinaryApplication>'
                   f'<ServerCall>{b(server_call)}</ServerCall><Privileged>{b(privileged)}</Privileged><ReturnValuesReuse>DontUse</ReturnValuesReuse>'
                   '</Properties></CommonModule>')

    def register(self, name, synonym, dims, resources, attrs=()):
        folder, cats = KINDS["InformationRegister"]
        self.add("InformationRegister", name)
        owner = f"InformationRegister.{name}"
        dim_extra = '<Master>false</Master><MainFilter>true</MainFilter><DenyIncompleteValues>false</DenyIncompleteValues>'
        body = "".join(attribute(owner, n, s, t, tag="Resource") for n, s, t in resources)
        body += "".join(attribute(owner, n, s, t) for n, s, t in attrs)
        body += "".join(attribute(owner, n, s, t, tag="Dimension", extra=dim_extra) for n, s, t in dims)
        self.write(f"{folder}/{name}.xml", f'<InformationRegister uuid="{uid(owner)}">{gen_types("InformationRegister", name, cats)}<Properties>'
                   f'<Name>{name}</Name>{syn(synonym)}<Comment/><UseStandardCommands>true</UseStandardCommands><EditType>InDialog</EditType>'
                   '<DefaultRecordForm/><DefaultListForm/><AuxiliaryRecordForm/><AuxiliaryListForm/>'
                   '<InformationRegisterPeriodicity>Nonperiodical</InformationRegisterPeriodicity><WriteMode>Independent</WriteMode>'
                   '<MainFilterOnPeriod>false</MainFilterOnPeriod><IncludeHelpInContents>false</IncludeHelpInContents>'
                   '<DataLockControlMode>Managed</DataLockControlMode><FullTextSearch>DontUse</FullTextSearch>'
                   '<EnableTotalsSliceFirst>false</EnableTotalsSliceFirst><EnableTotalsSliceLast>false</EnableTotalsSliceLast>'
                   '<RecordPresentation/><ExtendedRecordPresentation/><ListPresentation/><ExtendedListPresentation/><Explanation/>'
                   '<DataHistory>DontUse</DataHistory><UpdateDataHistoryImmediatelyAfterWrite>false</UpdateDataHistoryImmediatelyAfterWrite>'
                   '<ExecuteAfterWriteDataHistoryVersionProcessing>false</ExecuteAfterWriteDataHistoryVersionProcessing>'
                   f'</Properties><ChildObjects>{body}</ChildObjects></InformationRegister>')

    def form_meta(self, rel, owner, name, synonym, adopted_base=None, common=False):
        tag = "CommonForm" if common else "Form"
        adopted = (f'<ObjectBelonging>Adopted</ObjectBelonging><ExtendedConfigurationObject>{adopted_base}</ExtendedConfigurationObject>'
                   if adopted_base else "")
        extra = '<UseStandardCommands>false</UseStandardCommands><ExtendedPresentation/><Explanation/>' if common else '<ExtendedPresentation/>'
        self.write(rel, f'<{tag} uuid="{uid(owner, "Form", name)}"><Properties><Name>{name}</Name>{syn(synonym)}<Comment/>{adopted}'
                   '<FormType>Managed</FormType><IncludeHelpInContents>false</IncludeHelpInContents>'
                   '<UsePurposes><v8:Value xsi:type="app:ApplicationUsePurpose">PlatformApplication</v8:Value></UsePurposes>'
                   f'{extra}</Properties></{tag}>')

    def configuration(self, name, synonym, prefix, compat, version, vendor, keep_ids, comment=""):
        classes = ["9cd510cd-abfc-11d4-9434-004095e12fc7", "9fcd25a0-4822-11d4-9414-008048da11f9",
                   "e3687481-0a87-462c-a166-9f34594f9bba", "9de14907-ec23-4a07-96f0-85521cb6b53b",
                   "51f2d5d8-ea4d-4064-8892-82951750031e", "e68182ea-4237-4383-967f-90c1e3370bc7",
                   "fb282519-d103-4dd3-bc12-cb271d631dfc"]
        contained = "".join(f'<xr:ContainedObject><xr:ClassId>{c}</xr:ClassId><xr:ObjectId>{uid("Configuration", c)}</xr:ObjectId></xr:ContainedObject>' for c in classes)
        order = ["Language", "Subsystem", "Role", "CommonModule", "EventSubscription", "ScheduledJob", "CommonCommand",
                 "CommonForm", "Catalog", "Document", "Enum", "DataProcessor", "InformationRegister", "HTTPService"]
        kids = sorted(self.children, key=lambda kn: order.index(kn[0]))
        ch = "".join(f"<{k}>{n}</{k}>" for k, n in kids)
        self.write("Configuration.xml", f'<Configuration uuid="{uid("Configuration")}"><InternalInfo>{contained}</InternalInfo><Properties>'
                   f'<Name>{name}</Name>{syn(synonym)}<Comment>{comment}</Comment><ConfigurationExtensionPurpose>AddOn</ConfigurationExtensionPurpose>'
                   f'<ObjectBelonging>Adopted</ObjectBelonging><KeepMappingToExtendedConfigurationObjectsByIDs>{"true" if keep_ids else "false"}</KeepMappingToExtendedConfigurationObjectsByIDs>'
                   f'<NamePrefix>{prefix}</NamePrefix><ConfigurationExtensionCompatibilityMode>{compat}</ConfigurationExtensionCompatibilityMode>'
                   '<DefaultRunMode>ManagedApplication</DefaultRunMode><UsePurposes><v8:Value xsi:type="app:ApplicationUsePurpose">PlatformApplication</v8:Value></UsePurposes>'
                   f'<ScriptVariant>Russian</ScriptVariant><Vendor>{vendor}</Vendor><Version>{version}</Version><DefaultLanguage>Language.Русский</DefaultLanguage>'
                   '<BriefInformation/><DetailedInformation/><Copyright/><VendorInformationAddress/><ConfigurationInformationAddress/>'
                   f'<InterfaceCompatibilityMode>TaxiEnableVersion8_2</InterfaceCompatibilityMode></Properties><ChildObjects>{ch}</ChildObjects></Configuration>')
