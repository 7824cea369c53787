//! A JSON body extractor whose errors name the offending field, in the bridge's error shape.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `Json<T>` with errors that say which field is wrong.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "not_json",
                "Ожидается тело запроса в формате JSON (Content-Type: application/json).",
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "too_large",
                        "Запрос слишком большой.",
                    )
                } else {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "unreadable_body",
                        "Не удалось прочитать тело запроса.",
                    )
                }
            })?;
        // serde would also read a struct written as an array (`["+7…"]`); the API takes objects only.
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                "Тело запроса должно быть JSON-объектом { … }.",
            ));
        }
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let field = error.path().to_string();
            let inner = error.into_inner();
            let message = if inner.is_syntax() || inner.is_eof() {
                format!(
                    "Тело запроса — не корректный JSON (строка {}, столбец {}).",
                    inner.line(),
                    inner.column()
                )
            } else if field == "." {
                format!("Неверная структура запроса: {inner}.")
            } else {
                format!("Неверное значение поля «{field}»: {inner}.")
            };
            let error = ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", message);
            if field == "." {
                error
            } else {
                error.with_field(field)
            }
        })?;
        Ok(ApiJson(value))
    }
}
