//! One module per page. Each loads its data through a server function with a
//! fixed endpoint, so the same component renders on the server (data in the
//! first response) and keeps working after hydration.

pub mod home;
pub mod job;
pub mod methodology;
pub mod not_found;
pub mod privacy;
pub mod report;

/// Sets the HTTP status of the page being rendered on the server (a page for
/// something that doesn't exist must answer 404, not 200). No-op in the browser.
pub fn set_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
        && let Ok(code) = axum::http::StatusCode::from_u16(status)
    {
        response.set_status(code);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}
