//! The till window's controller: carries out what the screens and the devices ask, on its own thread.
//!
//! The screens read a shared [`TillModel`] and send [`Command`]s; scans and
//! keypad keys arrive as [`InputEvent`]s. This thread owns a store
//! connection, does the work, and updates the model, asking for a repaint
//! only when something changed: the UI thread never waits for SQLite. Every
//! half second it also looks at the assignment, so a receipt 1C closed
//! through the bridge clears the panel.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use naparnik_domain::shares::split_amount;
use naparnik_domain::{
    Assignment, Customer, Kopecks, Phone, PhoneQuery, ReceiptGuid, SellerCode, TrailingDigits,
};
use naparnik_input::{DemoBadges, InputEvent, KeypadKey, ScanClass};
use naparnik_store::Store;
use naparnik_store::assignment::AssignmentChangeError;
use naparnik_store::receipts::ReceiptFilter;
use naparnik_sync::{CustomerLookup, LookupOutcome, save_crm_customer};
use naparnik_ui::{
    Bilingual, Command, CustomerCard, CustomerPanel, ReceiptRow, Screen, SellerRow, SellerTotalRow,
    SellersEdit, StatusLine, TillModel,
};

use crate::config::Config;

/// Wrong PINs in a row before the receipts lock.
const PIN_ATTEMPTS: u32 = 5;
/// How long they stay locked.
const PIN_LOCKOUT: Duration = Duration::from_secs(300);
/// How often the assignment is compared with what is shown.
const TICK: Duration = Duration::from_millis(500);

/// What reaches the controller.
pub enum Message {
    /// A screen asked for something.
    Ui(Command),
    /// A device reported something.
    Input(InputEvent),
    /// Status lines from the window (bridge, sync, devices).
    Status(Vec<StatusLine>),
    /// The CRM's answer about a phone the till did not know.
    CrmAnswer {
        /// The phone asked, E.164.
        e164: String,
        /// What the CRM said (or that it did not answer in time).
        outcome: LookupOutcome,
    },
}

/// Asks the CRM about phones the till does not know, off the controller's thread.
struct CrmAsker {
    lookup: Arc<CustomerLookup>,
    runtime: tokio::runtime::Runtime,
    sender: Sender<Message>,
}

impl CrmAsker {
    fn start(config: &Config, sender: Sender<Message>) -> anyhow::Result<Option<CrmAsker>> {
        let Some(lookup) = crate::commands::crm_lookup(config)? else {
            return Ok(None);
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("naparnik-crm-lookup")
            .enable_all()
            .build()?;
        Ok(Some(CrmAsker {
            lookup: Arc::new(lookup),
            runtime,
            sender,
        }))
    }

    /// Asks in the background; the answer (found, not found, unavailable) comes back within the budget.
    fn ask(&self, phone: Phone) {
        let (lookup, sender) = (Arc::clone(&self.lookup), self.sender.clone());
        self.runtime.spawn(async move {
            let outcome = lookup.find(&phone).await;
            // The controller may have stopped meanwhile: then nobody waits for the answer.
            let _ = sender.send(Message::CrmAnswer {
                e164: phone.as_e164().to_owned(),
                outcome,
            });
        });
    }
}

/// A running controller: the model the screens draw and where to send messages.
pub struct Till {
    /// What the screens show.
    pub model: Arc<Mutex<TillModel>>,
    /// Where commands, scans and status go.
    pub sender: Sender<Message>,
}

/// Locks the model even if a panic poisoned it: showing stale data beats showing nothing.
pub fn lock(model: &Mutex<TillModel>) -> MutexGuard<'_, TillModel> {
    model
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Till {
    /// Starts the controller over its own store connection; `repaint` wakes the window, and
    /// `demo_badges` is the scanners' switch for the demo badges.
    pub fn start(
        config: &Config,
        repaint: impl Fn() + Send + 'static,
        demo_badges: DemoBadges,
    ) -> anyhow::Result<Till> {
        let store = crate::commands::open_store(config)?;
        demo_badges.set(store.demo_status()?.is_some());
        // First run: nothing to sell with and nothing coming from upstream, so offer the demo.
        let empty = config.targets.is_empty()
            && store.sellers()?.is_empty()
            && store.customer_count()? == 0;
        let model = Arc::new(Mutex::new(TillModel {
            demo_offer: empty,
            ..TillModel::default()
        }));
        let (sender, receiver) = channel();
        let crm = CrmAsker::start(config, sender.clone())?;
        let mut controller = Controller {
            crm,
            store,
            config: config.clone(),
            model: model.clone(),
            repaint: Box::new(repaint),
            pin_failures: 0,
            locked_until: None,
            shown_assignment: None,
            edit_lines: Vec::new(),
            demo_badges,
        };
        controller.refresh_sellers()?;
        controller.refresh_assignment()?;
        std::thread::Builder::new()
            .name("naparnik-till".into())
            .spawn(move || controller.run(&receiver))?;
        Ok(Till { model, sender })
    }
}

struct Controller {
    crm: Option<CrmAsker>,
    store: Store,
    config: Config,
    model: Arc<Mutex<TillModel>>,
    repaint: Box<dyn Fn() + Send>,
    pin_failures: u32,
    locked_until: Option<Instant>,
    shown_assignment: Option<(Assignment, Option<Kopecks>)>,
    edit_lines: Vec<Kopecks>,
    demo_badges: DemoBadges,
}

fn card(customer: &Customer, config: &Config) -> CustomerCard {
    CustomerCard {
        e164: customer.phone.as_e164().to_owned(),
        phone: customer.phone.display(),
        name: customer.name.clone(),
        discount: customer.discount.percent().to_string(),
        card: customer.card.clone(),
        bonus: customer.bonus_kopecks.map(Kopecks),
        updated: customer
            .updated_at_utc
            .with_timezone(&config.utc_offset)
            .format("%d.%m.%Y %H:%M")
            .to_string(),
    }
}

impl Controller {
    fn run(&mut self, receiver: &Receiver<Message>) {
        loop {
            let result = match receiver.recv_timeout(TICK) {
                Ok(Message::Ui(command)) => self.command(command),
                Ok(Message::Input(event)) => self.input(event),
                Ok(Message::Status(lines)) => {
                    let mut model = lock(&self.model);
                    if model.status != lines {
                        model.status = lines;
                        drop(model);
                        (self.repaint)();
                    }
                    Ok(())
                }
                Ok(Message::CrmAnswer { e164, outcome }) => self.crm_answer(&e164, outcome),
                Err(RecvTimeoutError::Timeout) => self.refresh_assignment(),
                Err(RecvTimeoutError::Disconnected) => return,
            };
            if let Err(error) = result {
                tracing::error!("till: {error:#}");
                self.notice(Bilingual::new(
                    format!("Ошибка: {error:#}. Повторите; если не проходит — «naparnik doctor»."),
                    format!(
                        "Error: {error:#}. Try again; if it keeps failing, run `naparnik doctor`."
                    ),
                ));
            }
        }
    }

    fn notice(&self, text: Bilingual) {
        lock(&self.model).notice = Some(text);
        (self.repaint)();
    }

    fn refresh_sellers(&mut self) -> anyhow::Result<()> {
        let sellers = self.store.sellers()?;
        lock(&self.model).active_sellers = sellers
            .into_iter()
            .filter(|s| s.active)
            .map(|s| (s.code, s.name))
            .collect();
        Ok(())
    }

    /// Shows the stored assignment if it changed (the bridge, 1C closing a receipt, another command).
    fn refresh_assignment(&mut self) -> anyhow::Result<()> {
        let shown = (self.store.assignment()?, self.store.assignment_total()?);
        if self.shown_assignment.as_ref() == Some(&shown) {
            return Ok(());
        }
        let (assignment, total) = &shown;
        let emptied = assignment.is_empty()
            && self
                .shown_assignment
                .as_ref()
                .is_some_and(|(a, _)| !a.is_empty());
        let mut model = lock(&self.model);
        model.receipt_total = *total;
        let count = assignment.sellers.len();
        let amounts = total.and_then(|total| split_amount(total, count).ok());
        model.sellers = assignment
            .sellers
            .iter()
            .enumerate()
            .map(|(i, s)| SellerRow {
                code: s.code.clone(),
                name: s.name.clone(),
                share: format!("1/{count}"),
                amount: amounts.as_ref().map(|a| a[i]),
            })
            .collect();
        model.assigned_customer = assignment.customer.as_ref().map(|c| card(c, &self.config));
        if emptied {
            // 1C closed the receipt: start the next sale clean.
            model.phone_digits.clear();
            model.customer = CustomerPanel::Empty;
            model.notice = None;
        }
        drop(model);
        self.shown_assignment = Some(shown);
        (self.repaint)();
        Ok(())
    }

    fn look_up(&mut self, digits: &str) -> anyhow::Result<()> {
        let panel = if digits.len() < TrailingDigits::MIN_LEN {
            CustomerPanel::Empty
        } else if digits.len() < 10 {
            let query = PhoneQuery::Trailing(
                TrailingDigits::parse(digits).ok_or_else(|| anyhow::anyhow!("not digits"))?,
            );
            let found = self.store.find_customers(&query, 8)?;
            CustomerPanel::Matches(found.iter().map(|c| card(c, &self.config)).collect())
        } else {
            match Phone::parse(&format!("+7{digits}")) {
                Ok(phone) => match self.store.customer_by_phone(&phone)? {
                    Some(customer) => CustomerPanel::Found(card(&customer, &self.config)),
                    None => match &self.crm {
                        Some(crm) => {
                            let panel = CustomerPanel::Looking {
                                e164: phone.as_e164().to_owned(),
                                phone: phone.display(),
                            };
                            crm.ask(phone);
                            panel
                        }
                        None => CustomerPanel::New {
                            e164: phone.as_e164().to_owned(),
                            phone: phone.display(),
                        },
                    },
                },
                Err(error) => CustomerPanel::Invalid(Bilingual::new(
                    format!("Номер не распознан: {}", error.ru()),
                    format!("Not a valid number: {error}"),
                )),
            }
        };
        lock(&self.model).customer = panel;
        (self.repaint)();
        Ok(())
    }

    /// Shows the CRM's answer if the cashier still waits for it; a customer found is cached either way.
    fn crm_answer(&mut self, e164: &str, outcome: LookupOutcome) -> anyhow::Result<()> {
        let found = match &outcome {
            LookupOutcome::Found(customer) => save_crm_customer(&mut self.store, customer)?,
            _ => None,
        };
        let waiting = matches!(&lock(&self.model).customer, CustomerPanel::Looking { e164: shown, .. } if shown == e164);
        if !waiting {
            return Ok(());
        }
        let phone = Phone::parse(e164)?;
        let panel = match found {
            Some(customer) => CustomerPanel::Found(card(&customer, &self.config)),
            None => CustomerPanel::New {
                e164: e164.to_owned(),
                phone: phone.display(),
            },
        };
        let mut model = lock(&self.model);
        model.customer = panel;
        if let LookupOutcome::Unavailable(reason) = &outcome {
            tracing::warn!(phone = %phone.masked(), "CRM lookup: {reason}");
            model.notice = Some(Bilingual::new(
                "CRM не ответила вовремя — покупателя можно создать по номеру.",
                "The CRM did not answer in time — the customer can be created from the number.",
            ));
        }
        drop(model);
        (self.repaint)();
        Ok(())
    }

    fn assign_customer(&mut self, e164: &str) -> anyhow::Result<()> {
        let phone = Phone::parse(e164)?;
        let (customer, _) = self.store.find_or_create_customer(&phone)?;
        self.store.assign_customer(Some(customer.id))?;
        lock(&self.model).customer = CustomerPanel::Found(card(&customer, &self.config));
        self.refresh_assignment()
    }

    fn assign_seller(&mut self, code: &SellerCode) -> anyhow::Result<()> {
        match self.store.assign_seller(code) {
            Ok(_) => {
                lock(&self.model).notice = None;
            }
            Err(AssignmentChangeError::Rule(rule)) => {
                self.notice(Bilingual::new(
                    rule.ru(),
                    format!("{}.", capitalized(&rule.to_string())),
                ));
            }
            Err(other) => return Err(other.into()),
        }
        self.refresh_assignment()
    }

    fn input(&mut self, event: InputEvent) -> anyhow::Result<()> {
        match event {
            InputEvent::Scan {
                class: ScanClass::Badge(code),
                ..
            } => match self.store.seller_by_badge(&code)? {
                Some(seller) => self.assign_seller(&seller.code),
                None => {
                    self.notice(Bilingual::new(
                        format!("Бейдж {code} не найден среди продавцов. Загрузите список продавцов или выберите вручную."),
                        format!("Badge {code} belongs to no seller. Load the sellers list or pick the seller by hand."),
                    ));
                    Ok(())
                }
            },
            InputEvent::Scan {
                class: ScanClass::Card(code),
                ..
            } => match self.store.customer_by_card(&code)? {
                Some(customer) => self.assign_customer(customer.phone.as_e164()),
                None => {
                    self.notice(Bilingual::new(
                        format!(
                            "Карта {code} ни за кем не закреплена. Наберите телефон покупателя."
                        ),
                        format!("Card {code} belongs to no customer. Type the customer's phone."),
                    ));
                    Ok(())
                }
            },
            InputEvent::Scan {
                class: ScanClass::Misread { .. },
                ..
            } => {
                self.notice(Bilingual::new(
                    "Штрихкод прочитан с ошибкой — отсканируйте ещё раз.",
                    "The barcode was misread — scan it again.",
                ));
                Ok(())
            }
            InputEvent::Scan {
                class: ScanClass::Other(code),
                badge_only: true,
                ..
            } => {
                self.notice(Bilingual::new(
                    format!("Это не бейдж продавца ({code})."),
                    format!("This is not a seller's badge ({code})."),
                ));
                Ok(())
            }
            InputEvent::Scan { .. } | InputEvent::Connected { .. } | InputEvent::Lost { .. } => {
                Ok(())
            }
            InputEvent::Key { key, .. } => {
                let digits = {
                    let mut model = lock(&self.model);
                    match key {
                        KeypadKey::Digit(d) if model.phone_digits.len() < 10 => {
                            model.phone_digits.push(char::from(b'0' + d))
                        }
                        KeypadKey::Digit(_) | KeypadKey::Enter => {}
                        KeypadKey::Backspace => {
                            model.phone_digits.pop();
                        }
                        KeypadKey::Clear => model.phone_digits.clear(),
                    }
                    model.phone_digits.clone()
                };
                if key == KeypadKey::Enter {
                    let panel = lock(&self.model).customer.clone();
                    return match panel {
                        CustomerPanel::Found(card) => self.assign_customer(&card.e164),
                        CustomerPanel::New { e164, .. } => self.assign_customer(&e164),
                        _ => Ok(()),
                    };
                }
                self.look_up(&digits)
            }
        }
    }

    fn command(&mut self, command: Command) -> anyhow::Result<()> {
        match command {
            Command::PhoneChanged(digits) => self.look_up(&digits),
            Command::CreateCustomer(e164) | Command::ChooseCustomer(e164) => {
                self.assign_customer(&e164)
            }
            Command::RemoveCustomer => {
                self.store.assign_customer(None)?;
                self.refresh_assignment()
            }
            Command::AddSeller(code) => self.assign_seller(&code),
            Command::RemoveSeller(code) => {
                self.store.unassign_seller(&code)?;
                self.refresh_assignment()
            }
            Command::SubmitPin(pin) => self.submit_pin(&pin),
            Command::FilterReceipts => self.load_receipts(),
            Command::EditReceipt(guid) => self.start_edit(&guid),
            Command::PreviewSellers => self.preview_edit(),
            Command::SaveSellers => self.save_edit(),
            Command::SaveDiagnostics => self.save_diagnostics(),
            Command::LoadDemo => self.load_demo(),
            Command::DismissDemo => {
                lock(&self.model).demo_offer = false;
                Ok(())
            }
        }
    }

    /// The first-run offer was taken: the same as `naparnik --demo`.
    fn load_demo(&mut self) -> anyhow::Result<()> {
        lock(&self.model).demo_offer = false;
        let loaded = crate::demo::load(&mut self.store, &self.config)?;
        self.demo_badges.set(true);
        self.refresh_sellers()?;
        let sheet = loaded.sheet.display();
        let phone = crate::demo::NAMED_PHONE;
        self.notice(Bilingual::new(
            format!(
                "Демо-данные загружены: {} продавцов, {} покупателей. Бейджи для сканирования: {sheet}. \
                 Наберите {phone} (или 4567) и отсканируйте бейджи.",
                loaded.added.sellers, loaded.added.customers
            ),
            format!(
                "Demo data loaded: {} sellers, {} customers. Badges to scan: {sheet}. \
                 Type {phone} (or 4567) and scan the badges.",
                loaded.added.sellers, loaded.added.customers
            ),
        ));
        Ok(())
    }

    /// The same archive as `naparnik doctor --bundle`, into the data directory's `support/`.
    fn save_diagnostics(&mut self) -> anyhow::Result<()> {
        let dir = self.config.data_dir.join("support");
        std::fs::create_dir_all(&dir)?;
        let file = dir.join(format!(
            "naparnik-support-{}.tar.gz",
            chrono::Local::now().format("%Y%m%d-%H%M%S")
        ));
        match crate::commands::doctor::bundle::write(&self.config, &file) {
            Ok(_) => self.notice(Bilingual::new(
                format!(
                    "Диагностика сохранена: {}. Отправьте этот файл в поддержку.",
                    file.display()
                ),
                format!(
                    "Diagnostics saved: {}. Send this file to support.",
                    file.display()
                ),
            )),
            Err(error) => {
                tracing::warn!("support bundle: {error:#}");
                self.notice(Bilingual::new(
                    format!("Диагностика не сохранена: {error:#}"),
                    format!("Diagnostics not saved: {error:#}"),
                ));
            }
        }
        Ok(())
    }

    fn submit_pin(&mut self, pin: &str) -> anyhow::Result<()> {
        let now = Instant::now();
        let refused = |model: &mut TillModel, text: Bilingual| model.pin_error = Some(text);
        if let Some(until) = self.locked_until.filter(|until| *until > now) {
            let minutes = (until - now).as_secs().div_ceil(60);
            refused(
                &mut lock(&self.model),
                Bilingual::new(
                    format!("Слишком много неверных PIN: подождите {minutes} мин."),
                    format!("Too many wrong PINs: wait {minutes} min."),
                ),
            );
            (self.repaint)();
            return Ok(());
        }
        let Some(expected) = &self.config.manager_pin else {
            refused(
                &mut lock(&self.model),
                Bilingual::new(
                    "PIN управляющего не задан в настройках ([bridge] manager_pin).",
                    "No manager PIN is set in the configuration ([bridge] manager_pin).",
                ),
            );
            (self.repaint)();
            return Ok(());
        };
        if pin != expected {
            self.pin_failures += 1;
            tracing::warn!(
                failures = self.pin_failures,
                "wrong manager PIN in the window"
            );
            let text = if self.pin_failures >= PIN_ATTEMPTS {
                self.pin_failures = 0;
                self.locked_until = Some(now + PIN_LOCKOUT);
                let minutes = PIN_LOCKOUT.as_secs() / 60;
                Bilingual::new(
                    format!("Неверный PIN. Чеки заблокированы на {minutes} мин."),
                    format!("Wrong PIN. Receipts are locked for {minutes} min."),
                )
            } else {
                Bilingual::new(
                    format!(
                        "Неверный PIN (попытка {} из {PIN_ATTEMPTS}).",
                        self.pin_failures
                    ),
                    format!(
                        "Wrong PIN (attempt {} of {PIN_ATTEMPTS}).",
                        self.pin_failures
                    ),
                )
            };
            refused(&mut lock(&self.model), text);
            (self.repaint)();
            return Ok(());
        }
        self.pin_failures = 0;
        {
            let mut model = lock(&self.model);
            model.pin_error = None;
            model.screen = Screen::Receipts;
        }
        self.load_receipts()
    }

    fn load_receipts(&mut self) -> anyhow::Result<()> {
        let (seller, phone, date) = {
            let model = lock(&self.model);
            let given = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
            (
                given(&model.receipts.seller),
                given(&model.receipts.phone),
                given(&model.receipts.date),
            )
        };
        let phone_digits =
            phone.map(|p| p.chars().filter(char::is_ascii_digit).collect::<String>());
        let summaries = self.store.receipt_summaries(&ReceiptFilter {
            seller,
            phone_digits,
            date,
            limit: 200,
        })?;
        let rows = summaries
            .iter()
            .map(|r| {
                let offset = chrono::FixedOffset::east_opt(r.utc_offset_minutes * 60)
                    .unwrap_or(self.config.utc_offset);
                ReceiptRow {
                    guid: r.guid.to_string(),
                    time: r
                        .closed_at_utc
                        .with_timezone(&offset)
                        .format("%d.%m %H:%M")
                        .to_string(),
                    number: r.number.clone(),
                    customer: r
                        .customer_phone
                        .as_deref()
                        .and_then(|p| Phone::parse(p).ok())
                        .map_or("—".into(), |p| p.display()),
                    total: r.total,
                    sellers: r
                        .sellers
                        .iter()
                        .map(|s| format!("{} {}", s.name, s.amount))
                        .collect::<Vec<_>>()
                        .join(", "),
                    is_return: r.is_return,
                    sellers_editable: r.sellers_editable,
                }
            })
            .collect();
        let totals = self
            .store
            .current_shift_seller_totals()?
            .into_iter()
            .map(|t| SellerTotalRow {
                average: Kopecks(t.amount.0 / i64::from(t.receipts.max(1))),
                name: t.name,
                receipts: t.receipts,
                amount: t.amount,
            })
            .collect();
        let mut model = lock(&self.model);
        model.receipts.rows = rows;
        model.receipts.totals = totals;
        drop(model);
        (self.repaint)();
        Ok(())
    }

    fn start_edit(&mut self, guid: &str) -> anyhow::Result<()> {
        let parsed = ReceiptGuid::parse(guid).ok_or_else(|| anyhow::anyhow!("receipt {guid}"))?;
        let attribution = self
            .store
            .attribution(parsed)?
            .ok_or_else(|| anyhow::anyhow!("receipt {guid} is gone"))?;
        self.edit_lines = self.store.sale_line_amounts(parsed)?;
        let number = lock(&self.model)
            .receipts
            .rows
            .iter()
            .find(|r| r.guid == guid)
            .map(|r| r.number.clone())
            .unwrap_or_default();
        lock(&self.model).receipts.editing = Some(SellersEdit {
            guid: guid.to_owned(),
            number,
            codes: attribution.sellers.iter().map(|s| s.code.clone()).collect(),
            preview: Vec::new(),
            error: None,
        });
        self.preview_edit()
    }

    fn preview_edit(&mut self) -> anyhow::Result<()> {
        let mut model = lock(&self.model);
        let names = model.active_sellers.clone();
        if let Some(edit) = &mut model.receipts.editing {
            edit.preview =
                match naparnik_domain::shares::split_sale(&self.edit_lines, edit.codes.len()) {
                    Ok(shares) => edit
                        .codes
                        .iter()
                        .zip(shares.by_seller)
                        .map(|(code, amount)| {
                            let name = names
                                .iter()
                                .find(|(c, _)| c == code)
                                .map_or(code.to_string(), |(_, n)| n.clone());
                            (name, amount)
                        })
                        .collect(),
                    Err(_) => Vec::new(),
                };
        }
        drop(model);
        (self.repaint)();
        Ok(())
    }

    fn save_edit(&mut self) -> anyhow::Result<()> {
        let Some(edit) = lock(&self.model).receipts.editing.clone() else {
            return Ok(());
        };
        let guid = ReceiptGuid::parse(&edit.guid)
            .ok_or_else(|| anyhow::anyhow!("receipt {}", edit.guid))?;
        match self
            .store
            .replace_receipt_sellers(guid, &edit.codes, "manager (Naparnik window)")
        {
            Ok(_) => {
                lock(&self.model).receipts.editing = None;
                self.load_receipts()
            }
            Err(error) => {
                if let Some(editing) = &mut lock(&self.model).receipts.editing {
                    editing.error = Some(Bilingual::new(
                        format!("Не сохранено: {error}"),
                        format!("Not saved: {error}"),
                    ));
                }
                (self.repaint)();
                Ok(())
            }
        }
    }
}

/// `text` with its first letter in upper case.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
