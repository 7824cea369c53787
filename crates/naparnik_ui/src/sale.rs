//! The sale panel: phone pad, customer card, sellers with their shares.

use egui::{Button, RichText, Ui};
use naparnik_domain::phone::format_partial_ru;

use crate::TOUCH;
use crate::model::{Command, CustomerCard, CustomerPanel, TillModel};
use crate::text::Text;

pub(crate) fn sale_ui(ui: &mut Ui, model: &mut TillModel, commands: &mut Vec<Command>) {
    let t = Text(model.language);
    if model.demo_offer {
        demo_offer_ui(ui, commands, t);
    }
    glance_ui(ui, model, t);
    ui.add_space(6.0);
    ui.columns(2, |columns| {
        phone_ui(&mut columns[0], model, commands, t);
        sellers_ui(&mut columns[1], model, commands, t);
        columns[1].add_space(12.0);
        columns[1].weak(t.get("keyboard_hint"));
    });
}

/// The first run on an empty database: load the demo data, or start without it.
fn demo_offer_ui(ui: &mut Ui, commands: &mut Vec<Command>, t: Text) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(RichText::new(t.get("demo_offer")).size(16.0));
        ui.horizontal(|ui| {
            if ui.add(big_text(t.get("demo_load"))).clicked() {
                commands.push(Command::LoadDemo);
            }
            if ui.add(big_text(t.get("demo_dismiss"))).clicked() {
                commands.push(Command::DismissDemo);
            }
        });
    });
    ui.add_space(6.0);
}

fn big_text(text: &str) -> Button<'_> {
    Button::new(RichText::new(text).size(16.0)).min_size(egui::vec2(TOUCH * 3.0, TOUCH))
}

/// One line that says what the next receipt will carry.
fn glance_ui(ui: &mut Ui, model: &TillModel, t: Text) {
    let customer = match &model.assigned_customer {
        Some(card) => format!(
            "{}: {}",
            t.get("customer_yes"),
            card.name.clone().unwrap_or_else(|| card.phone.clone())
        ),
        None => t.get("customer_no").to_owned(),
    };
    let sellers = if model.sellers.is_empty() {
        t.get("sellers_no").to_owned()
    } else {
        format!(
            "{}: {}",
            t.get("sellers"),
            model
                .sellers
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let ready = model.assigned_customer.is_some() && !model.sellers.is_empty();
    let color = if ready {
        ui.visuals().text_color()
    } else {
        ui.visuals().warn_fg_color
    };
    ui.label(
        RichText::new(format!("{}: {customer} · {sellers}", t.get("next_receipt")))
            .strong()
            .size(18.0)
            .color(color),
    );
    if let Some(notice) = &model.notice {
        ui.colored_label(ui.visuals().warn_fg_color, notice.get(t.0));
    }
}

fn big(text: &str) -> Button<'_> {
    Button::new(RichText::new(text).size(22.0)).min_size(egui::vec2(TOUCH * 1.5, TOUCH))
}

fn phone_ui(ui: &mut Ui, model: &mut TillModel, commands: &mut Vec<Command>, t: Text) {
    ui.label(t.get("phone"));
    let before = model.phone_digits.clone();
    ui.label(
        RichText::new(format_partial_ru(&model.phone_digits))
            .size(28.0)
            .monospace(),
    );
    // The keyboard: digits, Backspace and Escape go to the phone unless a text field is being typed in;
    // Enter takes the customer shown, unless a focused button takes it first.
    let (typing, button_focused) = (
        ui.ctx().text_edit_focused(),
        ui.memory(|memory| memory.focused().is_some()),
    );
    let mut enter = false;
    let mut pick_seller = false;
    if !typing {
        ui.input(|input| {
            for event in &input.events {
                match event {
                    egui::Event::Text(text) => model
                        .phone_digits
                        .extend(text.chars().filter(char::is_ascii_digit)),
                    egui::Event::Key {
                        key, pressed: true, ..
                    } => match key {
                        egui::Key::Backspace => {
                            model.phone_digits.pop();
                        }
                        egui::Key::Escape => model.phone_digits.clear(),
                        egui::Key::Enter if !button_focused => enter = true,
                        egui::Key::F2 => pick_seller = true,
                        _ => {}
                    },
                    _ => {}
                }
            }
        });
    }
    if pick_seller {
        model.seller_search = Some(String::new());
        model.focus_seller_search = true;
    }
    egui::Grid::new("pad").spacing([6.0, 6.0]).show(ui, |ui| {
        for row in [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"]] {
            for digit in row {
                if ui.add(big(digit)).clicked() {
                    model.phone_digits.push_str(digit);
                }
            }
            ui.end_row();
        }
        if ui.add(big(t.get("clear"))).clicked() {
            model.phone_digits.clear();
        }
        if ui.add(big("0")).clicked() {
            model.phone_digits.push('0');
        }
        if ui.add(big(t.get("erase"))).clicked() {
            model.phone_digits.pop();
        }
        ui.end_row();
    });
    model.phone_digits.truncate(10);
    if model.phone_digits != before {
        commands.push(Command::PhoneChanged(model.phone_digits.clone()));
    }
    if enter && let Some(command) = take_customer(model) {
        commands.push(command);
    }
    ui.add_space(8.0);
    customer_ui(ui, model, commands, t);
}

/// What Enter does with the customer panel: attach the customer shown, if there is exactly one.
fn take_customer(model: &TillModel) -> Option<Command> {
    let assigned = model.assigned_customer.as_ref().map(|card| &card.e164);
    match &model.customer {
        CustomerPanel::New { e164, .. } => Some(Command::CreateCustomer(e164.clone())),
        CustomerPanel::Found(card) if assigned != Some(&card.e164) => {
            Some(Command::ChooseCustomer(card.e164.clone()))
        }
        CustomerPanel::Matches(cards) if cards.len() == 1 && assigned != Some(&cards[0].e164) => {
            Some(Command::ChooseCustomer(cards[0].e164.clone()))
        }
        _ => None,
    }
}

fn card_ui(ui: &mut Ui, card: &CustomerCard, t: Text) {
    ui.label(
        RichText::new(
            card.name
                .clone()
                .unwrap_or_else(|| t.get("no_name").to_owned()),
        )
        .strong()
        .size(18.0),
    );
    ui.label(&card.phone);
    ui.label(format!("{}: {} %", t.get("discount"), card.discount));
    if let Some(number) = &card.card {
        ui.label(format!("{}: {number}", t.get("card")));
    }
    if let Some(bonus) = card.bonus {
        ui.label(format!("{}: {bonus}", t.get("bonus")));
    }
    ui.weak(format!("{}: {}", t.get("updated"), card.updated));
}

fn customer_ui(ui: &mut Ui, model: &mut TillModel, commands: &mut Vec<Command>, t: Text) {
    match &model.customer {
        CustomerPanel::Empty => {}
        CustomerPanel::Invalid(reason) => {
            ui.colored_label(ui.visuals().warn_fg_color, reason.get(t.0));
        }
        CustomerPanel::Found(card) => {
            card_ui(ui, card, t);
            if model.assigned_customer.as_ref().map(|c| &c.e164) != Some(&card.e164)
                && ui.add(big(t.get("choose"))).clicked()
            {
                commands.push(Command::ChooseCustomer(card.e164.clone()));
            }
        }
        CustomerPanel::New { e164, phone } => {
            ui.label(RichText::new(t.get("new_customer")).strong().size(18.0));
            ui.label(phone);
            if ui.add(big(t.get("create_customer"))).clicked() {
                commands.push(Command::CreateCustomer(e164.clone()));
            }
        }
        CustomerPanel::Looking { phone, .. } => {
            // No spinner: it would repaint without end, and the answer comes within 1.5 s anyway.
            ui.label(RichText::new(t.get("looking_in_crm")).strong().size(18.0));
            ui.label(phone);
        }
        CustomerPanel::Matches(cards) => {
            if cards.is_empty() {
                ui.label(t.get("no_matches"));
            } else {
                ui.label(t.get("matches"));
            }
            for card in cards {
                let label = format!("{}  {}", card.phone, card.name.clone().unwrap_or_default());
                if ui
                    .add(Button::new(label).min_size(egui::vec2(ui.available_width(), TOUCH)))
                    .clicked()
                {
                    commands.push(Command::ChooseCustomer(card.e164.clone()));
                }
            }
        }
    }
    if model.assigned_customer.is_some()
        && ui
            .add(Button::new(t.get("remove_customer")).min_size(egui::vec2(0.0, TOUCH)))
            .clicked()
    {
        commands.push(Command::RemoveCustomer);
    }
}

fn sellers_ui(ui: &mut Ui, model: &mut TillModel, commands: &mut Vec<Command>, t: Text) {
    ui.label(RichText::new(t.get("sellers")).strong().size(18.0));
    for seller in &model.sellers {
        ui.horizontal(|ui| {
            ui.label(RichText::new(&seller.name).size(18.0));
            let share = match seller.amount {
                Some(amount) => format!("{} = {amount} {}", seller.share, t.get("rub")),
                None => seller.share.clone(),
            };
            ui.label(share);
            if ui
                .add(
                    Button::new(format!("{} {}", t.get("remove"), seller.name))
                        .min_size(egui::vec2(0.0, TOUCH)),
                )
                .clicked()
            {
                commands.push(Command::RemoveSeller(seller.code.clone()));
            }
        });
    }
    ui.add_space(8.0);
    match &mut model.seller_search {
        None => {
            if ui
                .add(Button::new(t.get("pick_seller")).min_size(egui::vec2(0.0, TOUCH)))
                .clicked()
            {
                model.seller_search = Some(String::new());
                model.focus_seller_search = true;
            }
        }
        Some(search) => {
            let field = ui
                .horizontal(|ui| {
                    let label = ui.label(t.get("search"));
                    ui.add(egui::TextEdit::singleline(search).desired_width(160.0))
                        .labelled_by(label.id)
                })
                .inner;
            if std::mem::take(&mut model.focus_seller_search) {
                field.request_focus();
            }
            // In the field, Enter adds the first seller shown and Escape closes the list.
            let (enter, escape) = ui.input(|input| {
                (
                    input.key_pressed(egui::Key::Enter),
                    input.key_pressed(egui::Key::Escape),
                )
            });
            let mut add_first = field.lost_focus() && enter;
            let needle = search.to_lowercase();
            let mut close = field.lost_focus() && escape;
            egui::ScrollArea::vertical()
                .max_height(220.0)
                .show(ui, |ui| {
                    for (code, name) in &model.active_sellers {
                        let shown = needle.is_empty()
                            || name.to_lowercase().contains(&needle)
                            || code.as_str().to_lowercase().contains(&needle);
                        let already = model.sellers.iter().any(|s| &s.code == code);
                        if shown
                            && !already
                            && (std::mem::take(&mut add_first)
                                | ui.add(
                                    Button::new(format!("{} {name}", t.get("add")))
                                        .min_size(egui::vec2(ui.available_width(), TOUCH)),
                                )
                                .clicked())
                        {
                            commands.push(Command::AddSeller(code.clone()));
                            close = true;
                        }
                    }
                });
            if close
                || ui
                    .add(Button::new(t.get("close")).min_size(egui::vec2(0.0, TOUCH)))
                    .clicked()
            {
                model.seller_search = None;
            }
        }
    }
}
