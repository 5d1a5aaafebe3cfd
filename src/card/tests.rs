use super::*;
use crate::domain::sample;

const WALLET: &str = "7YttLkHDoNj9wyDur5pM1ejNaAvT9X4eqaYcHQqtj2G5";

fn decode(png: &[u8]) -> (png::OutputInfo, Vec<u8>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().expect("a PNG header");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a sane size")];
    let info = reader.next_frame(&mut pixels).expect("a PNG frame");
    (info, pixels)
}

#[test]
fn the_card_is_a_1200_by_630_png() {
    let png = render_png(&sample::report(WALLET, 42)).unwrap();
    let (info, _) = decode(&png);
    assert_eq!((info.width, info.height), (1200, 630));
}

#[test]
fn the_card_draws_text_with_the_embedded_font() {
    // With no usable font the text would silently vanish: compare a card
    // with its text against the same card without any.
    let with_text = svg(&sample::report(WALLET, 42));
    let without_text: String =
        with_text.lines().filter(|line| !line.starts_with("<text")).collect::<Vec<_>>().join("\n");
    let (_, a) = decode(&rasterise(&with_text).unwrap());
    let (_, b) = decode(&rasterise(&without_text).unwrap());
    let differing = a.chunks(4).zip(b.chunks(4)).filter(|(x, y)| x != y).count();
    assert!(differing > 20_000, "only {differing} pixels of text drawn");
}

#[test]
fn the_card_shows_score_grade_and_the_shortened_wallet() {
    let source = svg(&sample::report(WALLET, 42));
    assert!(source.contains(">42<"));
    assert!(source.contains("grade D"));
    assert!(source.contains("Wallet 7Ytt…j2G5"));
    assert!(!source.contains(WALLET), "the full address does not fit; it is shortened");
    assert!(source.contains(">1 high<"), "counts of medium and worse only");
}

#[test]
fn report_text_on_the_card_is_escaped_and_still_renders() {
    let published = sample::hostile_report(WALLET);
    let source = svg(&published);
    assert!(!source.contains("<script"), "{source}");
    assert!(!source.contains("<b "), "{source}");
    assert!(source.contains("&lt;script&gt;alert(&quot;pwned&quot;)"), "{source}");
    // Unescaped markup would break the XML: it must still rasterise.
    let (info, _) = decode(&render_png(&published).unwrap());
    assert_eq!(info.width, 1200);
}

#[test]
fn long_titles_are_cut_with_an_ellipsis() {
    assert_eq!(truncate("short", 10), "short");
    assert_eq!(truncate("a sentence that is long", 12), "a sentence…");
    assert_eq!(truncate("ünïcödé ünïcödé", 8), "ünïcödé…");
}
