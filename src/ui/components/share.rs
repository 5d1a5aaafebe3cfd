//! Share a report: copy its link, or post it. Every control is a plain link
//! first — with JavaScript off, "Copy link" is the report's own address
//! (long-press or right-click copies it) and the share targets are their
//! sites' share pages; with JavaScript on, "Copy link" copies in place.

use leptos::prelude::*;

/// What the copy button last did (only the browser build changes it).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Copied {
    Not,
    Yes,
    Failed,
}

/// Percent-encodes everything but RFC 3986's unreserved characters, for
/// query values in share links (the browser build has no `url` crate).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Where each share link goes, for a report at `url` described by `text`.
pub fn share_targets(url: &str, text: &str) -> [(&'static str, String); 4] {
    let (u, t) = (encode(url), encode(text));
    [
        ("X", format!("https://x.com/intent/tweet?text={t}&url={u}")),
        ("Telegram", format!("https://t.me/share/url?url={u}&text={t}")),
        ("WhatsApp", format!("https://wa.me/?text={t}%20{u}")),
        ("Email", format!("mailto:?subject={t}&body={t}%0A%0A{u}")),
    ]
}

#[component]
pub fn ShareLinks(url: String, text: String) -> impl IntoView {
    let copied = RwSignal::new(Copied::Not);
    let to_copy = url.clone();
    let copy = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsValue;
            let clipboard = leptos::prelude::window().navigator().clipboard();
            // Outside a secure context there is no clipboard: leave the
            // link to do what it does without JavaScript.
            if JsValue::from(clipboard.clone()).is_undefined() {
                return;
            }
            ev.prevent_default();
            let promise = clipboard.write_text(&to_copy);
            leptos::task::spawn_local(async move {
                let done = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
                copied.set(if done { Copied::Yes } else { Copied::Failed });
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, &to_copy);
    };
    let targets = share_targets(&url, &text)
        .into_iter()
        .map(|(name, href)| {
            let external = !href.starts_with("mailto:");
            view! {
                <a
                    class="button share-target"
                    href=href
                    target=external.then_some("_blank")
                    rel="noopener noreferrer nofollow"
                >
                    {name}
                    {external.then(|| view! { <span class="visually-hidden">" (opens a new tab)"</span> })}
                </a>
            }
        })
        .collect_view();
    view! {
        <section class="card share" aria-labelledby="share-title">
            <h2 id="share-title">"Share this report"</h2>
            <p class="muted">"The link previews with the score and grade in chats. It never says who asked for the report."</p>
            <div class="share-row">
                <a class="button primary" href=url.clone() on:click=copy>
                    {move || if copied.get() == Copied::Yes { "Link copied" } else { "Copy link" }}
                </a>
                {targets}
            </div>
            <p class="share-status small" role="status">
                {move || match copied.get() {
                    Copied::Yes => "The link is on your clipboard.",
                    Copied::Failed => "Couldn't reach the clipboard; copy the link below instead.",
                    Copied::Not => "",
                }}
            </p>
            <label class="share-url-label small muted" for="share-url">"Link to this report"</label>
            <input id="share-url" class="share-url mono" type="text" readonly value=url/>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_links_carry_the_url_and_text_percent_encoded() {
        assert_eq!(encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
        let [x, .., email] = share_targets("https://k.example/report/abc", "Score 42/100 & more");
        assert_eq!(
            x.1,
            "https://x.com/intent/tweet?text=Score%2042%2F100%20%26%20more&url=https%3A%2F%2Fk.example%2Freport%2Fabc"
        );
        assert!(email.1.starts_with("mailto:?subject=Score%2042"));
    }
}
