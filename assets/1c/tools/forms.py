"""Managed form content (logform) for own and adopted forms."""
from dump import text, typ, FORM_HDR

class Form:
    def __init__(self, title=None):
        self.title = title
        self.items = []
        self.attrs = []
        self.cmds = []
        self.events = []
        self.next_item = 1
        self.next_attr = 1
        self.next_cmd = 1
    def _id(self):
        i = self.next_item; self.next_item += 1; return i
    def event(self, name, handler):
        self.events.append(f'<Event name="{name}">{handler}</Event>')
    def attr(self, name, title, t, main=False, columns=(), save=False):
        i = self.next_attr; self.next_attr += 1
        if t == "ValueTable":
            cols = "".join(f'<Column name="{c}" id="{k+1}"><Title>{text(ct)}</Title>{typ(tt)}</Column>' for k, (c, ct, tt) in enumerate(columns))
            tx = f'<Type><v8:Type>v8:ValueTable</v8:Type></Type><Columns>{cols}</Columns>'
        else:
            tx = typ(t)
        m = '<MainAttribute>true</MainAttribute>' if main else ''
        sv = '<SavedData>true</SavedData>' if save else ''
        tt = f'<Title>{text(title)}</Title>' if title else ''
        self.attrs.append(f'<Attribute name="{name}" id="{i}">{tt}{tx}{m}{sv}</Attribute>')
    def field(self, name, path, readonly=False, password=False, on_change=None, parent=None):
        i = self._id(); c = self._id(); e = self._id()
        ro = '<ReadOnly>true</ReadOnly>' if readonly else ''
        pw = '<PasswordMode>true</PasswordMode>' if password else ''
        ev = f'<Events><Event name="OnChange">{on_change}</Event></Events>' if on_change else ''
        x = (f'<InputField name="{name}" id="{i}"><DataPath>{path}</DataPath>{ro}{pw}'
             f'<ContextMenu name="{name}КонтекстноеМеню" id="{c}"/><ExtendedTooltip name="{name}РасширеннаяПодсказка" id="{e}"/>{ev}</InputField>')
        (parent if parent is not None else self.items).append(x)
    def label(self, name, path):
        i = self._id(); c = self._id(); e = self._id()
        self.items.append(f'<LabelField name="{name}" id="{i}"><DataPath>{path}</DataPath><TitleLocation>None</TitleLocation>'
                          f'<ContextMenu name="{name}КонтекстноеМеню" id="{c}"/><ExtendedTooltip name="{name}РасширеннаяПодсказка" id="{e}"/></LabelField>')
    def command(self, name, title, tooltip, action, button=True, default=False):
        i = self.next_cmd; self.next_cmd += 1
        self.cmds.append(f'<Command name="{name}" id="{i}"><Title>{text(title)}</Title><ToolTip>{text(tooltip)}</ToolTip><Action>{action}</Action></Command>')
        if button:
            b = self._id(); e = self._id()
            d = '<DefaultButton>true</DefaultButton>' if default else ''
            self.items.append(f'<Button name="{name}Кнопка" id="{b}"><Type>UsualButton</Type>{d}<CommandName>Form.Command.{name}</CommandName>'
                              f'<ExtendedTooltip name="{name}КнопкаРасширеннаяПодсказка" id="{e}"/></Button>')
    def table(self, name, path, columns, readonly=True):
        i = self._id(); c = self._id(); e = self._id(); cb = self._id(); sb = self._id(); sbe = self._id(); si = self._id(); sie = self._id(); vs = self._id(); vse = self._id()
        cols = []
        for col in columns:
            ci = self._id(); cc = self._id(); ce = self._id()
            cols.append(f'<InputField name="{name}{col}" id="{ci}"><DataPath>{path}.{col}</DataPath><ReadOnly>true</ReadOnly>'
                        f'<ContextMenu name="{name}{col}КонтекстноеМеню" id="{cc}"/><ExtendedTooltip name="{name}{col}РасширеннаяПодсказка" id="{ce}"/></InputField>')
        ro = '<ReadOnly>true</ReadOnly>' if readonly else ''
        self.items.append(
            f'<Table name="{name}" id="{i}"><Representation>List</Representation>{ro}<ChangeRowSet>false</ChangeRowSet><ChangeRowOrder>false</ChangeRowOrder>'
            f'<DataPath>{path}</DataPath><CommandBarLocation>None</CommandBarLocation>'
            f'<ContextMenu name="{name}КонтекстноеМеню" id="{c}"/><AutoCommandBar name="{name}КоманднаяПанель" id="{cb}"/>'
            f'<ExtendedTooltip name="{name}РасширеннаяПодсказка" id="{e}"/>'
            f'<SearchStringAddition name="{name}СтрокаПоиска" id="{sb}"><AdditionSource><Item>{name}</Item><Type>SearchStringRepresentation</Type></AdditionSource>'
            f'<ContextMenu name="{name}СтрокаПоискаКонтекстноеМеню" id="{sbe}"/><ExtendedTooltip name="{name}СтрокаПоискаРасширеннаяПодсказка" id="{self._id()}"/></SearchStringAddition>'
            f'<ViewStatusAddition name="{name}СостояниеПросмотра" id="{si}"><AdditionSource><Item>{name}</Item><Type>ViewStatusRepresentation</Type></AdditionSource>'
            f'<ContextMenu name="{name}СостояниеПросмотраКонтекстноеМеню" id="{sie}"/><ExtendedTooltip name="{name}СостояниеПросмотраРасширеннаяПодсказка" id="{self._id()}"/></ViewStatusAddition>'
            f'<SearchControlAddition name="{name}УправлениеПоиском" id="{vs}"><AdditionSource><Item>{name}</Item><Type>SearchControl</Type></AdditionSource>'
            f'<ContextMenu name="{name}УправлениеПоискомКонтекстноеМеню" id="{vse}"/><ExtendedTooltip name="{name}УправлениеПоискомРасширеннаяПодсказка" id="{self._id()}"/></SearchControlAddition>'
            f'<ChildItems>{"".join(cols)}</ChildItems></Table>')
    def body(self):
        title = f'<Title>{text(self.title)}</Title>' if self.title else ''
        ev = f'<Events>{"".join(self.events)}</Events>' if self.events else ''
        return (f'{title}<AutoCommandBar name="ФормаКоманднаяПанель" id="-1"><Autofill>false</Autofill></AutoCommandBar>{ev}'
                f'<ChildItems>{"".join(self.items)}</ChildItems><Attributes>{"".join(self.attrs)}</Attributes>'
                f'<Commands>{"".join(self.cmds)}</Commands>')
    def xml(self):
        return FORM_HDR + self.body() + "\n</Form>\n"

def adopted_form_xml(main_type):
    """An adopted form that adds nothing to the base form but module interceptors; BaseForm holds the part of the base form the
    extension relies on (its main attribute)."""
    core = (f'<AutoCommandBar name="ФормаКоманднаяПанель" id="-1"/><Attributes><Attribute name="Объект" id="1">'
            f'<Type><v8:Type>cfg:{main_type}</v8:Type></Type><MainAttribute>true</MainAttribute></Attribute></Attributes>')
    return FORM_HDR + core + f'<BaseForm version="2.11">{core}</BaseForm>\n</Form>\n'
