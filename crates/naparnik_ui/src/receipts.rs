//! The manager's screens: the PIN, the receipts with their sellers, per-seller shift totals, and seller edits.

use egui::{Button, RichText, Ui};

use crate::TOUCH;
use crate::model::{Command, Screen, TillModel};
use crate::text::Text;

pub(crate) fn pin_ui(ui: &mut Ui, model: &mut TillModel, commands: &mut Vec<Command>) {
    let t = Text(model.language);
    let Screen::Pin { entered } = &mut model.screen else {
        return;
    };
    ui.label(RichText::new(t.get("pin")).size(18.0));
    ui.label(
        RichText::new(if entered.is_empty() {
            "—".to_owned()
        } else {
            "•".repeat(entered.len())
        })
        .size(28.0)
        .monospace(),
    );
    let mut submit = false;
    let button_focused = ui.memory(|memory| memory.focused().is_some());
    ui.input(|input| {
        for event in &input.events {
            match event {
                egui::Event::Text(text) => {
                    entered.extend(text.chars().filter(char::is_ascii_digit))
                }
                egui::Event::Key {
                    key: egui::Key::Backspace,
                    pressed: true,
                    ..
                } => {
                    entered.pop();
                }
                egui::Event::Key {
                    key: egui::Key::Enter,
                    pressed: true,
                    ..
                } if !button_focused => submit = true,
                _ => {}
            }
        }
    });
    let key = |text: &str| {
        Button::new(RichText::new(text).size(22.0)).min_size(egui::vec2(TOUCH * 1.5, TOUCH))
    };
    egui::Grid::new("pin-pad")
        .spacing([6.0, 6.0])
        .show(ui, |ui| {
            for row in [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"]] {
                for digit in row {
                    if ui
                        .add(key(digit))
                        .on_hover_text(format!("{} {digit}", t.get("pin")))
                        .clicked()
                    {
                        entered.push_str(digit);
                    }
                }
                ui.end_row();
            }
            if ui.add(key(t.get("erase"))).clicked() {
                entered.pop();
            }
            if ui
                .add(key("0"))
                .on_hover_text(format!("{} 0", t.get("pin")))
                .clicked()
            {
                entered.push('0');
            }
            if ui.add(key(t.get("open"))).clicked() {
                submit = true;
            }
            ui.end_row();
        });
    if submit {
        commands.push(Command::SubmitPin(std::mem::take(entered)));
    }
    if let Some(error) = &model.pin_error {
        ui.colored_label(ui.visuals().warn_fg_color, error.get(t.0));
    }
}

pub(crate) fn receipts_ui(ui: &mut Ui, model: &mut TillModel, commands: &mut Vec<Command>) {
    let t = Text(model.language);
    let view = &mut model.receipts;
    ui.horizontal(|ui| {
        let label = ui.label(t.get("filter_seller"));
        ui.add(egui::TextEdit::singleline(&mut view.seller).desired_width(120.0))
            .labelled_by(label.id);
        let label = ui.label(t.get("filter_phone"));
        ui.add(egui::TextEdit::singleline(&mut view.phone).desired_width(120.0))
            .labelled_by(label.id);
        let label = ui.label(t.get("filter_date"));
        ui.add(egui::TextEdit::singleline(&mut view.date).desired_width(100.0))
            .labelled_by(label.id);
        if ui
            .add(Button::new(t.get("apply")).min_size(egui::vec2(0.0, TOUCH)))
            .clicked()
        {
            commands.push(Command::FilterReceipts);
        }
    });
    ui.separator();
    if let Some(edit) = &mut view.editing {
        ui.label(
            RichText::new(format!("{} № {}", t.get("edit_sellers"), edit.number))
                .strong()
                .size(18.0),
        );
        let mut changed = false;
        let mut removed = None;
        for (index, code) in edit.codes.iter().enumerate() {
            let name = model
                .active_sellers
                .iter()
                .find(|(c, _)| c == code)
                .map_or(code.as_str(), |(_, n)| n.as_str());
            ui.horizontal(|ui| {
                ui.label(name);
                if ui
                    .add(
                        Button::new(format!("{} {name}", t.get("remove")))
                            .min_size(egui::vec2(0.0, TOUCH)),
                    )
                    .clicked()
                {
                    removed = Some(index);
                }
            });
        }
        if let Some(index) = removed {
            edit.codes.remove(index);
            changed = true;
        }
        ui.horizontal_wrapped(|ui| {
            for (code, name) in &model.active_sellers {
                if !edit.codes.contains(code)
                    && ui
                        .add(
                            Button::new(format!("{} {name}", t.get("add")))
                                .min_size(egui::vec2(0.0, TOUCH)),
                        )
                        .clicked()
                {
                    edit.codes.push(code.clone());
                    changed = true;
                }
            }
        });
        ui.label(RichText::new(t.get("new_shares")).strong());
        for (name, amount) in &edit.preview {
            ui.label(format!("{name}: {amount} {}", t.get("rub")));
        }
        if let Some(error) = &edit.error {
            ui.colored_label(ui.visuals().warn_fg_color, error.get(t.0));
        }
        let mut cancel = false;
        ui.horizontal(|ui| {
            if ui
                .add(Button::new(t.get("save")).min_size(egui::vec2(TOUCH * 2.0, TOUCH)))
                .clicked()
            {
                commands.push(Command::SaveSellers);
            }
            cancel = ui
                .add(Button::new(t.get("cancel")).min_size(egui::vec2(TOUCH * 2.0, TOUCH)))
                .clicked();
        });
        if changed {
            commands.push(Command::PreviewSellers);
        }
        if cancel {
            view.editing = None;
        }
        return;
    }
    egui::ScrollArea::vertical()
        .max_height(ui.available_height() * 0.6)
        .show(ui, |ui| {
            if view.rows.is_empty() {
                ui.label(t.get("no_receipts"));
            }
            egui::Grid::new("receipts")
                .striped(true)
                .spacing([12.0, 4.0])
                .show(ui, |ui| {
                    for row in &view.rows {
                        ui.label(&row.time);
                        ui.label(if row.is_return {
                            format!("{} ({})", row.number, t.get("return"))
                        } else {
                            row.number.clone()
                        });
                        ui.label(&row.customer);
                        ui.label(format!("{} {}", row.total, t.get("rub")));
                        ui.label(&row.sellers);
                        if row.sellers_editable
                            && ui
                                .add(
                                    Button::new(format!(
                                        "{} {}",
                                        t.get("edit_sellers"),
                                        row.number
                                    ))
                                    .min_size(egui::vec2(0.0, TOUCH)),
                                )
                                .clicked()
                        {
                            commands.push(Command::EditReceipt(row.guid.clone()));
                        }
                        ui.end_row();
                    }
                });
        });
    ui.separator();
    ui.label(RichText::new(t.get("shift_totals")).strong());
    egui::Grid::new("totals")
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for total in &view.totals {
                ui.label(&total.name);
                ui.label(format!("{} {}", total.receipts, t.get("receipts_col")));
                ui.label(format!("{} {}", total.amount, t.get("rub")));
                ui.label(format!(
                    "{} {} {}",
                    t.get("average"),
                    total.average,
                    t.get("rub")
                ));
                ui.end_row();
            }
        });
}
