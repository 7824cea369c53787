//! The till window: the screens of `naparnik_ui`, driven by the controller in [`crate::till`].
//!
//! The window also runs the bridge for 1C and the sync worker, reads the
//! configured scanners and keypads, and keeps the status strip current.
//! Idle is idle: egui repaints on input, and the controller asks for a
//! repaint only when what is shown changed.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::anyhow;
use eframe::egui;
use naparnik_bridge::Bridge;
use naparnik_input::InputEvent;
use naparnik_ui::{Bilingual, Command, StatusLine, till_ui};

use crate::config::Config;
use crate::till::{Message, Till, lock};

/// How often the status strip is recomposed (it repaints only on a change).
const STATUS_EVERY: Duration = Duration::from_secs(1);

/// The screens and the controller; what eframe draws.
pub struct TillWindow {
    till: Till,
    commands: Vec<Command>,
    /// When the process started, to log the time to the first frame.
    started: Option<Instant>,
}

impl TillWindow {
    /// A window over a running controller.
    pub fn new(till: Till, started: Option<Instant>) -> TillWindow {
        TillWindow {
            till,
            commands: Vec::new(),
            started,
        }
    }

    /// Draws one frame and hands the screens' commands to the controller.
    pub fn frame(&mut self, ui: &mut egui::Ui) {
        let dark = {
            let mut model = lock(&self.till.model);
            till_ui(ui, &mut model, &mut self.commands);
            model.dark
        };
        ui.ctx().set_visuals(if dark {
            egui::Visuals::dark()
        } else {
            egui::Visuals::light()
        });
        for command in self.commands.drain(..) {
            let _ = self.till.sender.send(Message::Ui(command));
        }
        if let Some(started) = self.started.take() {
            tracing::info!(
                millis = started.elapsed().as_millis() as u64,
                "first frame drawn"
            );
        }
    }

    /// Where scans and keys go, e.g. from a test source.
    pub fn input(&self) -> impl Fn(InputEvent) + Send + 'static {
        let sender = self.till.sender.clone();
        move |event| {
            let _ = sender.send(Message::Input(event));
        }
    }
}

impl eframe::App for TillWindow {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame(ui);
    }
}

/// The upstream targets the status strip reports on: name and the event kinds each takes.
type TargetKinds = Vec<(String, &'static [naparnik_domain::EventKind])>;

/// One line per upstream target: backlog, last success, the problem and what to do.
fn sync_lines(
    config: &Config,
    targets: &TargetKinds,
    store: &naparnik_store::Store,
) -> Vec<StatusLine> {
    if targets.is_empty() {
        return vec![StatusLine {
            ok: true,
            text: Bilingual::new(
                "Выгрузка в УТ и CRM не настроена ([[sync.targets]]).",
                "Upload to UT and the CRM is not set up ([[sync.targets]]).",
            ),
        }];
    }
    targets
        .iter()
        .map(|(name, kinds)| match store.target_status(name, kinds) {
            Ok(status) => {
                let mut ru = format!("{name}: в очереди {}", status.backlog);
                let mut en = format!("{name}: {} queued", status.backlog);
                let mut ok = true;
                if let Some(at) = status.last_success_at_utc {
                    let at = at.with_timezone(&config.utc_offset).format("%d.%m %H:%M");
                    ru.push_str(&format!(", отправлено {at}"));
                    en.push_str(&format!(", last sent {at}"));
                }
                if status.failures > 0 {
                    ok = false;
                    ru.push_str(&format!(
                        ". Нет связи ({} попыток): продажи копятся и уйдут сами; если долго — проверьте сеть и «naparnik sync status»",
                        status.failures
                    ));
                    en.push_str(&format!(
                        ". Offline ({} attempts): sales are kept and will go by themselves; if it lasts, check the network and `naparnik sync status`",
                        status.failures
                    ));
                }
                let pull_error = store.sync_cursor(name, naparnik_sync::LAST_PULL_ERROR).ok().flatten();
                if pull_error.is_some_and(|e| !e.is_empty()) {
                    ok = false;
                    ru.push_str(". Покупатели не обновляются: нет связи");
                    en.push_str(". Customers are not being updated: offline");
                }
                if !status.parked.is_empty() {
                    ok = false;
                    let parked = status.parked.len();
                    ru.push_str(&format!(". Отложено событий: {parked} — нужна помощь ИТ"));
                    en.push_str(&format!(". {parked} events set aside — IT must look"));
                }
                StatusLine { ok, text: Bilingual::new(ru, en) }
            }
            Err(error) => StatusLine {
                ok: false,
                text: Bilingual::new(
                    format!("{name}: состояние недоступно ({error})"),
                    format!("{name}: state unavailable ({error})"),
                ),
            },
        })
        .collect()
}

/// While demo data is loaded, a line that says so (in warning colour: not for real sales).
fn demo_line(store: &naparnik_store::Store) -> Option<StatusLine> {
    let status = store.demo_status().ok()??;
    let (ru, en) = crate::demo::describe(&status);
    Some(StatusLine {
        ok: false,
        text: Bilingual::new(ru, en),
    })
}

/// Recomposes the status strip every second on its own thread and sends it to the controller.
fn watch_status(
    config: Config,
    bridge_status: Arc<Mutex<StatusLine>>,
    bridge: Arc<Mutex<Option<Arc<Bridge>>>>,
    devices: Arc<Mutex<BTreeMap<String, StatusLine>>>,
    sender: std::sync::mpsc::Sender<Message>,
) {
    let spawned = std::thread::Builder::new().name("naparnik-status".into()).spawn(move || {
        let targets: TargetKinds = match crate::commands::sync_config(&config) {
            Ok(Some(sync)) => sync.targets.iter().map(|t| (t.name.clone(), t.kinds())).collect(),
            _ => Vec::new(),
        };
        let mut store = None;
        let mut last_sync = Instant::now() - Duration::from_secs(60);
        let mut sync = Vec::new();
        loop {
            let mut lines: Vec<StatusLine> = devices.lock().map(|d| d.values().cloned().collect()).unwrap_or_default();
            if let Ok(Some(bridge)) = bridge.lock().map(|b| b.clone()) {
                bridge.set_devices(lines.iter().map(|l| l.text.ru.clone()).collect());
            }
            if lines.is_empty() {
                lines.push(StatusLine {
                    ok: true,
                    text: Bilingual::new(
                        "Сканеры и клавиатура не настроены ([[input.devices]]); выбирайте продавцов вручную.",
                        "No scanners or keypad are set up ([[input.devices]]); pick sellers by hand.",
                    ),
                });
            }
            let bridge_line = bridge_status.lock().map(|s| s.clone()).unwrap_or_else(|_| StatusLine { ok: false, text: Bilingual::default() });
            let seen = bridge.lock().ok().and_then(|b| b.as_ref().and_then(|b| b.last_request_utc()));
            let Bilingual { ru, en } = &bridge_line.text;
            lines.push(match seen {
                Some(at) => {
                    let at = at.with_timezone(&config.utc_offset).format("%H:%M:%S");
                    StatusLine {
                        ok: bridge_line.ok,
                        text: Bilingual::new(format!("{ru}; 1С обращалась в {at}"), format!("{en}; 1C last called at {at}")),
                    }
                }
                None => StatusLine {
                    ok: bridge_line.ok,
                    text: Bilingual::new(
                        format!("{ru}; 1С ещё не обращалась — проверьте токен в настройках расширения"),
                        format!("{en}; 1C has not called yet — check the token in the extension's settings"),
                    ),
                },
            });
            if last_sync.elapsed() >= Duration::from_secs(5) {
                if store.is_none() {
                    store = crate::commands::open_store(&config).ok();
                }
                sync = match &store {
                    Some(store) => demo_line(store).into_iter().chain(sync_lines(&config, &targets, store)).collect(),
                    None => vec![StatusLine {
                        ok: false,
                        text: Bilingual::new(
                            "Состояние выгрузки недоступно: база не открывается; запустите «naparnik doctor».",
                            "Upload state unavailable: the database does not open; run `naparnik doctor`.",
                        ),
                    }],
                };
                last_sync = Instant::now();
            }
            lines.extend(sync.iter().cloned());
            if sender.send(Message::Status(lines)).is_err() {
                return;
            }
            std::thread::sleep(STATUS_EVERY);
        }
    });
    if let Err(error) = spawned {
        tracing::warn!("cannot watch the status: {error}");
    }
}

/// Starts the configured scanners and keypads, forwarding their events; their state goes to the status strip.
fn start_input(
    config: &Config,
    window: &TillWindow,
    classifier: naparnik_input::Classifier,
    devices: Arc<Mutex<BTreeMap<String, StatusLine>>>,
) -> anyhow::Result<()> {
    let configured = crate::commands::devices::device_configs(&config.input.devices)?;
    if configured.is_empty() {
        return Ok(());
    }
    let hub = naparnik_input::sources::start(configured, classifier)?;
    let forward = window.input();
    std::thread::Builder::new()
        .name("naparnik-input".into())
        .spawn(move || {
            let hub = hub;
            while let Ok(event) = hub.events.recv() {
                let line = match &event {
                    InputEvent::Connected { device, .. } => Some((
                        device.clone(),
                        StatusLine {
                            ok: true,
                            text: Bilingual::new(
                                format!("{device}: подключён"),
                                format!("{device}: connected"),
                            ),
                        },
                    )),
                    InputEvent::Lost { device, problem } => Some((
                        device.clone(),
                        StatusLine {
                            ok: false,
                            text: Bilingual::new(
                                format!("{device}: {}", problem.ru()),
                                format!("{device}: {problem}"),
                            ),
                        },
                    )),
                    _ => None,
                };
                if let (Some((device, line)), Ok(mut lines)) = (line, devices.lock()) {
                    lines.insert(device, line);
                }
                forward(event);
            }
        })?;
    Ok(())
}

/// The controller with everything around it: the bridge for 1C, the scanners and keypads, the status strip.
pub fn start(
    config: &Config,
    started: Option<Instant>,
    repaint: impl Fn() + Clone + Send + 'static,
) -> anyhow::Result<TillWindow> {
    let classifier = crate::commands::devices::classifier(config)?;
    let till = Till::start(config, repaint.clone(), classifier.demo_badges())?;
    let window = TillWindow::new(till, started);
    let bridge_status = Arc::new(Mutex::new(StatusLine {
        ok: true,
        text: Bilingual::new("Связь с 1С: запускается…", "Link to 1C: starting…"),
    }));
    let bridge = Arc::new(Mutex::new(None));
    crate::commands::serve::spawn_for_window(
        config,
        bridge_status.clone(),
        bridge.clone(),
        repaint,
    )?;
    let devices = Arc::new(Mutex::new(BTreeMap::new()));
    start_input(config, &window, classifier, devices.clone())?;
    watch_status(
        config.clone(),
        bridge_status,
        bridge,
        devices,
        window.till.sender.clone(),
    );
    Ok(window)
}

/// The ways to draw the window, best first.
///
/// Windows: wgpu first — Direct3D 12 on the GPU, or WARP, Windows' own
/// software rasterizer, on a PC without a GPU driver, in a virtual machine or
/// over RDP, where plain OpenGL is often only the GDI 1.1 one that cannot
/// draw the window; then OpenGL (glow). Linux: OpenGL, which Mesa renders in
/// software (llvmpipe) when there is no GPU.
#[cfg(windows)]
const RENDERERS: [eframe::Renderer; 2] = [eframe::Renderer::Wgpu, eframe::Renderer::Glow];
#[cfg(not(windows))]
const RENDERERS: [eframe::Renderer; 1] = [eframe::Renderer::Glow];

/// Opens the window and returns when it is closed.
pub fn run(config: &Config, started: Instant) -> anyhow::Result<ExitCode> {
    if let Some(reason) = crate::platform::window_refused() {
        return Err(anyhow!(reason));
    }
    crate::platform::detach_console_for_window();
    let mut failures = Vec::new();
    for renderer in RENDERERS {
        let options = eframe::NativeOptions {
            viewport: egui::ViewportBuilder::default()
                .with_inner_size([1024.0, 600.0])
                .with_min_inner_size([800.0, 520.0])
                .with_title("Напарник"),
            renderer,
            ..Default::default()
        };
        let config = config.clone();
        let app_started = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let app_started_inside = app_started.clone();
        let result = eframe::run_native(
            "naparnik",
            options,
            Box::new(move |cc| {
                app_started_inside.store(true, std::sync::atomic::Ordering::Relaxed);
                tracing::info!("the window is drawn with {renderer}");
                let context = cc.egui_ctx.clone();
                let window = start(&config, Some(started), move || context.request_repaint())?;
                Ok(Box::new(window))
            }),
        );
        match result {
            Ok(()) => return Ok(ExitCode::SUCCESS),
            // Once the till runs (bridge, devices), a failure is not the renderer's: never start twice.
            Err(error) if app_started.load(std::sync::atomic::Ordering::Relaxed) => {
                return Err(anyhow!("the window stopped: {error}"));
            }
            Err(error) => {
                tracing::warn!("cannot draw the window with {renderer}: {error}");
                failures.push(format!("{renderer}: {error}"));
            }
        }
    }
    let message = format!(
        "cannot open the window: no way of drawing it worked ({}). Is a graphical session running? \
         Install the display driver of this PC, or on Windows check that Direct3D works (dxdiag); \
         commands work without a window: see `naparnik --help`",
        failures.join("; ")
    );
    crate::platform::show_error("Naparnik", &message);
    Err(anyhow!(message))
}

#[cfg(test)]
mod tests {
    //! The real screens over the real controller, store and bridge, driven by label.

    use std::time::{Duration, Instant};

    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use naparnik_domain::{Seller, SellerCode};
    use naparnik_input::{InputEvent, ScanClass, SourceKind};

    use super::*;

    const TOKEN: &str = "window-test-token";

    /// A till whose bridge listens on a port that was free a moment ago.
    fn config(dir: &std::path::Path) -> Config {
        config_with(dir, "")
    }

    /// The till's configuration with `extra` TOML appended (e.g. input devices).
    fn config_with(dir: &std::path::Path, extra: &str) -> Config {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let file = dir.join("config.toml");
        std::fs::write(&file, format!("[till]\nstore = \"store-1\"\ntill = \"till-1\"\nutc_offset = \"+03:00\"\n[bridge]\nport = {port}\ntoken = \"{TOKEN}\"\nmanager_pin = \"2468\"\n{extra}")).unwrap();
        Config::load(Some(&file), Some(dir)).unwrap()
    }

    /// Sends one request to the window's bridge as the 1C extension does; returns the status code.
    fn call_bridge(config: &Config, method: &str, path: &str, body: &serde_json::Value) -> u16 {
        use std::io::{Read, Write};
        let started = Instant::now();
        let mut stream = loop {
            match std::net::TcpStream::connect(("127.0.0.1", config.bridge_port)) {
                Ok(stream) => break stream,
                Err(error) => {
                    assert!(
                        started.elapsed() < Duration::from_secs(5),
                        "the window's bridge never listened: {error}"
                    );
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        };
        let body = body.to_string();
        write!(stream, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response.split(' ').nth(1).unwrap().parse().unwrap()
    }

    fn seed_sellers(config: &Config) {
        let mut store = naparnik_store::Store::open_in_dir(&config.data_dir).unwrap();
        let seller = |code: &str, name: &str, badge: &str| Seller {
            code: SellerCode(code.into()),
            name: name.into(),
            badge: Some(badge.into()),
            active: true,
            onec_ref: None,
        };
        store
            .upsert_sellers(&[
                seller("EMP0001", "Иванова Анна", "EMP-0001"),
                seller("EMP0007", "Петров Олег", "EMP-0007"),
            ])
            .unwrap();
    }

    /// The window as `naparnik` opens it: controller, bridge on loopback, devices and status strip.
    fn started_window(config: &Config) -> TillWindow {
        seed_sellers(config);
        start(config, None, || {}).unwrap()
    }

    /// The controller alone, as the screens see it.
    fn window(config: &Config) -> TillWindow {
        seed_sellers(config);
        TillWindow::new(
            Till::start(config, || {}, naparnik_input::DemoBadges::default()).unwrap(),
            None,
        )
    }

    fn harness(window: TillWindow) -> Harness<'static, TillWindow> {
        Harness::builder()
            .with_size(egui::vec2(1024.0, 600.0))
            .with_max_steps(16)
            .build_ui_state(|ui, window: &mut TillWindow| window.frame(ui), window)
    }

    /// Runs frames until `label` is on screen (the controller works on its own thread).
    fn wait_for(harness: &mut Harness<'static, TillWindow>, label: &str) {
        let started = Instant::now();
        loop {
            harness.run();
            // Any node will do: the same text may show twice (the phone on the pad and in the summary).
            if harness.query_all_by_label_contains(label).next().is_some() {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "`{label}` never appeared"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn badge(harness: &Harness<'static, TillWindow>, code: &str) {
        (harness.state().input())(InputEvent::Scan {
            device: "test".into(),
            source: SourceKind::Test,
            class: ScanClass::Badge(code.into()),
            badge_only: false,
            at: Instant::now(),
        });
    }

    #[test]
    fn a_phone_typed_on_the_pad_creates_the_customer_and_badges_add_sellers() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let mut harness = harness(window(&config));
        wait_for(&mut harness, "Без покупателя");
        for digit in "9513054436".chars() {
            harness.get_by_label(&digit.to_string()).click();
            harness.run();
        }
        wait_for(&mut harness, "+7 (951) 305-44-36");
        wait_for(&mut harness, "Новый покупатель");
        harness.get_by_label("Создать покупателя по номеру").click();
        wait_for(&mut harness, "Покупатель: +7 (951) 305-44-36");

        badge(&harness, "EMP-0001");
        wait_for(&mut harness, "Продавцы: Иванова Анна");
        badge(&harness, "EMP-0007");
        wait_for(&mut harness, "Продавцы: Иванова Анна, Петров Олег");
        assert_eq!(
            harness.query_all_by_label("1/2").count(),
            2,
            "each seller shows the share"
        );
        naparnik_store::Store::open_in_dir(&config.data_dir)
            .unwrap()
            .set_assignment_total(Some(naparnik_domain::Kopecks(10_001)))
            .unwrap();
        wait_for(&mut harness, "1/2 = 50.01 руб.");
        wait_for(&mut harness, "1/2 = 50.00 руб.");
        badge(&harness, "EMP-0007");
        wait_for(&mut harness, "уже добавлен");
        harness.get_by_label("Убрать Иванова Анна").click();
        wait_for(&mut harness, "Продавцы: Петров Олег");

        let store = naparnik_store::Store::open_in_dir(&config.data_dir).unwrap();
        let assignment = store.assignment().unwrap();
        assert_eq!(
            assignment.customer.unwrap().phone.as_e164(),
            "+79513054436",
            "what the cashier sees is what 1C reads"
        );
        assert_eq!(assignment.sellers.len(), 1);
    }

    #[test]
    fn a_phone_unknown_here_is_asked_of_the_crm_and_a_hung_crm_never_holds_the_cashier() {
        // A CRM that takes every connection and never answers.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let held: Vec<_> = listener.incoming().collect();
            drop(held);
        });
        let dir = tempfile::tempdir().unwrap();
        let config = config_with(
            dir.path(),
            &format!(
                "[[sync.targets]]\nkind = \"retailcrm\"\nname = \"crm\"\nurl = \"{url}\"\napi_key = \"key\"\nsite = \"store-1\"\n"
            ),
        );
        let mut harness = harness(window(&config));
        wait_for(&mut harness, "Без покупателя");
        harness.event(egui::Event::Text("9513054436".into()));
        wait_for(&mut harness, "Ищем в CRM…");
        // The lookup gives up within its budget: the cashier can create the customer.
        wait_for(&mut harness, "Новый покупатель");
        wait_for(&mut harness, "CRM не ответила вовремя");
        harness.key_press(egui::Key::Enter);
        wait_for(&mut harness, "Покупатель: +7 (951) 305-44-36");
    }

    /// Presses Tab until the control labelled `label` has the keyboard focus.
    fn tab_to(harness: &mut Harness<'static, TillWindow>, label: &str) {
        for _ in 0..40 {
            if harness.get_by_label(label).is_focused() {
                return;
            }
            harness.key_press(egui::Key::Tab);
            harness.run();
        }
        panic!("Tab never reached `{label}`");
    }

    #[test]
    fn the_whole_sale_and_the_manager_screen_work_from_the_keyboard_alone() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let mut harness = harness(window(&config));
        wait_for(&mut harness, "Без покупателя");

        harness.event(egui::Event::Text("9513054437".into()));
        harness.key_press(egui::Key::Backspace);
        harness.event(egui::Event::Text("6".into()));
        wait_for(&mut harness, "Новый покупатель");
        harness.key_press(egui::Key::Enter);
        wait_for(&mut harness, "Покупатель: +7 (951) 305-44-36");

        harness.key_press(egui::Key::F2);
        harness.run();
        harness.event(egui::Event::Text("петр".into()));
        harness.key_press(egui::Key::Backspace);
        harness.run();
        assert!(
            harness.query_by_label("Добавить Иванова Анна").is_none(),
            "the search narrows the list"
        );
        assert_eq!(
            lock(&harness.state().till.model).phone_digits,
            "9513054436",
            "Backspace in the search leaves the phone alone"
        );
        harness.key_press(egui::Key::Enter);
        wait_for(&mut harness, "Продавцы: Петров Олег");
        harness.key_press(egui::Key::F2);
        harness.run();
        harness.event(egui::Event::Text("EMP0001".into()));
        harness.key_press(egui::Key::Enter);
        wait_for(&mut harness, "Продавцы: Петров Олег, Иванова Анна");
        assert_eq!(
            lock(&harness.state().till.model).phone_digits,
            "9513054436",
            "digits typed into the search did not reach the phone"
        );

        tab_to(&mut harness, "Убрать Петров Олег");
        harness.key_press(egui::Key::Enter);
        wait_for(&mut harness, "Продавцы: Иванова Анна");

        tab_to(&mut harness, "Чеки (управляющий)");
        harness.key_press(egui::Key::Enter);
        wait_for(&mut harness, "PIN управляющего");
        harness.event(egui::Event::Text("2468".into()));
        harness.key_press(egui::Key::Enter);
        wait_for(&mut harness, "Чеков не найдено.");
        wait_for(&mut harness, "Итоги текущей смены по продавцам");
    }

    #[test]
    fn notices_and_the_status_strip_follow_the_language() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let mut harness = harness(started_window(&config));
        badge(&harness, "B9");
        wait_for(&mut harness, "Бейдж B9 не найден среди продавцов");
        wait_for(&mut harness, "1С ещё не обращалась");
        harness.get_by_label("English").click();
        wait_for(&mut harness, "Badge B9 belongs to no seller");
        wait_for(&mut harness, "1C has not called yet");
        assert!(
            harness.query_by_label_contains("Бейдж").is_none(),
            "nothing is left in Russian"
        );
    }

    #[test]
    #[cfg(unix)] // a pseudo-terminal stands in for the scanner; Windows has no such pair
    fn badges_from_a_serial_scanner_add_sellers_and_the_strip_follows_the_scanner() {
        use serialport::SerialPort as _;
        use std::io::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let (mut scanner, port) = serialport::TTYPort::pair().unwrap();
        let config = config_with(
            dir.path(),
            &format!(
                "[input]\nbadge_prefix = \"EMP-\"\n[[input.devices]]\nname = \"serial1\"\nkind = \"serial\"\npath = \"{}\"\nbaud = 9600\nline_end = \"cr\"\n",
                port.name().unwrap()
            ),
        );
        let mut harness = harness(started_window(&config));
        wait_for(&mut harness, "serial1: подключён");

        scanner.write_all(b"EMP-0001\r").unwrap();
        wait_for(&mut harness, "Продавцы: Иванова Анна");
        scanner.write_all(b"EMP-0007\rEMP-0007\r").unwrap();
        wait_for(&mut harness, "Продавцы: Иванова Анна, Петров Олег");
        wait_for(&mut harness, "Продавец EMP0007 уже добавлен в этот чек.");
        assert_eq!(harness.query_all_by_label("1/2").count(), 2);
        scanner.write_all(b"4006381333932\r").unwrap();
        wait_for(&mut harness, "Штрихкод прочитан с ошибкой");

        drop(scanner);
        wait_for(&mut harness, "serial1: отключён или не читается");
        drop(port);
    }

    /// First run on an empty database: the offer loads the demo, and its badges scan at once.
    #[cfg(unix)]
    #[test]
    fn the_first_run_offers_the_demo_and_its_badges_scan_at_once() {
        use serialport::SerialPort as _;
        use std::io::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let (mut scanner, port) = serialport::TTYPort::pair().unwrap();
        let config = config_with(
            dir.path(),
            &format!(
                "[[input.devices]]\nname = \"serial1\"\nkind = \"serial\"\npath = \"{}\"\nline_end = \"cr\"\n",
                port.name().unwrap()
            ),
        );
        let mut harness = harness(start(&config, None, || {}).unwrap());
        wait_for(&mut harness, "serial1: подключён");
        wait_for(&mut harness, "База пуста");
        // Before the demo, its badge is a product code like any other: it goes to 1C, not here.
        scanner.write_all(b"2990000000019\r").unwrap();
        harness.get_by_label("Загрузить демо-данные").click();
        wait_for(
            &mut harness,
            "Демо-данные загружены: 6 продавцов, 3000 покупателей",
        );
        assert!(
            harness.query_by_label_contains("Анна Смирнова").is_none(),
            "the scan before loading added nobody"
        );
        assert!(harness.query_by_label("Загрузить демо-данные").is_none());
        scanner
            .write_all(b"2990000000019\r2990000000026\r")
            .unwrap();
        wait_for(&mut harness, "Продавцы: Анна Смирнова, Олег Петров");
        wait_for(
            &mut harness,
            "Загружены демо-данные (6 продавцов, 3000 покупателей)",
        );
        assert!(config.data_dir.join(crate::demo::SHEET_FILE_NAME).exists());
        drop(scanner);
        drop(port);
    }

    #[test]
    fn trailing_digits_show_a_short_list_to_choose_from() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let window = window(&config);
        {
            let mut store = naparnik_store::Store::open_in_dir(&config.data_dir).unwrap();
            for phone in ["+79513054436", "+79161234436"] {
                store
                    .find_or_create_customer(&naparnik_domain::Phone::parse(phone).unwrap())
                    .unwrap();
            }
        }
        let mut harness = harness(window);
        for digit in "4436".chars() {
            harness.get_by_label(&digit.to_string()).click();
            harness.run();
        }
        wait_for(&mut harness, "+7 (916) 123-44-36");
        harness.get_by_label_contains("+7 (951) 305-44-36").click();
        wait_for(&mut harness, "Покупатель: +7 (951) 305-44-36");
    }

    #[test]
    fn a_receipt_closed_through_the_bridge_clears_the_panel() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let mut harness = harness(started_window(&config));
        wait_for(&mut harness, "1С ещё не обращалась");
        badge(&harness, "EMP-0001");
        badge(&harness, "EMP-0007");
        wait_for(&mut harness, "Продавцы: Иванова Анна, Петров Олег");

        let total = serde_json::json!({ "total": "100.01" });
        assert_eq!(
            call_bridge(&config, "PUT", "/api/v1/assignment/total", &total),
            200
        );
        wait_for(&mut harness, "1/2 = 50.01 руб.");
        wait_for(&mut harness, "1/2 = 50.00 руб.");
        wait_for(&mut harness, "1С обращалась в");

        let receipt = serde_json::json!({
            "guid": "00000000-0000-4000-8000-000000000001", "number": "Б-1", "kind": "sale",
            "closed_at": "2026-11-22T12:00:00+03:00", "store": "store-1", "till": "till-1", "cashier": "К",
            "sellers": ["EMP0001", "EMP0007"],
            "lines": [{"line_no": 1, "sku": "S", "name": "Товар", "unit": "шт", "quantity": "1", "price": "100.01", "discount": "0", "amount": "100.01"}],
            "payments": [{"kind": "cash", "amount": "100.01"}], "total": "100.01"
        });
        assert_eq!(
            call_bridge(&config, "POST", "/api/v1/receipts", &receipt),
            201
        );
        wait_for(&mut harness, "Без продавцов");
        assert!(
            harness.query_by_label_contains("1/2").is_none(),
            "the shares are gone with the sellers"
        );
    }

    #[test]
    fn the_manager_edits_a_receipts_sellers_with_the_right_pin_and_a_wrong_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let window = window(&config);
        let mut store = naparnik_store::Store::open_in_dir(&config.data_dir).unwrap();
        let receipt: naparnik_domain::Receipt = serde_json::from_value(serde_json::json!({
            "guid": "00000000-0000-4000-8000-000000000002", "number": "Б-2", "kind": {"kind": "sale"},
            "closed_at": "2026-11-22T12:00:00+03:00", "store": "store-1", "till": "till-1", "cashier": "К",
            "customer_phone": "+79513054436", "sellers": ["EMP0001"],
            "lines": [{"line_no": 1, "sku": "S", "name": "Товар", "unit": "шт", "quantity": "1", "price": "100.01", "discount": "0", "amount": "100.01"}],
            "payments": [], "total": "100.01"
        }))
        .unwrap();
        let till = naparnik_store::receipts::TillIdentity {
            store: "store-1".into(),
            till: "till-1".into(),
        };
        store.record_receipt(&receipt, &till).unwrap();
        let mut harness = harness(window);
        harness.run();
        harness.get_by_label("Чеки (управляющий)").click();
        harness.run();
        let type_pin = |harness: &mut Harness<'static, TillWindow>, pin: &str| {
            for digit in pin.chars() {
                harness.get_by_label(&digit.to_string()).click();
                harness.run();
            }
            harness.get_by_label("Открыть").click();
        };
        type_pin(&mut harness, "0000");
        wait_for(&mut harness, "Неверный PIN (попытка 1 из 5)");
        type_pin(&mut harness, "2468");
        wait_for(&mut harness, "Иванова Анна 100.01");
        wait_for(&mut harness, "1 чеков");
        harness.get_by_label("Изменить продавцов Б-2").click();
        wait_for(&mut harness, "Иванова Анна: 100.01 руб.");
        harness.get_by_label("Добавить Петров Олег").click();
        wait_for(&mut harness, "Иванова Анна: 50.01 руб.");
        wait_for(&mut harness, "Петров Олег: 50.00 руб.");
        harness.get_by_label("Сохранить").click();
        wait_for(&mut harness, "Иванова Анна 50.01, Петров Олег 50.00");
        let amounts: Vec<i64> = store
            .attribution(
                naparnik_domain::ReceiptGuid::parse("00000000-0000-4000-8000-000000000002")
                    .unwrap(),
            )
            .unwrap()
            .unwrap()
            .sellers
            .iter()
            .map(|s| s.amount.0)
            .collect();
        assert_eq!(
            amounts,
            [5001, 5000],
            "saved, audited and queued upstream by the store"
        );
    }
}
