//! The one message Kimiko sends: "your report is ready". Plain text that
//! reads well on its own, and HTML that looks like the site: its colours
//! (from [`crate::brand`]), its score and grade, its severity pills. Mail
//! clients ignore stylesheets and SVG, so the HTML is tables with inline
//! styles. Every value from the chain or the report is escaped.

use crate::analysis::time::format_utc;
use crate::brand;
use crate::domain::{Finding, Report, Severity, points_label, shorten};
use crate::markup::escape;

pub struct ReportMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// How many findings the mail lists before pointing at the report.
const TOP_FINDINGS: usize = 5;
const FONT: &str = "-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const MONO: &str = "ui-monospace,Menlo,Consolas,monospace";

pub fn report_ready(report: &Report, report_url: &str, expires_at: i64, site_url: &str) -> ReportMail {
    let short = shorten(&report.wallet);
    let subject = format!(
        "Your Kimiko report for {short}: {}/100 ({}){}",
        report.score,
        report.grade.as_str(),
        super::changes::subject_note(report).unwrap_or_default()
    );
    let serious = || report.findings.iter().filter(|f| f.severity > Severity::Info);
    let top: Vec<&Finding> = serious().take(TOP_FINDINGS).collect();
    let parts = Parts {
        report,
        more: serious().count() - top.len(),
        top,
        report_url,
        expires: format_utc(expires_at),
        site_url,
    };
    ReportMail { text: parts.text(), html: parts.html(&subject), subject }
}

/// What both parts of the mail say.
struct Parts<'a> {
    report: &'a Report,
    top: Vec<&'a Finding>,
    /// Findings above info level beyond `top`.
    more: usize,
    report_url: &'a str,
    expires: String,
    site_url: &'a str,
}

impl Parts<'_> {
    fn text(&self) -> String {
        let Parts { report, top, more, report_url, expires, site_url } = self;
        let mut text = format!(
            "Your wallet privacy report is ready.\n\n\
             Wallet: {}\n\
             Score:  {}/100 (grade {})\n\n\
             {}\n\n",
            report.wallet,
            report.score,
            report.grade.as_str(),
            report.summary
        );
        text.push_str(&super::changes::text(report));
        if top.is_empty() {
            text.push_str("Nothing above info level was found.\n\n");
        } else {
            text.push_str("What stands out:\n");
            for finding in top {
                text.push_str(&format!(
                    "  - {:<9} {} ({})\n",
                    finding.severity.label().to_uppercase(),
                    finding.title,
                    points_label(finding.points_or_penalty())
                ));
            }
            if *more > 0 {
                text.push_str(&format!("  … and {more} more in the report.\n"));
            }
            text.push('\n');
        }
        text.push_str(&format!(
            "Read the full report, with the evidence and what to do about each finding:\n\
             {report_url}\n\n\
             {}\n\
             The report stays online until {expires}.\n\n\
             We do not keep your email address: it was erased as soon as this message\n\
             was sent. Someone asked for this report at {site_url}.\n\
             If it wasn't you, ignore this message; no more will follow.\n",
            report.coverage()
        ));
        text
    }

    fn html(&self, subject: &str) -> String {
        let Parts { report, top, more, report_url, expires, site_url } = self;
        let grade_color = brand::grade_color(report.grade);
        let score = u32::from(report.score.min(100));
        let findings_rows: String = top.iter().map(|f| finding_row(f)).collect();
        let findings_block = if top.is_empty() {
            format!(
                r#"<p style="margin:0;font-size:15px;color:{muted}">Nothing above info level was found.</p>"#,
                muted = brand::MUTED
            )
        } else {
            let more_line = if *more > 0 {
                format!(
                    r#"<tr><td colspan="3" style="padding:6px 0 0;font-size:14px;color:{}">… and {more} more in the report.</td></tr>"#,
                    brand::MUTED
                )
            } else {
                String::new()
            };
            format!(
                r#"<p style="margin:0 0 6px;font-size:13px;font-weight:700;letter-spacing:.06em;text-transform:uppercase;color:{muted}">What stands out</p><table role="presentation" cellspacing="0" cellpadding="0" width="100%">{findings_rows}{more_line}</table>"#,
                muted = brand::MUTED
            )
        };
        // A bar for the score: two table cells, as wide as the score and the rest.
        let meter = if score == 0 || score == 100 {
            let color = if score == 0 { brand::BORDER } else { grade_color };
            format!(
                r#"<td style="height:8px;background:{color};border-radius:4px;font-size:0;line-height:0">&nbsp;</td>"#
            )
        } else {
            format!(
                r#"<td width="{score}%" style="height:8px;background:{grade_color};border-radius:4px 0 0 4px;font-size:0;line-height:0">&nbsp;</td><td width="{rest}%" style="height:8px;background:{border};border-radius:0 4px 4px 0;font-size:0;line-height:0">&nbsp;</td>"#,
                rest = 100 - score,
                border = brand::BORDER,
            )
        };
        format!(
            r#"<!DOCTYPE html>
    <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light"><meta name="supported-color-schemes" content="light"><title>{subject}</title></head>
    <body style="margin:0;padding:0;background:{page};font-family:{FONT};color:{text}">
    <div style="display:none;max-height:0;overflow:hidden;opacity:0">Score {score}/100, grade {grade}. {summary}</div>
    <table role="presentation" width="100%" cellspacing="0" cellpadding="0" style="background:{page}"><tr><td align="center" style="padding:24px 12px">
    <table role="presentation" width="100%" cellspacing="0" cellpadding="0" style="max-width:560px">
    <tr><td style="padding:0 4px 12px;font-size:19px;font-weight:800;color:{text}"><span style="color:{accent}">&#9680;</span> Kimiko</td></tr>
    <tr><td style="background:{surface};border:1px solid {border};border-radius:14px;padding:28px">
    <table role="presentation" width="100%" cellspacing="0" cellpadding="0">
    <tr><td style="font-size:12px;font-weight:700;letter-spacing:.08em;text-transform:uppercase;color:{accent}">Privacy report</td></tr>
    <tr><td style="padding-top:6px;font-size:22px;line-height:1.25;font-weight:700">Your wallet privacy report is ready</td></tr>
    <tr><td style="padding-top:6px;font-size:13px;color:{muted};font-family:{MONO};word-break:break-all">{wallet}</td></tr>
    <tr><td style="padding-top:20px"><span style="font-size:52px;line-height:1;font-weight:800;color:{grade_color}">{score}</span><span style="font-size:20px;color:{muted}">&nbsp;/&nbsp;100</span><span style="display:inline-block;margin-left:14px;padding:4px 12px;border-radius:8px;background:{grade_color};color:#ffffff;font-weight:800;font-size:20px;vertical-align:8px">{grade}</span></td></tr>
    <tr><td style="padding-top:12px"><table role="presentation" width="100%" cellspacing="0" cellpadding="0"><tr>{meter}</tr></table></td></tr>
    {reached_and_changes}
    <tr><td style="padding-top:16px;font-size:16px;line-height:1.5">{summary}</td></tr>
    <tr><td style="padding-top:18px">{findings_block}</td></tr>
    <tr><td style="padding-top:24px"><a href="{url}" style="display:inline-block;padding:12px 22px;background:{accent};color:#ffffff;text-decoration:none;border-radius:10px;font-weight:600;font-size:16px">Read the full report</a></td></tr>
    <tr><td style="padding-top:10px;font-size:13px;color:{muted};word-break:break-all">or open <a href="{url}" style="color:{accent}">{url}</a></td></tr>
    </table></td></tr>
    <tr><td style="padding:16px 4px 0;font-size:13px;line-height:1.55;color:{muted}">{coverage} The report stays online until {expires}.<br>We do not keep your email address: it was erased as soon as this message was sent.<br>Someone asked for this report at <a href="{site}" style="color:{muted}">{site}</a>. If it wasn't you, ignore this message; no more will follow.</td></tr>
    </table></td></tr></table></body></html>"#,
            subject = escape(subject),
            page = brand::PAGE,
            surface = brand::SURFACE,
            border = brand::BORDER,
            text = brand::TEXT,
            muted = brand::MUTED,
            accent = brand::ACCENT,
            wallet = escape(&report.wallet),
            grade = report.grade.as_str(),
            summary = escape(&report.summary),
            url = escape(report_url),
            coverage = escape(&report.coverage()),
            expires = escape(expires),
            site = escape(site_url),
            reached_and_changes = super::changes::html(report),
        )
    }
}

fn finding_row(finding: &Finding) -> String {
    let (background, color) = brand::severity_colors(finding.severity);
    format!(
        r#"<tr><td width="84" style="padding:6px 10px 6px 0;vertical-align:top"><span style="display:inline-block;min-width:64px;padding:2px 8px;border-radius:10px;font-size:12px;font-weight:700;text-align:center;background:{background};color:{color}">{label}</span></td><td style="padding:6px 0;font-size:15px;line-height:1.4;color:{text}">{title}</td><td align="right" style="padding:6px 0 6px 10px;font-size:14px;white-space:nowrap;vertical-align:top;color:{muted}">{points}</td></tr>"#,
        label = escape(finding.severity.label()),
        title = escape(&finding.title),
        points = escape(&points_label(finding.points_or_penalty())),
        text = brand::TEXT,
        muted = brand::MUTED,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sample::{self, HOSTILE};

    const WALLET: &str = "7YttLkHDoNj9wyDur5pM1ejNaAvT9X4eqaYcHQqtj2G5";
    const URL: &str = "https://kimiko.example/report/7YttLkHDoNj9wyDur5pM1ejNaAvT9X4eqaYcHQqtj2G5";

    fn mail(published: &crate::domain::PublishedReport) -> ReportMail {
        report_ready(&published.report, URL, published.expires_at, "https://kimiko.example")
    }

    #[test]
    fn the_plain_text_part_reads_on_its_own() {
        let mail = mail(&sample::report(WALLET, 42));
        assert!(mail.text.contains(&format!("Wallet: {WALLET}")));
        assert!(mail.text.contains("Score:  42/100 (grade D)"));
        assert!(
            mail.text.contains("  - HIGH      Direct transfers with an exchange (−29 points)"),
            "{}",
            mail.text
        );
        assert!(
            mail.text.contains("  - LOW       Memos attached to transactions (−29 points)"),
            "{}",
            mail.text
        );
        assert!(mail.text.contains(URL));
        assert!(mail.text.contains("Analysed 27 of 27 transactions between 2026-09-01 and 2026-09-30."));
        assert!(!mail.text.contains('<'), "no markup in the text part:\n{}", mail.text);
        assert!(mail.text.lines().all(|l| l.chars().count() <= 110 || l.contains("http")), "{}", mail.text);
    }

    #[test]
    fn the_html_part_carries_the_score_the_findings_and_the_link() {
        let mail = mail(&sample::report(WALLET, 42));
        assert!(mail.html.contains(">42</span>"));
        assert!(mail.html.contains(&format!("background:{}", brand::grade_color(crate::domain::Grade::D))));
        assert!(mail.html.contains(">Direct transfers with an exchange</td>"));
        assert!(mail.html.contains(">−29 points</td>"), "what each finding cost");
        assert!(mail.html.contains(&format!(r#"href="{URL}""#)));
        assert!(mail.html.contains(r#"width="42%""#), "the score bar");
    }

    #[test]
    fn report_text_in_the_mail_is_escaped() {
        let mail = mail(&sample::hostile_report(WALLET));
        assert!(!mail.html.contains("<script"), "{}", mail.html);
        assert!(!mail.html.contains("<b "), "{}", mail.html);
        assert!(mail.html.contains("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;"));
        assert!(mail.html.contains("&#39;x()&#39;"));
        // Plain text is not HTML: the same text appears as it is, harmlessly.
        assert!(mail.text.contains(HOSTILE));
    }

    #[test]
    fn a_report_without_serious_findings_says_so() {
        let mut published = sample::report(WALLET, 97);
        published.report.findings.clear();
        let mail = mail(&published);
        assert!(mail.text.contains("Nothing above info level was found."));
        assert!(mail.html.contains("Nothing above info level was found."));
    }
}
