//! The CRM over HTTP: each sales file is POSTed; the customers file is fetched
//! with `If-None-Match` / `If-Modified-Since`, so an unchanged list costs one 304.

use chrono::{DateTime, FixedOffset};
use naparnik_crm_xml::sales::write_sales;
use reqwest::header::{CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};

use crate::sales::sales_file;
use crate::{BatchEvent, DeliveryError, REQUEST_TIMEOUT, Refused};

/// Where the CRM's endpoints are and who this till is.
#[derive(Debug, Clone)]
pub struct CrmHttp {
    client: reqwest::Client,
    /// POST target for sales files.
    pub sales_url: String,
    /// GET source of the customers file.
    pub customers_url: Option<String>,
    /// `Authorization` header value, if the CRM wants one.
    authorization: Option<String>,
    /// Store code.
    pub store: String,
    /// Till code.
    pub till: String,
}

/// A customers file fetched, with the validators for the next request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedFile {
    /// The file's bytes.
    pub body: Vec<u8>,
    /// `ETag` to send back.
    pub etag: Option<String>,
    /// `Last-Modified` to send back.
    pub last_modified: Option<String>,
}

impl CrmHttp {
    /// The same client with another limit for one request (the default is 30 s).
    pub fn with_timeout(mut self, timeout: std::time::Duration) -> Result<CrmHttp, DeliveryError> {
        self.client = crate::http_client(timeout)?;
        Ok(self)
    }

    /// A client for these endpoints; `authorization` is a full header value (`Bearer …`, `Basic …`).
    pub fn new(
        sales_url: String,
        customers_url: Option<String>,
        authorization: Option<String>,
        store: String,
        till: String,
    ) -> Result<CrmHttp, DeliveryError> {
        let client = crate::http_client(REQUEST_TIMEOUT)?;
        Ok(CrmHttp {
            client,
            sales_url,
            customers_url,
            authorization,
            store,
            till,
        })
    }

    fn with_auth(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.authorization {
            Some(value) => request.header(reqwest::header::AUTHORIZATION, value),
            None => request,
        }
    }

    /// POSTs the batch's sales file; the batch id goes as `Idempotency-Key`.
    pub async fn deliver(
        &self,
        batch_id: &str,
        events: &[BatchEvent<'_>],
        generated: DateTime<FixedOffset>,
    ) -> Result<Refused, DeliveryError> {
        let (file, refused) = sales_file(events, batch_id, &self.store, &self.till, generated);
        let Some((header, sales)) = file else {
            return Ok(refused);
        };
        let mut body = Vec::new();
        write_sales(&mut body, &header, &sales)
            .map_err(|e| DeliveryError::Permanent(format!("cannot write the sales file: {e}")))?;
        let request = self
            .client
            .post(&self.sales_url)
            .header(CONTENT_TYPE, "application/xml; charset=utf-8")
            .header("Idempotency-Key", batch_id)
            .body(body);
        let response = self
            .with_auth(request)
            .send()
            .await
            .map_err(|e| DeliveryError::from_transport(&e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(refused);
        }
        let text = response.text().await.unwrap_or_default();
        Err(DeliveryError::from_status(status, &text))
    }

    /// Fetches the customers file unless it is unchanged since the validators given (`None` then).
    pub async fn fetch_customers(
        &self,
        etag: Option<&str>,
        last_modified: Option<&str>,
    ) -> Result<Option<FetchedFile>, DeliveryError> {
        let Some(url) = &self.customers_url else {
            return Ok(None);
        };
        let mut request = self.client.get(url);
        if let Some(etag) = etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(last_modified) = last_modified {
            request = request.header(IF_MODIFIED_SINCE, last_modified);
        }
        let response = self
            .with_auth(request)
            .send()
            .await
            .map_err(|e| DeliveryError::from_transport(&e))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            return Err(DeliveryError::from_status(status, &text));
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let (etag, last_modified) = (header(ETAG), header(LAST_MODIFIED));
        let body = response
            .bytes()
            .await
            .map_err(|e| DeliveryError::from_transport(&e))?
            .to_vec();
        Ok(Some(FetchedFile {
            body,
            etag,
            last_modified,
        }))
    }
}
