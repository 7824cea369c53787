//! The till window's screens, as functions of a view model.
//!
//! Screens read [`TillModel`] and push [`Command`]s; the app carries the
//! commands out (store, bridge, devices) on other threads and updates the
//! model. Nothing here touches SQLite, HTTP or tokio, so every screen can be
//! driven in a test by label.

mod model;
mod receipts;
mod sale;
mod text;

pub use model::*;
pub use text::{Bilingual, Language, Text};

/// Touch targets are at least this tall.
pub const TOUCH: f32 = 48.0;

/// The whole window: status strip at the bottom, the current screen above it.
pub fn till_ui(ui: &mut egui::Ui, model: &mut TillModel, commands: &mut Vec<Command>) {
    let t = Text(model.language);
    egui::Panel::bottom("status").show(ui, |ui| status_ui(ui, model, commands));
    egui::CentralPanel::default().show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.heading(t.get("title"));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let other = match model.language {
                    Language::Russian => "English",
                    Language::English => "Русский",
                };
                if ui
                    .add(egui::Button::new(other).min_size(egui::vec2(0.0, TOUCH)))
                    .clicked()
                {
                    model.language = match model.language {
                        Language::Russian => Language::English,
                        Language::English => Language::Russian,
                    };
                }
                let theme = egui::Button::new(t.get(if model.dark { "light" } else { "dark" }))
                    .min_size(egui::vec2(0.0, TOUCH));
                if ui.add(theme).clicked() {
                    model.dark = !model.dark;
                }
                let receipts_label = match model.screen {
                    Screen::Sale => t.get("receipts"),
                    _ => t.get("back_to_sale"),
                };
                if ui
                    .add(egui::Button::new(receipts_label).min_size(egui::vec2(0.0, TOUCH)))
                    .clicked()
                {
                    model.screen = match model.screen {
                        Screen::Sale => Screen::Pin {
                            entered: String::new(),
                        },
                        _ => Screen::Sale,
                    };
                    model.pin_error = None;
                    // A new screen starts with no focused button, so Enter means that screen's action.
                    ui.memory_mut(|memory| {
                        if let Some(focused) = memory.focused() {
                            memory.surrender_focus(focused);
                        }
                    });
                }
            });
        });
        ui.separator();
        // At 1024×600 a long customer card must scroll, never slide under the status strip.
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| match &mut model.screen {
                Screen::Sale => sale::sale_ui(ui, model, commands),
                Screen::Pin { .. } => receipts::pin_ui(ui, model, commands),
                Screen::Receipts => receipts::receipts_ui(ui, model, commands),
            });
    });
}

fn status_ui(ui: &mut egui::Ui, model: &TillModel, commands: &mut Vec<Command>) {
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.vertical(|ui| {
            for line in &model.status {
                let color = if line.ok {
                    ui.visuals().weak_text_color()
                } else {
                    ui.visuals().warn_fg_color
                };
                ui.colored_label(color, line.text.get(model.language));
            }
        });
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let save = egui::Button::new(Text(model.language).get("save_diagnostics"))
                .min_size(egui::vec2(0.0, TOUCH));
            if ui.add(save).clicked() {
                commands.push(Command::SaveDiagnostics);
            }
        });
    });
    ui.add_space(4.0);
}
