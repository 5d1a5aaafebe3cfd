//! The share card behind `/report/{wallet}/card.png`: a 1200×630 PNG with
//! the score, the grade, the shortened wallet and the top findings, drawn
//! as SVG and rasterised with resvg. The font is embedded in the binary, so
//! the card looks the same on every machine and needs no system fonts.
//!
//! Layer: may import `domain`, `brand` and `markup` only.

use std::sync::{Arc, LazyLock};

use anyhow::Context as _;
use resvg::{tiny_skia, usvg};

use crate::brand;
use crate::domain::{PublishedReport, Severity, shorten};
use crate::markup::escape;

pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 630;

/// The family name inside the embedded font files.
const FONT_FAMILY: &str = "DejaVu Sans";
static FONT_REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static FONT_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Parsed once; shared by every render.
static FONTS: LazyLock<Arc<usvg::fontdb::Database>> = LazyLock::new(|| {
    let mut db = usvg::fontdb::Database::new();
    for font in [FONT_REGULAR, FONT_BOLD] {
        db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(font)));
    }
    db.set_sans_serif_family(FONT_FAMILY);
    Arc::new(db)
});

/// The card's colours: always dark, so it stands out in a light chat.
const BACKGROUND: [&str; 2] = ["#1b1d27", "#12131a"];
const TRACK: &str = "#2a2c38";
const TEXT: &str = "#eceef6";
const MUTED: &str = "#a3a6ba";

/// Longest finding title on the card before it is cut with "…".
const TITLE_CHARS: usize = 34;
/// How many findings the card lists.
const TOP_FINDINGS: usize = 2;

/// The card as SVG source. Every text from the report is escaped: finding
/// titles and labels may carry on-chain text written by strangers.
pub fn svg(published: &PublishedReport) -> String {
    let report = &published.report;
    let grade_color = brand::grade_color_on_dark(report.grade);
    // The site's gauge: a 180° arc, here of radius 200 around (300, 380).
    let arc = std::f64::consts::PI * 200.0;
    let filled = arc * f64::from(report.score.min(100)) / 100.0;
    // A zero score draws no arc at all (a zero-length dash has no outline to stroke).
    let value_arc = if filled > 0.0 {
        format!(
            r#"<path d="M 100 380 A 200 200 0 0 1 500 380" fill="none" stroke="{grade_color}" stroke-width="40" stroke-linecap="round" stroke-dasharray="{filled:.1} {arc:.1}"/>"#
        )
    } else {
        String::new()
    };
    let counts = severity_counts(published);
    let top: String = report
        .findings
        .iter()
        .filter(|f| f.severity > Severity::Info)
        .take(TOP_FINDINGS)
        .enumerate()
        .map(|(i, f)| {
            format!(
                r#"<text x="600" y="{y}" font-size="30" fill="{MUTED}">• {title}</text>"#,
                y = 450 + 48 * i,
                title = escape(&truncate(&f.title, TITLE_CHARS)),
            )
        })
        .collect();
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{FONT_FAMILY}">
<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="{bg0}"/><stop offset="1" stop-color="{bg1}"/></linearGradient></defs>
<rect width="{WIDTH}" height="{HEIGHT}" fill="url(#bg)"/>
<rect width="{WIDTH}" height="12" fill="{accent}"/>
<path d="M 100 380 A 200 200 0 0 1 500 380" fill="none" stroke="{TRACK}" stroke-width="40" stroke-linecap="round"/>
{value_arc}
<text x="300" y="362" font-size="150" font-weight="bold" fill="{TEXT}" text-anchor="middle">{score}</text>
<text x="300" y="420" font-size="34" fill="{MUTED}" text-anchor="middle">/ 100</text>
<rect x="236" y="456" width="128" height="96" rx="18" fill="{grade_color}"/>
<text x="300" y="528" font-size="70" font-weight="bold" fill="{bg1}" text-anchor="middle">{grade}</text>
<text x="600" y="118" font-size="28" font-weight="bold" fill="{accent}" letter-spacing="5">KIMIKO</text>
<text x="600" y="190" font-size="56" font-weight="bold" fill="{TEXT}">Privacy report</text>
<text x="600" y="252" font-size="40" fill="{MUTED}">Wallet {wallet}</text>
<text x="600" y="330" font-size="36" font-weight="bold" fill="{grade_color}">Score {score}/100 · grade {grade}</text>
<text x="600" y="386" font-size="30" fill="{TEXT}">{counts}</text>
{top}
<text x="600" y="586" font-size="24" fill="{MUTED}">How exposed is your Solana wallet?</text>
</svg>"##,
        bg0 = BACKGROUND[0],
        bg1 = BACKGROUND[1],
        accent = brand::ACCENT_ON_DARK,
        score = report.score,
        grade = report.grade.as_str(),
        wallet = escape(&shorten(&report.wallet)),
        counts = escape(&counts),
    )
}

/// The card as PNG bytes.
pub fn render_png(published: &PublishedReport) -> anyhow::Result<Vec<u8>> {
    rasterise(&svg(published))
}

/// SVG source to a `WIDTH`×`HEIGHT` PNG, with the embedded fonts only.
pub fn rasterise(svg: &str) -> anyhow::Result<Vec<u8>> {
    let options = usvg::Options {
        fontdb: Arc::clone(&FONTS),
        font_family: FONT_FAMILY.to_owned(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).context("The card's SVG does not parse")?;
    let mut pixmap = tiny_skia::Pixmap::new(WIDTH, HEIGHT).context("Failed to allocate the card")?;
    resvg::render(&tree, tiny_skia::Transform::identity(), &mut pixmap.as_mut());
    pixmap.encode_png().context("Failed to encode the card as PNG")
}

/// "2 critical · 1 high · 3 medium", or a line for a report without any:
/// the severities that matter, in a line that always fits the card.
fn severity_counts(published: &PublishedReport) -> String {
    let parts: Vec<String> = Severity::ALL
        .iter()
        .filter(|&&s| s >= Severity::Medium)
        .filter_map(|&s| {
            let n = published.report.findings_with(s).count();
            (n > 0).then(|| format!("{n} {}", s.as_str()))
        })
        .collect();
    if parts.is_empty() { "Nothing serious found".to_owned() } else { parts.join(" · ") }
}

/// At most `max` characters, the last one "…" when cut.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests;
