//! The loopback HTTP bridge that 1C:Розница calls.
//!
//! 1C reads the till's current assignment (customer and sellers) when it
//! closes a receipt, posts every closed receipt, return and shift close, and
//! reads or replaces a receipt's sellers. JSON in and out; money as decimal
//! text (`"577.80"`); every error has one shape, a machine `code` and a
//! Russian `message` for the cashier. The OpenAPI document is generated from
//! these handlers and types ([`openapi`]), so it cannot drift from them.
//!
//! The library exposes [`router`] and [`serve`]; binding to loopback only and
//! finding the token is the caller's job.

mod error;
mod extract;
mod handlers;
mod state;

use std::future::Future;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::OpenApi;

pub use error::{ErrorBody, ErrorDetail};
pub use state::{Bridge, BridgeConfig};

/// The default port of the bridge on 127.0.0.1.
pub const DEFAULT_PORT: u16 = 47_815;
/// The default limit of a request body: a 1000-line receipt fits many times over.
pub const DEFAULT_BODY_LIMIT_BYTES: usize = 2 << 20;
/// The default limit for handling one request.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The router with every resource, and the OpenAPI document describing exactly those routes.
pub fn router(bridge: std::sync::Arc<Bridge>) -> (Router, OpenApi) {
    let limit = bridge.config().body_limit_bytes;
    let timeout = bridge.config().request_timeout;
    let (router, mut openapi) = handlers::routes(bridge).split_for_parts();
    handlers::state_cross_field_rules(&mut openapi);
    let document = openapi.clone();
    let router = router
        .route(
            "/openapi.json",
            axum::routing::get(move || std::future::ready(axum::Json(document))),
        )
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(request_span));
    (router, openapi)
}

/// The span of a request: method and path only. The query can hold a customer's phone, which stays out of logs.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    tracing::debug_span!("request", method = %request.method(), path = %request.uri().path())
}

/// The OpenAPI document alone, e.g. to write the committed copy.
pub fn openapi() -> OpenApi {
    let mut openapi = handlers::routes_for_document().split_for_parts().1;
    handlers::state_cross_field_rules(&mut openapi);
    openapi
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
