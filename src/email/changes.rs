//! The report mail's "since the last report" block and its "reached
//! through a name" line, in plain text and in HTML (inline styles, every
//! value escaped): the same facts as the report page's section.

use crate::analysis::time::format_utc;
use crate::brand;
use crate::domain::{Changes, Report, shorten};
use crate::markup::escape;

/// Plain text: empty when the report has no previous one to compare with.
pub fn text(report: &Report) -> String {
    let mut text = String::new();
    if let Some(name) = &report.reached_via {
        text.push_str(&format!("You asked by name: {name} leads to this wallet.\n\n"));
    }
    let Some(changes) = &report.changes else {
        return text;
    };
    text.push_str(&format!(
        "Since the last report ({}):\n  Score: {}\n",
        format_utc(changes.previous_at),
        changes.score_line(report.score)
    ));
    if changes.nothing_changed(report.score) {
        text.push_str("  Nothing changed: the same findings and the same score.\n");
    }
    for finding in &changes.new {
        text.push_str(&format!("  + NEW {:<9} {}\n", finding.severity.label().to_uppercase(), finding.title));
        for signature in &finding.transactions {
            text.push_str(&format!("      from transaction {signature}\n"));
        }
    }
    for finding in &changes.gone {
        text.push_str(&format!(
            "  - GONE {:<8} {}\n",
            finding.severity.label().to_uppercase(),
            finding.title
        ));
    }
    for change in &changes.severity_changed {
        text.push_str(&format!(
            "  ~ {}: {} -> {}\n",
            change.title,
            change.before.label(),
            change.after.label()
        ));
    }
    if let Some(version) = &changes.previous_analyzer {
        text.push_str(&format!(
            "  (The previous report was made by analyser {version}; some differences may come from that.)\n"
        ));
    }
    text.push('\n');
    text
}

/// HTML rows for the mail's main table: empty when there is nothing to say.
pub fn html(report: &Report) -> String {
    let mut html = String::new();
    let muted = brand::MUTED;
    if let Some(name) = &report.reached_via {
        html.push_str(&format!(
            r#"<tr><td style="padding-top:6px;font-size:14px;color:{muted}">Reached through the name <strong>{}</strong></td></tr>"#,
            escape(name)
        ));
    }
    let Some(changes) = &report.changes else {
        return html;
    };
    let mut items = String::new();
    let item =
        |text: String| format!(r#"<li style="margin:4px 0;font-size:15px;line-height:1.4">{text}</li>"#);
    if changes.nothing_changed(report.score) {
        items.push_str(&item("Nothing changed: the same findings and the same score.".into()));
    }
    for finding in &changes.new {
        let causes: Vec<String> = finding
            .transactions
            .iter()
            .map(|s| {
                format!(
                    r#"<span style="font-family:ui-monospace,Menlo,Consolas,monospace" title="{}">{}</span>"#,
                    escape(s),
                    escape(&shorten(s))
                )
            })
            .collect();
        let causes = if causes.is_empty() {
            String::new()
        } else {
            format!(" <span style=\"color:{muted}\">from {}</span>", causes.join(", "))
        };
        items.push_str(&item(format!(
            "<strong>New</strong> ({}): {}{causes}",
            escape(finding.severity.label()),
            escape(&finding.title)
        )));
    }
    for finding in &changes.gone {
        items.push_str(&item(format!(
            "<strong>Gone</strong> ({}): {}",
            escape(finding.severity.label()),
            escape(&finding.title)
        )));
    }
    for change in &changes.severity_changed {
        items.push_str(&item(format!(
            "<strong>{}</strong>: {} &rarr; {}",
            escape(&change.title),
            escape(change.before.label()),
            escape(change.after.label())
        )));
    }
    html.push_str(&format!(
        r#"<tr><td style="padding-top:18px"><p style="margin:0 0 6px;font-size:13px;font-weight:700;letter-spacing:.06em;text-transform:uppercase;color:{muted}">Since the last report ({when})</p><p style="margin:0 0 4px;font-size:15px">Score: <strong>{score}</strong></p><ul style="margin:0;padding-left:18px">{items}</ul></td></tr>"#,
        when = escape(&format_utc(changes.previous_at)),
        score = escape(&changes.score_line(report.score)),
    ));
    html
}

/// Whether `changes` is worth a line in the subject.
pub fn subject_note(report: &Report) -> Option<String> {
    let changes: &Changes = report.changes.as_ref()?;
    let new = changes.new.len();
    Some(if new > 0 {
        format!(", {new} new finding{}", if new == 1 { "" } else { "s" })
    } else if changes.nothing_changed(report.score) {
        ", no change".to_owned()
    } else {
        String::new()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Severity;
    use crate::domain::changes::{NewFinding, ReportSnapshot};
    use crate::domain::sample::{self, HOSTILE};

    #[test]
    fn new_findings_their_transactions_and_the_score_change_are_told_and_escaped() {
        let mut report = sample::report("w", 40).report;
        let mut changes = Changes::between(&ReportSnapshot::of(&report, sample::MADE_AT - 86_400), &report);
        changes.previous_score = 70;
        changes.new.push(NewFinding {
            id: "x.y".into(),
            title: format!("New {HOSTILE}"),
            severity: Severity::High,
            transactions: vec!["5igA".into()],
        });
        report.changes = Some(changes);
        report.reached_via = Some("bonfida.sol".into());
        let text = text(&report);
        assert!(text.contains("You asked by name: bonfida.sol"), "{text}");
        assert!(text.contains("Score: 70 → 40 (−30 points)"), "{text}");
        assert!(text.contains("+ NEW HIGH"), "{text}");
        assert!(text.contains("from transaction 5igA"), "{text}");
        let html = html(&report);
        assert!(html.contains("bonfida.sol") && html.contains("70 → 40"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert_eq!(subject_note(&report).as_deref(), Some(", 1 new finding"));
    }

    #[test]
    fn nothing_changed_is_said_and_a_first_report_says_nothing() {
        let mut report = sample::report("w", 40).report;
        assert_eq!(text(&report), "");
        assert_eq!(html(&report), "");
        report.changes = Some(Changes::between(&ReportSnapshot::of(&report, 1), &report));
        assert!(text(&report).contains("Nothing changed"));
        assert_eq!(subject_note(&report).as_deref(), Some(", no change"));
    }
}
