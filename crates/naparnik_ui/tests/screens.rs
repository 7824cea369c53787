//! The main screens from fixed view models: behaviour by label, and snapshot images compared in CI
//! (rendered with wgpu; Debian's mesa-vulkan-drivers gives a software renderer). `UPDATE_SNAPSHOTS=1`
//! rewrites the images; look at them before committing.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use naparnik_domain::{Kopecks, SellerCode};
use naparnik_ui::{
    Bilingual, Command, CustomerCard, CustomerPanel, Language, ReceiptRow, Screen, SellerRow,
    SellerTotalRow, StatusLine, TillModel, till_ui,
};

struct State {
    model: TillModel,
    commands: Vec<Command>,
}

fn harness(model: TillModel) -> Harness<'static, State> {
    Harness::builder()
        .with_size(egui::vec2(1024.0, 600.0))
        .with_max_steps(16)
        .build_ui_state(
            |ui, state: &mut State| {
                ui.ctx().set_visuals(if state.model.dark {
                    egui::Visuals::dark()
                } else {
                    egui::Visuals::light()
                });
                till_ui(ui, &mut state.model, &mut state.commands);
            },
            State {
                model,
                commands: Vec::new(),
            },
        )
}

fn marina() -> CustomerCard {
    CustomerCard {
        e164: "+79513054436".into(),
        phone: "+7 (951) 305-44-36".into(),
        name: Some("Желателева Марина Сергеевна".into()),
        discount: "10.00".into(),
        card: Some("12345678".into()),
        bonus: Some(Kopecks(35_000)),
        updated: "22.11.2026 09:00".into(),
    }
}

fn sale_model() -> TillModel {
    let seller = |code: &str, name: &str, amount| SellerRow {
        code: SellerCode(code.into()),
        name: name.into(),
        share: "1/3".into(),
        amount,
    };
    TillModel {
        phone_digits: "9513054436".into(),
        customer: CustomerPanel::Found(marina()),
        assigned_customer: Some(marina()),
        sellers: vec![
            seller("EMP0001", "Иванова Анна", Some(Kopecks(3334))),
            seller("EMP0007", "Петров Олег", Some(Kopecks(3333))),
            seller("EMP0012", "Сидорова Елена", Some(Kopecks(3333))),
        ],
        active_sellers: vec![(SellerCode("EMP0001".into()), "Иванова Анна".into())],
        receipt_total: Some(Kopecks(10_000)),
        status: vec![
            StatusLine {
                ok: true,
                text: Bilingual::new("scanner: подключён", "scanner: connected"),
            },
            StatusLine {
                ok: true,
                text: Bilingual::new(
                    "Связь с 1С: мост на 127.0.0.1:47815; 1С обращалась в 12:00:05",
                    "Link to 1C: bridge on 127.0.0.1:47815; 1C last called at 12:00:05",
                ),
            },
            StatusLine {
                ok: false,
                text: Bilingual::new(
                    "ut: в очереди 12. Нет связи (3 попыток): продажи копятся и уйдут сами",
                    "ut: 12 queued. Offline (3 attempts): sales are kept and will go by themselves",
                ),
            },
        ],
        ..TillModel::default()
    }
}

#[test]
fn the_pad_types_the_phone_and_the_buttons_ask_for_the_right_things() {
    let mut harness = harness(TillModel::default());
    for digit in "9513054436".chars() {
        harness.get_by_label(&digit.to_string()).click();
        harness.run();
    }
    assert!(harness.query_by_label("+7 (951) 305-44-36").is_some());
    harness.get_by_label("Стереть").click();
    harness.run();
    assert!(harness.query_by_label("+7 (951) 305-44-3").is_some());
    assert_eq!(
        harness.state().commands.last(),
        Some(&Command::PhoneChanged("951305443".into()))
    );
    harness.state_mut().model.customer = CustomerPanel::New {
        e164: "+79513054436".into(),
        phone: "+7 (951) 305-44-36".into(),
    };
    harness.run();
    harness.get_by_label("Создать покупателя по номеру").click();
    harness.run();
    assert_eq!(
        harness.state().commands.last(),
        Some(&Command::CreateCustomer("+79513054436".into()))
    );
}

#[test]
fn english_is_one_click_away() {
    let mut harness = harness(sale_model());
    harness.get_by_label("English").click();
    harness.run();
    assert!(harness.query_by_label("Sellers").is_some());
    assert!(harness.query_by_label("Русский").is_some());
    assert!(
        harness.query_by_label("scanner: connected").is_some(),
        "the status strip switches too"
    );
    assert!(harness.query_by_label("scanner: подключён").is_none());
}

#[test]
fn the_status_strip_offers_to_save_diagnostics() {
    let mut harness = harness(sale_model());
    harness.get_by_label("Сохранить диагностику").click();
    harness.run();
    assert!(
        harness.state().commands.contains(&Command::SaveDiagnostics),
        "{:?}",
        harness.state().commands
    );
}

#[test]
fn the_first_run_offers_the_demo_or_starting_without_it() {
    let mut harness = harness(TillModel {
        demo_offer: true,
        ..TillModel::default()
    });
    harness.get_by_label("Загрузить демо-данные").click();
    harness.run();
    harness
        .get_by_label("Начать без них (списки загрузит ИТ)")
        .click();
    harness.run();
    assert_eq!(
        harness.state().commands,
        [Command::LoadDemo, Command::DismissDemo]
    );
    harness.snapshot("first_run_demo_offer");
}

#[test]
fn snapshot_sale_panel() {
    let mut harness = harness(sale_model());
    harness.run();
    harness.snapshot("sale_panel");
}

#[test]
fn snapshot_sale_panel_in_english() {
    let mut harness = harness(TillModel {
        language: Language::English,
        notice: Some(Bilingual::new(
            "Продавец EMP0007 уже добавлен в этот чек.",
            "Seller EMP0007 is already added to this sale.",
        )),
        ..sale_model()
    });
    harness.run();
    harness.snapshot("sale_panel_english");
}

#[test]
fn snapshot_sale_panel_dark_and_empty() {
    let mut harness = harness(TillModel {
        dark: true,
        ..TillModel::default()
    });
    harness.run();
    harness.snapshot("sale_panel_dark_empty");
}

#[test]
fn snapshot_receipts_for_the_manager() {
    let row = |number: &str, customer: &str, total, sellers: &str, is_return| ReceiptRow {
        guid: format!("00000000-0000-4000-8000-0000000000{}", &number[2..]),
        time: "22.11 11:58".into(),
        number: number.into(),
        customer: customer.into(),
        total: Kopecks(total),
        sellers: sellers.into(),
        is_return,
        sellers_editable: !is_return,
    };
    let mut model = sale_model();
    model.screen = Screen::Receipts;
    model.receipts.rows = vec![
        row(
            "Б-12",
            "+7 (951) 305-44-36",
            57_780,
            "Иванова Анна 192.60, Петров Олег 192.60, Сидорова Елена 192.60",
            false,
        ),
        row(
            "Б-13",
            "—",
            10_000,
            "Иванова Анна 50.00, Петров Олег 50.00",
            false,
        ),
        row(
            "В-14",
            "+7 (951) 305-44-36",
            13_500,
            "Иванова Анна 45.00, Петров Олег 45.00, Сидорова Елена 45.00",
            true,
        ),
    ];
    model.receipts.totals = vec![
        SellerTotalRow {
            name: "Иванова Анна".into(),
            receipts: 3,
            amount: Kopecks(19_760),
            average: Kopecks(6_586),
        },
        SellerTotalRow {
            name: "Петров Олег".into(),
            receipts: 3,
            amount: Kopecks(19_760),
            average: Kopecks(6_586),
        },
    ];
    let mut harness = harness(model);
    harness.run();
    harness.snapshot("receipts");
}

#[test]
fn snapshot_pin() {
    let mut harness = harness(TillModel {
        language: Language::Russian,
        screen: Screen::Pin {
            entered: "24".into(),
        },
        pin_error: Some(Bilingual::new(
            "Неверный PIN (попытка 1 из 5).",
            "Wrong PIN (attempt 1 of 5).",
        )),
        ..TillModel::default()
    });
    harness.run();
    harness.snapshot("pin");
}
