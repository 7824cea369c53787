//! The window opened when `naparnik` runs without a command.
//!
//! For now it shows what the till holds and where; the sale panel with the
//! phone pad and the sellers replaces it.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::anyhow;
use eframe::egui;

use crate::config::Config;

/// What the window shows, read once when it opens.
struct Summary {
    data_dir: String,
    lines: Vec<String>,
}

fn summarize(config: &Config) -> Summary {
    let data_dir = config.data_dir.display().to_string();
    let lines = match crate::commands::open_store(config) {
        Ok(store) => {
            let customers = store
                .customer_count()
                .map_or_else(|e| e.to_string(), |n| n.to_string());
            let sellers = store
                .sellers()
                .map_or_else(|e| e.to_string(), |s| s.len().to_string());
            let assignment = store.assignment();
            let mut lines = vec![
                format!("Покупателей: {customers}"),
                format!("Продавцов: {sellers}"),
            ];
            match assignment {
                Ok(assignment) => {
                    let customer = assignment
                        .customer
                        .map_or("не выбран".into(), |c| c.phone.display());
                    lines.push(format!("Покупатель следующего чека: {customer}"));
                    let names: Vec<_> =
                        assignment.sellers.iter().map(|s| s.name.as_str()).collect();
                    lines.push(format!(
                        "Продавцы следующего чека: {}",
                        if names.is_empty() {
                            "не выбраны".into()
                        } else {
                            names.join(", ")
                        }
                    ));
                }
                Err(error) => lines.push(format!("Не удалось прочитать текущий чек: {error}")),
            }
            lines
        }
        Err(error) => vec![
            format!("База данных недоступна: {error:#}"),
            "Запустите «naparnik doctor» и передайте вывод ИТ-службе.".into(),
        ],
    };
    Summary { data_dir, lines }
}

struct TillWindow {
    summary: Summary,
    bridge_status: Arc<Mutex<String>>,
    sync_status: Arc<Mutex<Vec<String>>>,
}

/// One line per upstream target, in Russian: backlog, last success, the problem and what to do.
fn sync_lines(config: &Config) -> Vec<String> {
    let Ok(Some(sync)) = crate::commands::sync_config(config) else {
        return vec![
            "Выгрузка в УТ и CRM не настроена (в настройках нет [[sync.targets]]).".into(),
        ];
    };
    let Ok(store) = crate::commands::open_store(config) else {
        return vec!["Состояние выгрузки недоступно: база не открывается.".into()];
    };
    sync.targets
        .iter()
        .map(|target| match store.target_status(&target.name, target.kinds()) {
            Ok(status) => {
                let mut line = format!("{}: в очереди {}", target.name, status.backlog);
                if let Some(at) = status.last_success_at_utc {
                    line.push_str(&format!(", последняя отправка {}", at.with_timezone(&config.utc_offset).format("%d.%m %H:%M")));
                }
                if status.failures > 0 {
                    line.push_str(&format!(
                        ". Нет связи ({} попыток): продажи копятся и уйдут сами; если долго — проверьте сеть и «naparnik sync status»",
                        status.failures
                    ));
                }
                let pull_error = store.sync_cursor(&target.name, naparnik_sync::LAST_PULL_ERROR).ok().flatten();
                if pull_error.is_some_and(|e| !e.is_empty()) {
                    line.push_str(". Покупатели не обновляются: нет связи; проверьте сеть и «naparnik sync status»");
                }
                if !status.parked.is_empty() {
                    line.push_str(&format!(". Отложено событий: {} — нужна помощь ИТ", status.parked.len()));
                }
                line
            }
            Err(error) => format!("{}: состояние недоступно ({error})", target.name),
        })
        .collect()
}

/// Re-reads the sync state every few seconds on its own thread; asks for a repaint only when it changed.
fn watch_sync(config: Config, lines: Arc<Mutex<Vec<String>>>, changed: impl Fn() + Send + 'static) {
    let spawned = std::thread::Builder::new()
        .name("naparnik-sync-status".into())
        .spawn(move || {
            loop {
                let fresh = sync_lines(&config);
                let differs = lines.lock().map(|mut current| {
                    let differs = *current != fresh;
                    *current = fresh;
                    differs
                });
                if differs.unwrap_or(false) {
                    changed();
                }
                std::thread::sleep(std::time::Duration::from_secs(5));
            }
        });
    if let Err(error) = spawned {
        tracing::warn!("cannot watch the sync state: {error}");
    }
}

impl eframe::App for TillWindow {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading("Напарник");
            ui.add_space(8.0);
            for line in &self.summary.lines {
                ui.label(line);
            }
            ui.add_space(8.0);
            if let Ok(status) = self.bridge_status.lock() {
                ui.label(status.as_str());
            }
            if let Ok(lines) = self.sync_status.lock() {
                for line in lines.iter() {
                    ui.label(line);
                }
            }
            ui.weak(format!("Данные: {}", self.summary.data_dir));
        });
    }
}

/// Opens the window and returns when it is closed.
pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let summary = summarize(config);
    let config = config.clone();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([640.0, 360.0])
            .with_title("Напарник"),
        ..Default::default()
    };
    eframe::run_native("naparnik", options, Box::new(move |cc| {
        let bridge_status = Arc::new(Mutex::new("Связь с 1С: запускается…".to_owned()));
        let context = cc.egui_ctx.clone();
        crate::commands::serve::spawn_for_window(&config, bridge_status.clone(), move || context.request_repaint())?;
        let sync_status = Arc::new(Mutex::new(Vec::new()));
        let context = cc.egui_ctx.clone();
        watch_sync(config.clone(), sync_status.clone(), move || context.request_repaint());
        Ok(Box::new(TillWindow { summary, bridge_status, sync_status }))
    }))
        .map_err(|error| anyhow!("cannot open the window ({error}); is a graphical session running? Commands work without one: see `naparnik --help`"))?;
    Ok(ExitCode::SUCCESS)
}
