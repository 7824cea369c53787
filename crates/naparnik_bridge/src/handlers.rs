//! The resources, their payloads and their OpenAPI description, side by side.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, Utc};
use naparnik_domain::money::Percent;
use naparnik_domain::receipt::Payment;
use naparnik_domain::shift::Shift;
use naparnik_domain::{
    Assignment, Attribution, Customer, Kopecks, Phone, PhoneQuery, Receipt, ReceiptGuid,
    ReceiptKind, ReceiptLine, SellerCode, ShiftReport,
};
use naparnik_store::customers::DEFAULT_MATCH_LIMIT;
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::{Bridge, PIN_ATTEMPTS, PIN_LOCKOUT};

type Shared = State<Arc<Bridge>>;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Naparnik bridge",
        description = "The loopback API that the 1C:Розница extension calls: the till's current customer and sellers, closed receipts and returns with their seller split, seller corrections, shift close. Money and quantities are decimal text (\"577.80\", \"1.000\"). Every error is {\"error\": {\"code\", \"message\", \"field\"}} with a Russian message. Each schema states the rules a request is checked against (patterns, bounds, required fields); the rules that depend on stored data or on several fields at once (lines adding up to the total, sellers that exist, a return within its sale) are in the descriptions. Fields this document does not name are ignored, so an older Naparnik takes the requests of a newer extension. A request body may not exceed 2 MiB (413)."
    ),
    modifiers(&BearerToken),
    components(schemas(ErrorBody))
)]
struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

fn protected() -> OpenApiRouter<Arc<Bridge>> {
    OpenApiRouter::new()
        .routes(routes!(get_assignment, clear_assignment))
        .routes(routes!(set_customer, remove_customer))
        .routes(routes!(set_total))
        .routes(routes!(add_seller))
        .routes(routes!(remove_seller))
        .routes(routes!(find_customers, create_customer))
        .routes(routes!(post_receipt))
        .routes(routes!(get_receipt_sellers, replace_receipt_sellers))
        .routes(routes!(close_shift))
}

/// The rules that involve two fields at once, which the derived schemas cannot state: a return
/// names its sale, and a seller is given by badge or by code; and the search's required query. JSON Schema keywords that utoipa's
/// model lacks (`oneOf` beside `properties`, `const`) travel in its flattened extension map.
pub(crate) fn state_cross_field_rules(openapi: &mut utoipa::openapi::OpenApi) {
    use serde_json::json;
    let blank =
        json!({"anyOf": [{"type": "null"}, {"type": "string", "pattern": "^[ \\t\\r\\n]*$"}]});
    let given = json!({"type": "string", "pattern": "\\S"});
    add_keywords(
        openapi,
        "ReceiptRequest",
        json!({"oneOf": [
            {"title": "sale", "properties": {"kind": {"const": "sale"}}},
            {"title": "return", "required": ["original_guid"], "properties": {
                "kind": {"const": "return"},
                "original_guid": {"$ref": "#/components/schemas/ReceiptGuid"}}}
        ]}),
    );
    // utoipa drops `required` from a parameter whose schema comes from `schema_with`.
    let search = openapi
        .paths
        .paths
        .get_mut("/api/v1/customers")
        .and_then(|item| item.get.as_mut())
        .and_then(|operation| operation.parameters.as_mut());
    for parameter in search.into_iter().flatten() {
        if parameter.name == "query" {
            parameter.required = utoipa::openapi::Required::True;
        }
    }
    add_keywords(
        openapi,
        "SellerRequest",
        json!({"oneOf": [
            {"title": "by badge", "required": ["badge"], "properties": {"badge": given, "code": blank}},
            {"title": "by code", "required": ["code"], "properties": {"code": given, "badge": blank}}
        ]}),
    );
}

fn add_keywords(openapi: &mut utoipa::openapi::OpenApi, schema: &str, keywords: serde_json::Value) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::Schema;
    let Some(RefOr::T(Schema::Object(object))) = openapi
        .components
        .as_mut()
        .and_then(|components| components.schemas.get_mut(schema))
    else {
        return;
    };
    let serde_json::Value::Object(keywords) = keywords else {
        return;
    };
    object
        .extensions
        .get_or_insert_with(Default::default)
        .extend(keywords);
}

/// Every route with its state and layers.
pub(crate) fn routes(bridge: Arc<Bridge>) -> OpenApiRouter {
    let protected = protected().route_layer(axum::middleware::from_fn_with_state(
        bridge.clone(),
        require_token,
    ));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health))
        .merge(protected)
        .with_state(bridge)
}

/// The routes without a store, for writing the document.
pub(crate) fn routes_for_document() -> OpenApiRouter<Arc<Bridge>> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health))
        .merge(protected())
}

fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

async fn require_token(State(bridge): Shared, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !same_secret(given.as_bytes(), bridge.config().token.as_bytes()) {
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Нет доступа: неверный или отсутствующий токен. Сверьте токен в настройках расширения с `naparnik doctor`.",
        )
        .into_response();
    }
    bridge.saw_request();
    next.run(request).await
}

/// The state of this Naparnik.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` when the database cannot be read.
    pub status: String,
    /// Naparnik version.
    pub version: String,
    /// The database answers.
    pub database_ok: bool,
    /// Events recorded for the back office and not yet confirmed delivered.
    pub sync_backlog: Option<u64>,
    /// Input devices and their state, when the window reads them (`serve` alone reads none).
    pub devices: Vec<String>,
    /// When 1C last called with a valid token.
    pub last_request_from_1c: Option<DateTime<Utc>>,
}

/// Health and status; no token needed.
#[utoipa::path(get, path = "/health", tag = "status", responses((status = 200, body = Health)))]
async fn health(State(bridge): Shared) -> Json<Health> {
    let backlog = bridge
        .with_store(|store| Ok(store.outbox_len().ok()))
        .await
        .ok()
        .flatten();
    Json(Health {
        status: if backlog.is_some() { "ok" } else { "degraded" }.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        database_ok: backlog.is_some(),
        sync_backlog: backlog,
        devices: bridge.devices(),
        last_request_from_1c: bridge.last_request_utc(),
    })
}

/// A customer as 1C needs them.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CustomerView {
    /// E.164 phone; also the discount card code when the customer has no loyalty card.
    pub phone: Phone,
    /// `+7 (951) 305-44-36`.
    pub phone_display: String,
    /// Full name, when known.
    pub name: Option<String>,
    /// Personal discount, percent.
    pub discount_percent: Percent,
    /// Loyalty card code.
    pub card: Option<String>,
    /// CRM id.
    pub crm_id: Option<String>,
    /// 1C reference, when known.
    pub onec_ref: Option<String>,
    /// Bonus balance, when a CRM provides it.
    pub bonus: Option<Kopecks>,
}

impl From<&Customer> for CustomerView {
    fn from(customer: &Customer) -> CustomerView {
        CustomerView {
            phone: customer.phone.clone(),
            phone_display: customer.phone.display(),
            name: customer.name.clone(),
            discount_percent: customer.discount.percent(),
            card: customer.card.clone(),
            crm_id: customer.crm_id.clone(),
            onec_ref: customer.onec_ref.clone(),
            bonus: customer.bonus_kopecks.map(Kopecks),
        }
    }
}

/// A seller as 1C needs them.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SellerView {
    /// Personnel code.
    pub code: SellerCode,
    /// Name.
    pub name: String,
    /// 1C reference (`ФизическиеЛица`), when known.
    pub onec_ref: Option<String>,
    /// Their share of the running total, once 1C reported one.
    pub amount: Option<Kopecks>,
}

/// What the next receipt will carry.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AssignmentView {
    /// The customer, if chosen.
    pub customer: Option<CustomerView>,
    /// Sellers in the order they were added (that order decides who gets leftover kopecks).
    pub sellers: Vec<SellerView>,
    /// Each seller's share, `1/3`; absent without sellers.
    pub share: Option<String>,
    /// The running total of the receipt, as 1C last reported it.
    pub receipt_total: Option<Kopecks>,
}

impl AssignmentView {
    fn new(assignment: &Assignment, total: Option<Kopecks>) -> AssignmentView {
        let count = assignment.sellers.len();
        let amounts =
            total.and_then(|total| naparnik_domain::shares::split_amount(total, count).ok());
        AssignmentView {
            customer: assignment.customer.as_ref().map(CustomerView::from),
            sellers: assignment
                .sellers
                .iter()
                .enumerate()
                .map(|(i, s)| SellerView {
                    code: s.code.clone(),
                    name: s.name.clone(),
                    onec_ref: s.onec_ref.clone(),
                    amount: amounts.as_ref().map(|a| a[i]),
                })
                .collect(),
            share: (count > 0).then(|| format!("1/{count}")),
            receipt_total: total,
        }
    }
}

/// The assignment with its running total, read in one go.
fn view(
    store: &naparnik_store::Store,
    assignment: &Assignment,
) -> Result<AssignmentView, ApiError> {
    Ok(AssignmentView::new(assignment, store.assignment_total()?))
}

fn parse_phone(text: &str, field: &str) -> Result<Phone, ApiError> {
    Phone::parse(text).map_err(|error| {
        ApiError::unprocessable(
            "invalid_phone",
            format!("Номер телефона «{text}» не распознан: {}.", error.ru()),
        )
        .with_field(field)
    })
}

/// The till's current assignment.
#[utoipa::path(get, path = "/api/v1/assignment", tag = "assignment", security(("bearer" = [])),
    responses((status = 200, body = AssignmentView), (status = 401, body = ErrorBody)))]
async fn get_assignment(State(bridge): Shared) -> Result<Json<AssignmentView>, ApiError> {
    let assignment = bridge
        .with_store(|store| view(store, &store.assignment()?))
        .await?;
    Ok(Json(assignment))
}

/// Clears the customer and the sellers.
#[utoipa::path(delete, path = "/api/v1/assignment", tag = "assignment", security(("bearer" = [])),
    responses((status = 200, body = AssignmentView), (status = 401, body = ErrorBody)))]
async fn clear_assignment(State(bridge): Shared) -> Result<Json<AssignmentView>, ApiError> {
    let assignment = bridge
        .with_store(|store| {
            store.clear_assignment()?;
            view(store, &store.assignment()?)
        })
        .await?;
    Ok(Json(assignment))
}

/// A phone as the cashier typed it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PhoneRequest {
    /// `8 (951) 305-44-36`, `+79513054436`, …
    #[schema(schema_with = typed_phone)]
    pub phone: String,
}

const PHONE_RULE: &str = "Format `phone`: a phone as the cashier typed it, in any spelling of a number valid in the numbering plan: `8 (951) 305-44-36`, `+7 951 305-44-36`, `9513054436`, `+79513054436`, a landline, a foreign number written with + and its country code. Naparnik keeps it in E.164 (`+79513054436`). A text that is not such a number is refused with 422 `invalid_phone` and the reason in Russian; the pattern states only what every such number has, a digit.";

/// A phone: what JSON Schema can state of it is that it holds a digit; the rest is the numbering
/// plan, named by the format and described for the 1C programmer.
fn phone_text(description: &str, pattern: &str) -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{SchemaFormat, Type};
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::Custom("phone".into())))
        .pattern(Some(pattern))
        .examples(["8 (951) 305-44-36", "+79513054436"])
        .description(Some(format!("{description} {PHONE_RULE}")))
        .build()
}

fn typed_phone() -> utoipa::openapi::Object {
    phone_text("The customer's phone.", "[0-9]")
}

fn optional_typed_phone() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{SchemaType, Type};
    let mut schema = phone_text(
        "The customer 1C attached, by phone; null, absent or blank when there is none.",
        "^[ \\t\\r\\n]*$|[0-9]",
    );
    schema.schema_type = SchemaType::Array(vec![Type::String, Type::Null]);
    schema
}

fn phone_query() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{SchemaFormat, Type};
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::Custom("phone-query".into())))
        .pattern(Some("[0-9][^0-9]*[0-9][^0-9]*[0-9][^0-9]*[0-9]"))
        .examples(["4436", "8 951 305-44-36"])
        .description(Some(format!(
            "Format `phone-query`: the last 4 to 9 digits of a phone (spaces, dashes and brackets between them are ignored), or a whole phone. {PHONE_RULE}"
        )))
        .build()
}

/// Seller codes in order: each once, at most [`naparnik_domain::shares::MAX_SELLERS`].
fn seller_codes(description: &str) -> utoipa::openapi::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(utoipa::openapi::Ref::from_schema_name("SellerCode"))
        .unique_items(true)
        .max_items(Some(naparnik_domain::shares::MAX_SELLERS))
        .description(Some(description))
        .build()
}

fn receipt_sellers() -> utoipa::openapi::Array {
    seller_codes(
        "The sellers 1C attached, by code, in order; each once, at most 20. Every code must be a seller Naparnik knows (422 `unknown_seller`). A return of a sale this till received follows that sale's sellers and ignores these; a return of a sale made elsewhere is split among them.",
    )
}

fn edited_sellers() -> utoipa::openapi::Array {
    seller_codes(
        "The new sellers, by code, in order; each once, at most 20; empty removes them all. Every code must be a seller Naparnik knows (422 `unknown_seller`).",
    )
}

fn receipt_total() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    Kopecks::non_negative_schema()
}

fn optional_total() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::schema::OneOfBuilder::new()
        .item(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::Null),
        )
        .item(Kopecks::non_negative_schema())
        .description(Some(
            "The total so far, zero or more; `null` forgets it. A negative total is refused (422 `negative_total`).",
        ))
        .into()
}

/// Sets the customer by phone, creating them from the phone alone when new.
#[utoipa::path(put, path = "/api/v1/assignment/customer", tag = "assignment", security(("bearer" = [])),
    request_body = PhoneRequest,
    responses((status = 415, body = ErrorBody, description = "not JSON"), (status = 200, body = AssignmentView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_customer(
    State(bridge): Shared,
    ApiJson(request): ApiJson<PhoneRequest>,
) -> Result<Json<AssignmentView>, ApiError> {
    let phone = parse_phone(&request.phone, "phone")?;
    let assignment = bridge
        .with_store(move |store| {
            let (customer, _) = store.find_or_create_customer(&phone)?;
            let assignment = store.assign_customer(Some(customer.id))?;
            view(store, &assignment)
        })
        .await?;
    Ok(Json(assignment))
}

/// Removes the customer from the assignment.
#[utoipa::path(delete, path = "/api/v1/assignment/customer", tag = "assignment", security(("bearer" = [])),
    responses((status = 200, body = AssignmentView), (status = 401, body = ErrorBody)))]
async fn remove_customer(State(bridge): Shared) -> Result<Json<AssignmentView>, ApiError> {
    let assignment = bridge
        .with_store(|store| {
            let assignment = store.assign_customer(None)?;
            view(store, &assignment)
        })
        .await?;
    Ok(Json(assignment))
}

/// The running total of the receipt being rung up.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TotalRequest {
    /// The total so far; `null` forgets it.
    #[schema(schema_with = optional_total)]
    pub total: Option<Kopecks>,
}

/// 1C reports the running total of the receipt, so the till shows each seller's share in rubles.
#[utoipa::path(put, path = "/api/v1/assignment/total", tag = "assignment", security(("bearer" = [])),
    request_body = TotalRequest,
    responses((status = 200, body = AssignmentView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody, description = "not JSON"), (status = 422, body = ErrorBody)))]
async fn set_total(
    State(bridge): Shared,
    ApiJson(request): ApiJson<TotalRequest>,
) -> Result<Json<AssignmentView>, ApiError> {
    if request.total.is_some_and(|t| t.is_negative()) {
        return Err(ApiError::unprocessable(
            "negative_total",
            "Итог чека не может быть отрицательным.",
        )
        .with_field("total"));
    }
    let assignment = bridge
        .with_store(move |store| {
            store.set_assignment_total(request.total)?;
            view(store, &store.assignment()?)
        })
        .await?;
    Ok(Json(assignment))
}

/// A seller by badge barcode or by code: exactly one of them is given (not empty); the other is
/// absent, null or empty. Both or neither: 400 `badge_or_code`. A badge no seller has: 422
/// `unknown_badge`; a code Naparnik does not know: 422 `unknown_seller`; an inactive seller: 422
/// `seller_inactive`; more than 20 sellers: 422 `too_many_sellers`; a seller already added: 409.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SellerRequest {
    /// The barcode on the badge.
    pub badge: Option<String>,
    /// The personnel code.
    pub code: Option<String>,
}

/// Adds a seller at the end of the list.
#[utoipa::path(post, path = "/api/v1/assignment/sellers", tag = "assignment", security(("bearer" = [])),
    request_body = SellerRequest,
    responses((status = 415, body = ErrorBody, description = "not JSON"), (status = 200, body = AssignmentView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "already added"), (status = 422, body = ErrorBody)))]
async fn add_seller(
    State(bridge): Shared,
    ApiJson(request): ApiJson<SellerRequest>,
) -> Result<Json<AssignmentView>, ApiError> {
    let assignment = bridge
        .with_store(move |store| {
            let badge = request
                .badge
                .as_deref()
                .map(str::trim)
                .filter(|badge| !badge.is_empty());
            let code = match (badge, request.code.as_deref().and_then(SellerCode::parse)) {
                (Some(badge), None) => match store.seller_by_badge(badge)? {
                    Some(seller) => seller.code,
                    None => {
                        return Err(ApiError::unprocessable(
                            "unknown_badge",
                            format!("Бейдж «{badge}» не принадлежит ни одному продавцу."),
                        )
                        .with_field("badge"));
                    }
                },
                (None, Some(code)) => code,
                _ => {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "badge_or_code",
                        "Укажите либо штрихкод бейджа (badge), либо код продавца (code).",
                    ));
                }
            };
            let assignment = store.assign_seller(&code)?;
            view(store, &assignment)
        })
        .await?;
    Ok(Json(assignment))
}

/// Removes a seller from the list.
#[utoipa::path(delete, path = "/api/v1/assignment/sellers/{code}", tag = "assignment", security(("bearer" = [])),
    params(("code" = String, Path, description = "Seller code")),
    responses((status = 200, body = AssignmentView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn remove_seller(
    State(bridge): Shared,
    Path(code): Path<String>,
) -> Result<Json<AssignmentView>, ApiError> {
    let code =
        SellerCode::parse(&code).ok_or_else(|| ApiError::not_found("Пустой код продавца."))?;
    let assignment = bridge
        .with_store(move |store| {
            let assignment = store.unassign_seller(&code)?;
            view(store, &assignment)
        })
        .await?;
    Ok(Json(assignment))
}

/// A customer search.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerQuery {
    /// A phone in any format, or its last 4+ digits.
    #[param(schema_with = phone_query, required = true)]
    pub query: String,
}

/// Finds customers by phone or by the last 4+ digits.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", security(("bearer" = [])), params(CustomerQuery),
    responses((status = 200, body = Vec<CustomerView>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn find_customers(
    State(bridge): Shared,
    query: Result<Query<CustomerQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<CustomerView>>, ApiError> {
    let Query(query) = query.map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "Укажите параметр query: телефон или 4+ последние цифры.",
        )
        .with_field("query")
    })?;
    let parsed = PhoneQuery::parse(&query.query).map_err(|error| {
        ApiError::unprocessable(
            "invalid_phone",
            format!(
                "«{}» — не телефон и не 4+ последние цифры: {}.",
                query.query,
                error.ru()
            ),
        )
        .with_field("query")
    })?;
    let customers = bridge
        .with_store(move |store| Ok(store.find_customers(&parsed, DEFAULT_MATCH_LIMIT)?))
        .await?;
    Ok(Json(customers.iter().map(CustomerView::from).collect()))
}

/// A customer and whether it was just created.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CustomerCreated {
    /// The customer.
    pub customer: CustomerView,
    /// True when created by this request.
    pub created: bool,
}

/// Finds the customer with this phone or creates one from the phone alone.
#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", security(("bearer" = [])), request_body = PhoneRequest,
    responses((status = 415, body = ErrorBody, description = "not JSON"), (status = 201, body = CustomerCreated), (status = 200, body = CustomerCreated), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_customer(
    State(bridge): Shared,
    ApiJson(request): ApiJson<PhoneRequest>,
) -> Result<(StatusCode, Json<CustomerCreated>), ApiError> {
    let phone = parse_phone(&request.phone, "phone")?;
    let (customer, created) = bridge
        .with_store(move |store| Ok(store.find_or_create_customer(&phone)?))
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(CustomerCreated {
            customer: CustomerView::from(&customer),
            created,
        }),
    ))
}

/// Sale or return.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptKindName {
    /// A sale (`ЧекККМ` of operation «Продажа»).
    Sale,
    /// A return (`ЧекККМ` of operation «Возврат»); needs `original_guid`, the GUID of its sale.
    Return,
}

/// A receipt closed in 1C:Розница.
///
/// Besides what the schema states, Naparnik checks (422, nothing is recorded):
/// the `amount`s of the lines add up to `total` (`lines_do_not_add_up`); the payments, when any
/// are given, add up to `total` (`payments_do_not_add_up`); no `line_no` appears twice
/// (`duplicate_line`); every seller code is a seller Naparnik knows (`unknown_seller`).
/// For a return of a sale this till received: the sale is not itself a return
/// (`original_is_return`), each `line_no` is a line of the sale (`unknown_line`) and no line gives
/// back more than was sold, counting earlier returns (`return_exceeds_sale`).
/// A receipt of another store or till is refused with 409 `other_till`; a GUID sent again with
/// other content with 409 `receipt_conflict`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReceiptRequest {
    /// The receipt's 1C GUID (`Ссылка.УникальныйИдентификатор()`).
    pub guid: ReceiptGuid,
    /// The printed number.
    pub number: String,
    /// Sale or return.
    pub kind: ReceiptKindName,
    /// For a return: the sale's GUID (required). A sale's is ignored.
    #[serde(default)]
    pub original_guid: Option<ReceiptGuid>,
    /// Date and time with the store's offset, `2026-11-22T11:58:41+03:00`.
    #[schema(value_type = String, format = DateTime)]
    pub closed_at: DateTime<FixedOffset>,
    /// Store code, as in Naparnik's `[till] store`; another store's receipt is refused (409).
    pub store: String,
    /// Till code, as in Naparnik's `[till] till`; another till's receipt is refused (409).
    pub till: String,
    /// Cashier.
    pub cashier: String,
    /// The customer 1C attached, by phone.
    #[serde(default)]
    #[schema(schema_with = optional_typed_phone)]
    pub customer_phone: Option<String>,
    /// The sellers 1C attached, by code, in order.
    #[serde(default)]
    #[schema(schema_with = receipt_sellers)]
    pub sellers: Vec<SellerCode>,
    /// Goods lines, at least one; for a return, `line_no` is the sale's line number. Their
    /// `amount`s add up to `total`.
    #[schema(min_items = 1)]
    pub lines: Vec<ReceiptLine>,
    /// Payments; when any are given, their amounts add up to `total`.
    #[serde(default)]
    pub payments: Vec<Payment>,
    /// Total after discounts, zero or more: the sum of the lines' `amount`s.
    #[schema(schema_with = receipt_total)]
    pub total: Kopecks,
}

impl ReceiptRequest {
    fn into_receipt(self) -> Result<Receipt, ApiError> {
        let kind = match (self.kind, self.original_guid) {
            (ReceiptKindName::Sale, _) => ReceiptKind::Sale,
            (ReceiptKindName::Return, Some(original)) => ReceiptKind::Return { original },
            (ReceiptKindName::Return, None) => {
                return Err(ApiError::unprocessable(
                    "original_required",
                    "Для возврата укажите GUID чека продажи.",
                )
                .with_field("original_guid"));
            }
        };
        let customer_phone = match self.customer_phone.as_deref().map(str::trim) {
            Some(text) if !text.is_empty() => Some(parse_phone(text, "customer_phone")?),
            _ => None,
        };
        Ok(Receipt {
            guid: self.guid,
            number: self.number,
            kind,
            closed_at: self.closed_at,
            store: self.store,
            till: self.till,
            cashier: self.cashier,
            customer_phone,
            sellers: self.sellers,
            lines: self.lines,
            payments: self.payments,
            total: self.total,
        })
    }
}

/// The seller split of an accepted receipt, for 1C to store.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReceiptAccepted {
    /// True when this GUID was accepted before with the same content.
    pub repeat: bool,
    /// Seller amounts per receipt and per line.
    pub attribution: Attribution,
}

/// Accepts a closed receipt or return; idempotent by GUID.
#[utoipa::path(post, path = "/api/v1/receipts", tag = "receipts", security(("bearer" = [])), request_body = ReceiptRequest,
    responses((status = 415, body = ErrorBody, description = "not JSON"), (status = 201, body = ReceiptAccepted, description = "accepted now"), (status = 200, body = ReceiptAccepted, description = "a repeat of an accepted receipt"),
        (status = 400, body = ErrorBody, description = "not JSON of this schema; `field` names the offending field"), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "another store's or till's receipt (`other_till`), or a GUID sent again with other content (`receipt_conflict`)"),
        (status = 413, body = ErrorBody, description = "a body over 2 MiB"),
        (status = 422, body = ErrorBody, description = "a rule of the receipt's description: lines or payments that do not add up to the total, a line number twice, an unknown seller, a return that does not fit its sale; `code` says which")))]
async fn post_receipt(
    State(bridge): Shared,
    ApiJson(request): ApiJson<ReceiptRequest>,
) -> Result<(StatusCode, Json<ReceiptAccepted>), ApiError> {
    let receipt = request.into_receipt()?;
    let till = bridge.config().till.clone();
    let recorded = bridge
        .with_store(move |store| Ok(store.record_receipt(&receipt, &till)?))
        .await?;
    let (status, repeat) = match recorded {
        naparnik_store::receipts::Recorded::New(_) => (StatusCode::CREATED, false),
        naparnik_store::receipts::Recorded::Repeat(_) => (StatusCode::OK, true),
    };
    Ok((
        status,
        Json(ReceiptAccepted {
            repeat,
            attribution: recorded.attribution().clone(),
        }),
    ))
}

fn parse_guid(text: &str) -> Result<ReceiptGuid, ApiError> {
    ReceiptGuid::parse(text).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_guid",
            format!("«{text}» — не GUID чека."),
        )
        .with_field("guid")
    })
}

/// A receipt's sellers and their amounts.
#[utoipa::path(get, path = "/api/v1/receipts/{guid}/sellers", tag = "receipts", security(("bearer" = [])),
    params(("guid" = String, Path, format = Uuid, description = "The receipt's 1C GUID")),
    responses((status = 200, body = Attribution), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_receipt_sellers(
    State(bridge): Shared,
    Path(guid): Path<String>,
) -> Result<Json<Attribution>, ApiError> {
    let guid = parse_guid(&guid)?;
    let attribution = bridge
        .with_store(move |store| Ok(store.attribution(guid)?))
        .await?;
    attribution
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("Чек {guid} неизвестен Напарнику.")))
}

/// A manager's replacement of a sale's sellers.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SellersEdit {
    /// The new sellers, by code, in order; empty removes them all.
    #[schema(schema_with = edited_sellers)]
    pub sellers: Vec<SellerCode>,
    /// Who edits (the manager's name as 1C knows it), not blank; goes to the audit log.
    #[schema(pattern = r"\S")]
    pub manager: String,
    /// The manager PIN, 4 digits or more (`[bridge] manager_pin`). A wrong PIN is refused with 403
    /// `wrong_pin`; after 5 wrong ones edits are locked for 5 minutes (429 `pin_locked`); without a
    /// PIN in Naparnik's settings edits are off (403 `pin_not_configured`).
    #[schema(pattern = "^[0-9]{4,}$")]
    pub pin: String,
}

fn check_pin(bridge: &Bridge, pin: &str) -> Result<(), ApiError> {
    let Some(expected) = bridge.config().manager_pin.as_deref() else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "pin_not_configured",
            "Исправление продавцов выключено: PIN управляющего не задан в настройках Напарника.",
        ));
    };
    let mut guard = bridge.pin_guard();
    let now = std::time::Instant::now();
    if let Some(until) = guard.locked_until {
        if until > now {
            let minutes = (until - now).as_secs().div_ceil(60);
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "pin_locked",
                format!(
                    "Слишком много неверных PIN. Исправление продавцов заблокировано ещё на {minutes} мин."
                ),
            ));
        }
        guard.locked_until = None;
    }
    if same_secret(pin.as_bytes(), expected.as_bytes()) {
        guard.failures = 0;
        return Ok(());
    }
    guard.failures += 1;
    tracing::warn!(failures = guard.failures, "wrong manager PIN");
    if guard.failures >= PIN_ATTEMPTS {
        guard.failures = 0;
        guard.locked_until = Some(now + PIN_LOCKOUT);
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "wrong_pin",
        "Неверный PIN управляющего.",
    )
    .with_field("pin"))
}

/// Replaces a sale's sellers (manager PIN required); re-divides the sale and its returns; audited and queued upstream. A return has its own sellers only when its sale was rung up at another till; otherwise it follows its sale (422 `return_sellers`).
#[utoipa::path(put, path = "/api/v1/receipts/{guid}/sellers", tag = "receipts", security(("bearer" = [])),
    params(("guid" = String, Path, format = Uuid, description = "The sale's 1C GUID")), request_body = SellersEdit,
    responses((status = 415, body = ErrorBody, description = "not JSON"), (status = 200, body = Attribution), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "wrong or unset PIN"), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody, description = "locked after wrong PINs")))]
async fn replace_receipt_sellers(
    State(bridge): Shared,
    Path(guid): Path<String>,
    ApiJson(edit): ApiJson<SellersEdit>,
) -> Result<Json<Attribution>, ApiError> {
    let guid = parse_guid(&guid)?;
    check_pin(&bridge, &edit.pin)?;
    let manager = edit.manager.trim().to_owned();
    if manager.is_empty() {
        return Err(ApiError::unprocessable(
            "manager_required",
            "Укажите, кто исправляет продавцов.",
        )
        .with_field("manager"));
    }
    let attribution = bridge
        .with_store(move |store| {
            Ok(store.replace_receipt_sellers(guid, &edit.sellers, &manager)?)
        })
        .await?;
    Ok(Json(attribution))
}

/// Records a shift 1C closed and answers its breakdown; idempotent by shift number.
#[utoipa::path(post, path = "/api/v1/shifts", tag = "shifts", security(("bearer" = [])), request_body = Shift,
    responses((status = 415, body = ErrorBody, description = "not JSON"), (status = 201, body = ShiftReport, description = "closed now"), (status = 200, body = ShiftReport, description = "a repeat"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "another store's or till's shift (`other_till`), or a shift number sent again with other receipts (`shift_conflict`)"),
        (status = 422, body = ErrorBody, description = "closed before it opened (`invalid_period`)")))]
async fn close_shift(
    State(bridge): Shared,
    ApiJson(shift): ApiJson<Shift>,
) -> Result<(StatusCode, Json<ShiftReport>), ApiError> {
    if shift.closed_at < shift.opened_at {
        return Err(ApiError::unprocessable(
            "invalid_period",
            "Смена закрыта раньше, чем открыта.",
        )
        .with_field("closed_at"));
    }
    let till = bridge.config().till.clone();
    let (report, repeat) = bridge
        .with_store(move |store| Ok(store.close_shift(&shift, &till)?))
        .await?;
    let status = if repeat {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(report)))
}
