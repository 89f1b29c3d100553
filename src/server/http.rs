//! The HTTP application: Leptos pages and server functions, `/healthz`, and the protections
//! every request passes through (body limit, cross-site check, security headers).

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::set_header::SetResponseHeaderLayer;

use super::assets;
use super::state::{forwarded_proto, origin_of, AppState};
use crate::app::{shell, App};
use crate::auth::session::session_id_from_headers;

/// Largest request body accepted anywhere (a 10,000-item API batch fits).
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// Gives a server function's error its own status when Leptos answered 500 for it: an
/// argument that cannot be read ("missing field", "invalid digit") is refused before the
/// function runs, so [`super::respond`] never sees it, and Leptos answers every error 500.
/// A bad request is the caller's mistake (400), not the server's; a real failure stays 500.
async fn server_fn_status(req: Request<Body>, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // (an error may quote the input, which is at most BODY_LIMIT)
    let Ok(bytes) = axum::body::to_bytes(body, 2 * BODY_LIMIT).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(e) = serde_json::from_slice::<crate::error::AppError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(e.status_code()) {
            parts.status = status;
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The context of every Leptos route (pages and server functions).
fn page_context() {
    leptos::nonce::provide_nonce();
    crate::server::page_reads::provide();
}

pub fn app(state: AppState) -> Router {
    let routes = generate_route_list(App);
    Router::new()
        .route("/healthz", get(healthz))
        .leptos_routes_with_context(&state, routes, page_context, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        // Pages and server functions: a hard limit on any body, streamed or not. The API
        // (added after, so not wrapped) answers oversize bodies in its own JSON shape.
        .layer(tower_http::limit::RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(middleware::from_fn(server_fn_status))
        .route("/events", get(crate::live::session_events))
        .route("/tv/{token}/events", get(crate::live::display_events))
        .nest("/api/v1", crate::api::router())
        .nest_service("/pkg", pkg_files(&state, "no-cache"))
        .nest_service(
            &format!("{}/pkg", assets::root(&state.leptos_options)),
            pkg_files(&state, assets::IMMUTABLE),
        )
        .route("/sw.js", get(service_worker))
        .merge(crate::transfer::export_router())
        .merge(crate::progress::csv::router())
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(page_context, shell))
        .layer(middleware::from_fn(no_store_when_signed_in))
        // Pages, JSON and uncompressed files are compressed on the fly (never the live event
        // streams, which the default predicate leaves alone); a fast level keeps it cheap.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::compression::CompressionLevel::Precise(4)),
        )
        .layer(middleware::from_fn_with_state(
            state.clone(),
            reject_cross_site,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .with_state(state)
}

/// How long data sent to a client may wait unacknowledged before the connection is
/// dropped. A live stream (TV, phone) whose client stopped reading would otherwise hold its
/// connection and its send buffer for ever; dropped, a real browser reconnects by itself.
pub const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Socket options of every accepted connection (`axum::serve(listener.tap_io(..))`): no
/// Nagle delay for small live messages; TCP keepalive, so that a vanished peer (a TV
/// unplugged, a phone out of range) is noticed within about a minute; and [`SEND_TIMEOUT`]
/// (`TCP_USER_TIMEOUT`, which also bounds a peer that keeps its window shut).
pub fn tune_connection(stream: &mut tokio::net::TcpStream) {
    let _ = stream.set_nodelay(true);
    let socket = socket2::SockRef::from(&*stream);
    let keepalive = socket2::TcpKeepalive::new()
        .with_time(std::time::Duration::from_secs(30))
        .with_interval(std::time::Duration::from_secs(10))
        .with_retries(3);
    if let Err(e) = socket
        .set_tcp_keepalive(&keepalive)
        .and_then(|()| socket.set_tcp_user_timeout(Some(SEND_TIMEOUT)))
    {
        tracing::debug!(error = %e, "socket options not set");
    }
}

/// The built script, WebAssembly and styles. A release build (`scripts/build.sh`) leaves
/// brotli and gzip copies beside each file, sent to browsers that accept them; otherwise the
/// compression layer compresses on the fly. Under `/v/<version>/pkg` (what pages load, see
/// [`assets`]) browsers keep them for a year without asking again; under `/pkg` they ask
/// (`If-Modified-Since`) each time.
fn pkg_files(state: &AppState, cache_control: &'static str) -> axum::routing::MethodRouter {
    let files = tower_http::services::ServeDir::new(assets::pkg_dir(&state.leptos_options))
        .precompressed_br()
        .precompressed_gzip();
    axum::routing::get_service(
        tower::ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache_control),
            ))
            .service(files),
    )
}

/// `/sw.js`: the service worker, told where this release's bundle is.
async fn service_worker(State(state): State<AppState>) -> Response {
    match assets::service_worker(&state.leptos_options) {
        Some(script) => (
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            script,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn healthz(State(state): State<AppState>) -> Response {
    let writable = state.db.writable().await;
    let db_ok = writable.is_ok();
    let writes = writable.unwrap_or(false);
    let body = serde_json::json!({
        "status": if db_ok && writes { "ok" } else { "degraded" },
        "version": env!("CARGO_PKG_VERSION"),
        "database": { "engine": state.db.engine(), "ok": db_ok, "writable": writes },
    });
    let status = if db_ok && writes {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// The Content-Security-Policy of a rendered page: scripts only from this origin or with
/// this response's nonce (the hydration loader), WebAssembly allowed, nothing framed.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Refuses state-changing requests sent by another site: the browser says where a request
/// comes from in `Sec-Fetch-Site` (modern browsers) or `Origin`. Requests without either
/// header (scripts, curl) carry no ambient cookies from a browser and pass.
async fn reject_cross_site(
    State(state): State<AppState>,
    req: Request<Body>,
    next: Next,
) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && is_cross_site(req.headers(), state.public_origin.as_deref()) {
        return (StatusCode::FORBIDDEN, "Cross-site request refused.").into_response();
    }
    next.run(req).await
}

/// An `Origin` must be the configured public origin, or without one the origin this very
/// request was sent to: its `Host`, over `http` unless a proxy says `X-Forwarded-Proto: https`.
/// Scheme, host and port all count; `null` and anything unreadable are cross-site.
pub fn is_cross_site(headers: &HeaderMap, public_origin: Option<&str>) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let Some(origin) = origin.to_str().ok().and_then(origin_of) else {
        return true;
    };
    let expected = match public_origin {
        Some(public) => Some(public.to_string()),
        None => headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .and_then(|host| {
                origin_of(&format!(
                    "{}://{host}",
                    forwarded_proto(headers).unwrap_or("http")
                ))
            }),
    };
    expected.as_deref() != Some(origin.as_str())
}

/// Replies about a signed-in person (pages and server-function answers to a request with
/// a session cookie) and replies that set a cookie are not stored by any cache. Static
/// files (script, WebAssembly, styles, images) stay cacheable.
async fn no_store_when_signed_in(req: Request<Body>, next: Next) -> Response {
    let signed_in = session_id_from_headers(req.headers()).is_some();
    let mut res = next.run(req).await;
    let headers = res.headers();
    let personal = signed_in
        && headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|t| {
                ["text/html", "application/json", "text/plain"]
                    .iter()
                    .any(|p| t.starts_with(p))
            });
    if (personal || headers.contains_key(header::SET_COOKIE))
        && !headers.contains_key(header::CACHE_CONTROL)
    {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn origin_must_match_the_request_scheme_and_host() {
        let own = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
        ]);
        assert!(!is_cross_site(&own, None));
        for origin in [
            "https://127.0.0.1:3000",
            "http://127.0.0.1:3001",
            "http://127.0.0.1",
            "http://evil.example",
            "null",
            "127.0.0.1:3000",
        ] {
            let h = headers(&[("host", "127.0.0.1:3000"), ("origin", origin)]);
            assert!(is_cross_site(&h, None), "{origin}");
        }
        // Behind a TLS proxy that says so.
        let proxied = headers(&[
            ("host", "sales.example"),
            ("origin", "https://sales.example"),
            ("x-forwarded-proto", "https"),
        ]);
        assert!(!is_cross_site(&proxied, None));
        // No Origin and no Sec-Fetch-Site: not a browser's cross-site form.
        assert!(!is_cross_site(&headers(&[("host", "a")]), None));
        assert!(is_cross_site(
            &headers(&[("sec-fetch-site", "cross-site")]),
            None
        ));
    }

    #[test]
    fn a_configured_public_origin_is_the_only_one() {
        let public = origin_of("https://Sales.Example:443/").unwrap();
        assert_eq!(public, "https://sales.example");
        let ok = headers(&[
            ("host", "10.0.0.5:3000"),
            ("origin", "https://sales.example"),
        ]);
        assert!(!is_cross_site(&ok, Some(&public)));
        // The request's own host no longer passes (DNS rebinding, a second name).
        for (host, origin) in [
            ("evil.example", "https://evil.example"),
            ("sales.example", "http://sales.example"),
            ("sales.example", "https://sales.example:8443"),
        ] {
            let h = headers(&[("host", host), ("origin", origin)]);
            assert!(is_cross_site(&h, Some(&public)), "{origin}");
        }
        assert_eq!(origin_of("ftp://x"), None);
        assert_eq!(origin_of("https://user@x"), None);
        assert_eq!(origin_of("http://x:80"), Some("http://x".into()));
    }
}
