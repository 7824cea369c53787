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
        Ok(Box::new(TillWindow { summary, bridge_status }))
    }))
        .map_err(|error| anyhow!("cannot open the window ({error}); is a graphical session running? Commands work without one: see `naparnik --help`"))?;
    Ok(ExitCode::SUCCESS)
}
