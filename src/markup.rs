//! Escaping for text we put into HTML and XML by hand (mail bodies, SVG
//! cards). Leptos views escape on their own; everything built as a string
//! goes through here, because on-chain text (memos, token names, labels) is
//! written by strangers.
//!
//! Layer: may import `domain` only.

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML and XML text and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters have no business in a page or a mail.
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(escape("bell\u{7}"), "bell\u{FFFD}");
    }
}
