//! The one message Kimiko sends: "your report is ready". Plain text that
//! reads well on its own, and HTML that looks like the site. Every value
//! from the chain or the report is escaped.

use crate::analysis::time::format_utc;
use crate::domain::{Report, Severity, shorten};
use crate::markup::escape;

pub struct ReportMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// How many findings the mail lists before pointing at the report.
const TOP_FINDINGS: usize = 5;

pub fn report_ready(report: &Report, report_url: &str, expires_at: i64, site_url: &str) -> ReportMail {
    let short = shorten(&report.wallet);
    let subject = format!("Your Kimiko report for {short}: {}/100 ({})", report.score, report.grade.as_str());
    let top: Vec<_> =
        report.findings.iter().filter(|f| f.severity > Severity::Info).take(TOP_FINDINGS).collect();
    let expires = format_utc(expires_at);

    let mut text = format!(
        "Your wallet privacy report is ready.\n\nWallet: {}\nScore:  {}/100 (grade {})\n\n{}\n\n",
        report.wallet,
        report.score,
        report.grade.as_str(),
        report.summary
    );
    if top.is_empty() {
        text.push_str("No findings above info level.\n\n");
    } else {
        text.push_str("Top findings:\n");
        for finding in &top {
            text.push_str(&format!("  - [{}] {}\n", finding.severity.label().to_uppercase(), finding.title));
        }
        text.push('\n');
    }
    text.push_str(&format!(
        "Read the full report, with evidence and what to do about each finding:\n{report_url}\n\n\
         The report stays online until {expires}.\n\n\
         We do not keep your email address: it was erased as soon as this message was sent.\n\
         Someone asked for this report at {site_url}. If it wasn't you, ignore this message; no more will follow.\n"
    ));

    let findings_html: String = top
        .iter()
        .map(|f| {
            format!(
                r#"<tr><td style="padding:6px 10px 6px 0;vertical-align:top"><span style="display:inline-block;min-width:64px;padding:2px 8px;border-radius:10px;font-size:12px;font-weight:600;text-align:center;{}">{}</span></td><td style="padding:6px 0;font-size:15px;color:#1b1d2a">{}</td></tr>"#,
                severity_style(f.severity),
                escape(f.severity.label()),
                escape(&f.title)
            )
        })
        .collect();
    let html = format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{subject_html}</title></head>
<body style="margin:0;padding:0;background:#f4f4f8;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1b1d2a">
<table role="presentation" width="100%" cellspacing="0" cellpadding="0" style="background:#f4f4f8;padding:24px 12px"><tr><td align="center">
<table role="presentation" width="100%" cellspacing="0" cellpadding="0" style="max-width:560px;background:#ffffff;border-radius:14px;padding:28px">
<tr><td style="font-size:14px;font-weight:700;letter-spacing:.08em;text-transform:uppercase;color:#6b4de6">Kimiko</td></tr>
<tr><td style="padding-top:8px;font-size:22px;font-weight:700">Your wallet privacy report is ready</td></tr>
<tr><td style="padding-top:6px;font-size:14px;color:#5a5d70;font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all">{wallet}</td></tr>
<tr><td style="padding-top:20px"><span style="font-size:48px;font-weight:800;color:{score_color}">{score}</span><span style="font-size:20px;color:#5a5d70">/100</span><span style="margin-left:14px;padding:4px 12px;border-radius:8px;background:{score_color};color:#fff;font-weight:700;font-size:18px">{grade}</span></td></tr>
<tr><td style="padding-top:12px;font-size:15px;line-height:1.5">{summary}</td></tr>
<tr><td style="padding-top:16px"><table role="presentation" cellspacing="0" cellpadding="0">{findings_html}</table></td></tr>
<tr><td style="padding-top:22px"><a href="{url}" style="display:inline-block;padding:12px 22px;background:#6b4de6;color:#ffffff;text-decoration:none;border-radius:10px;font-weight:600">Read the full report</a></td></tr>
<tr><td style="padding-top:18px;font-size:13px;line-height:1.5;color:#5a5d70">The report stays online until {expires}. We do not keep your email address: it was erased as soon as this message was sent.<br>Someone asked for this report at {site}. If it wasn't you, ignore this message; no more will follow.</td></tr>
</table></td></tr></table></body></html>"#,
        subject_html = escape(&subject),
        wallet = escape(&report.wallet),
        score_color = score_color(report.score),
        score = report.score,
        grade = report.grade.as_str(),
        summary = escape(&report.summary),
        url = escape(report_url),
        expires = escape(&expires),
        site = escape(site_url),
    );
    ReportMail { subject, text, html }
}

/// The gauge colours of the site: red to green.
pub fn score_color(score: u8) -> &'static str {
    match score {
        90.. => "#1f8a4c",
        75..=89 => "#4d8f1f",
        60..=74 => "#b07d00",
        40..=59 => "#c2571a",
        _ => "#c0282d",
    }
}

fn severity_style(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "background:#c0282d;color:#fff",
        Severity::High => "background:#e0642a;color:#fff",
        Severity::Medium => "background:#f2c14e;color:#3a2c00",
        Severity::Low => "background:#dfe6f5;color:#23304d",
        Severity::Info => "background:#eceef3;color:#3b3f52",
    }
}
