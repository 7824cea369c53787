//! The one error shape of the bridge: `{"error": {"code", "message", "field"}}`.
//!
//! `code` is for 1C's code to branch on; `message` is Russian, for the
//! cashier or the manager; the English details go to the log, once.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use naparnik_domain::assignment::AssignmentError;
use naparnik_domain::receipt::ReceiptError;
use naparnik_domain::shares::ShareError;
use naparnik_store::StoreError;
use naparnik_store::assignment::AssignmentChangeError;
use naparnik_store::receipts::ReceiptRecordError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// What went wrong, for code and for people.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine code, e.g. `unauthorized`, `invalid_json`, `unknown_seller`, `receipt_conflict`.
    pub code: String,
    /// What happened and what to do, in Russian.
    pub message: String,
    /// The offending field, when there is one (`lines[2].quantity`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An error on its way to becoming a response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<String>,
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    pub(crate) fn with_field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    pub(crate) fn unprocessable(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub(crate) fn internal(detail: String) -> ApiError {
        tracing::error!("bridge: {detail}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Внутренняя ошибка Напарника. Продажа не остановлена; сообщите ИТ-службе (подробности в журнале).",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_client_error() {
            tracing::info!(
                status = self.status.as_u16(),
                code = self.code,
                "bridge refused a request"
            );
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.into(),
                message: self.message,
                field: self.field,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        match error {
            StoreError::DiskFull => {
                tracing::error!("bridge: {error}");
                ApiError::new(
                    StatusCode::INSUFFICIENT_STORAGE,
                    "disk_full",
                    "Диск кассового компьютера заполнен, данные не сохранены. Освободите место и повторите.",
                )
            }
            StoreError::Busy => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "База Напарника занята другим процессом. Повторите через несколько секунд.",
            ),
            other => ApiError::internal(other.to_string()),
        }
    }
}

impl From<AssignmentChangeError> for ApiError {
    fn from(error: AssignmentChangeError) -> ApiError {
        match error {
            AssignmentChangeError::Rule(rule) => {
                let message = rule.ru();
                match rule {
                    AssignmentError::AlreadyAdded(_) => {
                        ApiError::new(StatusCode::CONFLICT, "seller_already_added", message)
                    }
                    AssignmentError::Full => ApiError::unprocessable("too_many_sellers", message),
                    AssignmentError::Inactive(_) => {
                        ApiError::unprocessable("seller_inactive", message)
                    }
                    AssignmentError::NotAdded(_) => ApiError::not_found(message),
                }
            }
            AssignmentChangeError::UnknownSeller(code) => ApiError::unprocessable(
                "unknown_seller",
                format!(
                    "Продавец с кодом {code} не найден. Проверьте бейдж или загрузите список продавцов."
                ),
            ),
            AssignmentChangeError::UnknownCustomer(id) => {
                ApiError::not_found(format!("Покупатель {} не найден.", id.0))
            }
            AssignmentChangeError::Store(store) => store.into(),
        }
    }
}

fn receipt_message(error: &ReceiptError) -> (&'static str, String, Option<String>) {
    match error {
        ReceiptError::NoLines => (
            "no_lines",
            "В чеке нет ни одной строки.".into(),
            Some("lines".into()),
        ),
        ReceiptError::DuplicateLine(line) => (
            "duplicate_line",
            format!("Номер строки {line} встречается дважды."),
            Some("lines".into()),
        ),
        ReceiptError::NonPositiveQuantity { line, quantity } => (
            "invalid_quantity",
            format!("Строка {line}: количество {quantity} должно быть больше нуля."),
            Some(format!("lines[line_no={line}].quantity")),
        ),
        ReceiptError::NegativeAmount {
            line,
            field,
            amount,
        } => (
            "negative_amount",
            format!("Строка {line}: сумма «{field}» отрицательная ({amount})."),
            Some(format!("lines[line_no={line}].{field}")),
        ),
        ReceiptError::LinesDoNotAddUp { lines_sum, total } => (
            "lines_do_not_add_up",
            format!("Сумма строк {lines_sum} не равна итогу чека {total}."),
            Some("total".into()),
        ),
        ReceiptError::PaymentsDoNotAddUp {
            payments_sum,
            total,
        } => (
            "payments_do_not_add_up",
            format!("Сумма оплат {payments_sum} не равна итогу чека {total}."),
            Some("payments".into()),
        ),
        ReceiptError::DuplicateSeller(code) => (
            "duplicate_seller",
            format!("Продавец {code} указан дважды."),
            Some("sellers".into()),
        ),
        ReceiptError::TooManySellers => (
            "too_many_sellers",
            format!(
                "В чеке может быть не больше {} продавцов.",
                naparnik_domain::shares::MAX_SELLERS
            ),
            Some("sellers".into()),
        ),
    }
}

impl From<ReceiptRecordError> for ApiError {
    fn from(error: ReceiptRecordError) -> ApiError {
        match error {
            ReceiptRecordError::OtherTill { store, till, got_store, got_till } => ApiError::new(
                StatusCode::CONFLICT,
                "other_till",
                format!(
                    "Документ относится к магазину «{got_store}», кассе «{got_till}», а этот Напарник обслуживает магазин «{store}», кассу «{till}». Проверьте настройки кассы."
                ),
            ),
            ReceiptRecordError::Conflict(guid) => ApiError::new(
                StatusCode::CONFLICT,
                "receipt_conflict",
                format!("Чек {guid} уже был принят с другим содержимым. Повторная отправка должна быть такой же."),
            ),
            ReceiptRecordError::Invalid(invalid) => {
                let (code, message, field) = receipt_message(&invalid);
                let error = ApiError::unprocessable(code, message);
                match field {
                    Some(field) => error.with_field(field),
                    None => error,
                }
            }
            ReceiptRecordError::UnknownSeller(code) => ApiError::unprocessable(
                "unknown_seller",
                format!("Продавец с кодом {code} не найден. Загрузите список продавцов или исправьте код."),
            )
            .with_field("sellers"),
            ReceiptRecordError::OriginalIsReturn(guid) => ApiError::unprocessable(
                "original_is_return",
                format!("Документ {guid} — возврат; возврат должен ссылаться на чек продажи."),
            )
            .with_field("original_guid"),
            ReceiptRecordError::Shares(ShareError::ReturnExceedsSale { line, sold, returned_before, returning }) => {
                ApiError::unprocessable(
                    "return_exceeds_sale",
                    format!(
                        "Строка {line}: возврат на {returning} больше проданного (продано на {sold}, ранее возвращено на {returned_before})."
                    ),
                )
                .with_field("lines")
            }
            ReceiptRecordError::Shares(ShareError::UnknownLine { line }) => ApiError::unprocessable(
                "unknown_line",
                format!("Строки {line} нет в исходном чеке продажи."),
            )
            .with_field("lines"),
            ReceiptRecordError::Shares(other) => ApiError::unprocessable("invalid_shares", other.to_string()),
            ReceiptRecordError::QuantityExceeds { line, sold, returned_before, returning } => ApiError::unprocessable(
                "return_exceeds_sale",
                format!(
                    "Строка {line}: возвращается {returning}, а продано {sold} (ранее возвращено {returned_before})."
                ),
            )
            .with_field("lines"),
            ReceiptRecordError::NotFound(guid) => ApiError::not_found(format!("Чек {guid} неизвестен Напарнику.")),
            ReceiptRecordError::ReturnSellers(guid) => ApiError::unprocessable(
                "return_sellers",
                format!("Документ {guid} — возврат; его продавцы следуют за чеком продажи. Измените продавцов продажи."),
            ),
            ReceiptRecordError::ShiftConflict(number) => ApiError::new(
                StatusCode::CONFLICT,
                "shift_conflict",
                format!("Смена {number} уже была закрыта с другим составом чеков."),
            ),
            ReceiptRecordError::Store(store) => store.into(),
        }
    }
}
