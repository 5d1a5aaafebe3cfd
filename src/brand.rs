//! The colours the site's stylesheet uses, for what is drawn outside it:
//! the mail (inline styles) and the share card (SVG). `style/main.css`
//! holds the same values as CSS variables; keep the two in step.
//!
//! Layer: may import `domain` only.

use crate::domain::{Grade, Severity};

/// Accent on a light background (`--accent`).
pub const ACCENT: &str = "#5b3fd6";
/// Accent on a dark background (`--accent` in dark mode).
pub const ACCENT_ON_DARK: &str = "#9d86ff";
pub const TEXT: &str = "#1b1d2a";
pub const MUTED: &str = "#5a5d70";
pub const PAGE: &str = "#f4f4f8";
pub const SURFACE: &str = "#ffffff";
pub const SURFACE_2: &str = "#f0f0f6";
pub const BORDER: &str = "#dcdde8";

/// A grade's colour on a light background (`--grade-*`).
pub fn grade_color(grade: Grade) -> &'static str {
    match grade {
        Grade::A => "#1f8a4c",
        Grade::B => "#4d8f1f",
        Grade::C => "#a67400",
        Grade::D => "#c2571a",
        Grade::F => "#c0282d",
    }
}

/// A grade's colour on a dark background (`--grade-*` in dark mode).
pub fn grade_color_on_dark(grade: Grade) -> &'static str {
    match grade {
        Grade::A => "#4fcf7f",
        Grade::B => "#9ccf4f",
        Grade::C => "#f2c14e",
        Grade::D => "#ff9e64",
        Grade::F => "#ff7b72",
    }
}

/// A severity pill's background and text colours (`.sev-*`).
pub fn severity_colors(severity: Severity) -> (&'static str, &'static str) {
    match severity {
        Severity::Critical => ("#b3261e", "#ffffff"),
        Severity::High => ("#c4501b", "#ffffff"),
        Severity::Medium => ("#f7e3a8", "#6b4b00"),
        Severity::Low => ("#dfe6f5", "#2b4a8a"),
        Severity::Info => ("#eceef3", "#5a5d70"),
    }
}
