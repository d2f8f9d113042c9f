//! Text that came from outside the provider (a server's error message, an error page, a
//! template's label) made safe to show in a terminal or a CI log.
//!
//! Such text may carry a secret the server echoed (a request body, the request's headers),
//! terminal escape sequences (colours that survive `-no-color`, an OSC sequence retitling the
//! window, a carriage return overwriting the line), or megabytes. [`server_text`] deals with
//! all three; [`printable`] is the part that also applies to the provider's own messages.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{LazyLock, RwLock};

/// What a secret is replaced with, wherever it was hidden: in a log line, a diagnostic, or the
/// Connect client's `Debug` of a [`Secret`](crate::connect::Secret).
pub const MASK: &str = "(sensitive)";

/// Secrets shorter than this are not searched for in log lines: a two-letter "secret" would
/// mask every word containing it. Such values are still masked by field name in bodies.
const MIN_SCRUBBED_LEN: usize = 4;

/// The secrets seen by this process.
#[derive(Default)]
struct Secrets {
    /// Every form of every secret, longest first (so a secret containing another is masked
    /// whole).
    forms: Vec<String>,
    /// The values registered, for the cheap "already known" check every RPC makes.
    known: HashSet<String>,
}

static SECRETS: LazyLock<RwLock<Secrets>> = LazyLock::new(RwLock::default);

/// Registers a secret value: from now on it is masked wherever it appears in a log line or a
/// diagnostic, as it is and in the forms it takes when a server echoes it (JSON-escaped,
/// URL-encoded, HTML-escaped).
/// The Connect client's [`SecretHook`](crate::connect::SecretHook) (the API key, each secret it
/// sends) and every sensitive value Terraform sends come here.
pub fn register_secret(value: &str) {
    let value = value.trim();
    if value.len() < MIN_SCRUBBED_LEN {
        return;
    }
    // Most calls bring a value already known (the same state at every RPC): a read lock only.
    if SECRETS.read().unwrap_or_else(|e| e.into_inner()).known.contains(value) {
        return;
    }
    let mut secrets = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    if !secrets.known.insert(value.to_owned()) {
        return;
    }
    for form in forms(value) {
        if !secrets.forms.contains(&form) {
            let at = secrets.forms.partition_point(|s| s.len() >= form.len());
            secrets.forms.insert(at, form);
        }
    }
}

/// A secret as it is, and as text that carries it escaped: inside a JSON string (an error
/// echoing a request body; `"` and newlines escaped, and with `/` and non-ASCII escaped too, as
/// some encoders do), inside a JSON string twice (a JSON error whose message quotes the JSON
/// request body, as the raw response body a trace log line shows it), URL-encoded (a form body
/// or a query, `%20` or `+` for a space) and HTML-escaped (an error page).
fn forms(value: &str) -> Vec<String> {
    let in_json_string = |s: &str| {
        let quoted = serde_json::to_string(s).unwrap_or_default();
        quoted[1..quoted.len() - 1].to_owned()
    };
    let json = in_json_string(value);
    let json_twice = in_json_string(&json);
    let ascii_json: String = json
        .chars()
        .map(|c| match c {
            '/' => "\\/".to_owned(),
            c if c.is_ascii() => c.to_string(),
            c => c.encode_utf16(&mut [0; 2]).iter().map(|u| format!("\\u{u:04x}")).collect(),
        })
        .collect();
    let form: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    let percent = form.replace('+', "%20");
    let html = value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;");
    let mut out = vec![value.to_owned()];
    for f in [json, json_twice, ascii_json, form, percent, html] {
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

/// `text` with every registered secret, in each of its forms, replaced by [`MASK`].
pub fn scrub(text: &str) -> Cow<'_, str> {
    let secrets = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    let mut out = Cow::Borrowed(text);
    for secret in secrets.forms.iter() {
        if out.contains(secret.as_str()) {
            out = Cow::Owned(out.replace(secret.as_str(), MASK));
        }
    }
    out
}

/// How many characters of a server's message a diagnostic shows.
pub const MAX_MESSAGE_CHARS: usize = 500;

/// `raw` as one line fit to show: registered secrets masked, escape sequences and control
/// characters removed, whitespace runs collapsed to one space, and cut after `max_chars`
/// characters with a note saying how much was cut.
pub fn server_text(raw: &str, max_chars: usize) -> String {
    // Secrets first: stripping or cutting could split one and hide it from the scrubber.
    let scrubbed = scrub(raw);
    let clean = strip_escapes(&scrubbed, ' ');
    let collapsed = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    let total = collapsed.chars().count();
    if total <= max_chars {
        return collapsed;
    }
    let kept: String = collapsed.chars().take(max_chars).collect();
    let kept = kept.trim_end();
    format!("{kept}… ({} more characters not shown)", total - kept.chars().count())
}

/// `text` without terminal escape sequences and control characters, except the newlines and
/// tabs that lay out a message. For the provider's own messages, which may quote server text.
pub fn printable(text: &str) -> Cow<'_, str> {
    if text.chars().all(|c| c == '\n' || c == '\t' || !is_hidden(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(strip_escapes(text, '\n'))
}

/// Control characters (C0, DEL, C1) and the invisible bidirectional controls that can make a
/// terminal show text in another order than it is ("Trojan Source").
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Removes ANSI/ECMA-48 sequences (CSI `ESC [ ... final`, OSC/DCS/APC/PM strings ended by BEL
/// or `ESC \`, and two-character escapes) and every other hidden character; newlines, carriage
/// returns and tabs become `line_break` (a newline when the text keeps its lines, else a space).
fn strip_escapes(text: &str, line_break: char) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                Some('[') => skip_csi(&mut chars),
                Some(']' | 'P' | '^' | '_' | 'X') => skip_string(&mut chars),
                _ => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{9e}' | '\u{9f}' | '\u{98}' => skip_string(&mut chars),
            '\n' => out.push(line_break),
            '\t' if line_break == '\n' => out.push('\t'),
            '\t' | '\r' => out.push(' '),
            c if is_hidden(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// A CSI sequence's parameter and intermediate bytes, then its final byte.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) || !(' '..='\u{7e}').contains(&c) {
            return;
        }
    }
}

/// A control string up to its terminator: BEL, `ESC \` or the C1 string terminator.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_secrets_are_masked_anywhere() {
        register_secret("  reg1stered-s3cret-value\n");
        register_secret("reg1stered-s3cret-value");
        register_secret("reg1stered-s3cret-value-longer");
        register_secret("ab");
        assert_eq!(scrub("x reg1stered-s3cret-value y"), format!("x {MASK} y"));
        assert_eq!(scrub("reg1stered-s3cret-value-longer"), MASK);
        assert_eq!(scrub("about ab"), "about ab");
        assert!(matches!(scrub("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn secrets_are_masked_in_the_forms_servers_echo_them() {
        let secret = "pem-line-one\nwith \"quote\"/and é\tend";
        register_secret(secret);
        let echoed_json = serde_json::to_string(&serde_json::json!({"client_secret": secret})).unwrap();
        let python_json = r#"{"client_secret": "pem-line-one\nwith \"quote\"\/and \u00e9\tend"}"#;
        let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let html = "pem-line-one\nwith &quot;quote&quot;/and é\tend";
        for text in [
            format!("raw: {secret}."),
            format!("400: {echoed_json}"),
            // A JSON error quoting that body: the raw response body a trace line logs.
            serde_json::to_string(&serde_json::json!({"error": format!("Invalid request body: {echoed_json}")}))
                .unwrap(),
            python_json.to_owned(),
            format!("body=a&client_secret={form}"),
            format!("q={}", form.replace('+', "%20")),
            format!("<pre>{html}</pre>"),
        ] {
            let scrubbed = scrub(&text);
            assert!(scrubbed.contains(MASK), "not masked: {text}");
            for part in ["pem-line-one", "quote", "end"] {
                assert!(!scrubbed.contains(part), "{part} left in {scrubbed}");
            }
        }
    }

    #[test]
    fn escape_sequences_and_controls_are_removed() {
        let raw =
            "\u{1b}[31mred\u{1b}[0m \u{1b}]0;pwned title\u{7}after \u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\ \
                   over\rwrite\u{0}nul \u{9b}1mc1 \u{202e}drow";
        assert_eq!(server_text(raw, 500), "red after link over writenul c1 drow");
        assert_eq!(printable("line one\n\tline two\r\u{1b}[2K"), "line one\n\tline two ");
        assert!(matches!(printable("plain\ntext\twith tab é"), Cow::Borrowed(_)));
    }

    #[test]
    fn long_text_is_cut_with_a_note() {
        let raw = "word ".repeat(1000);
        let shown = server_text(&raw, 500);
        assert!(shown.starts_with("word word"), "{shown}");
        let (kept, note) = shown.split_once('…').unwrap();
        assert!(kept.chars().count() <= 500, "{}", kept.chars().count());
        assert_eq!(note, format!(" ({} more characters not shown)", 4999 - kept.chars().count()));
        // One long word is cut inside.
        let one = "x".repeat(2_000_000);
        let shown = server_text(&one, 500);
        assert_eq!(shown, format!("{}… (1999500 more characters not shown)", "x".repeat(500)));
        // Short text is whole, with whitespace collapsed.
        assert_eq!(server_text("  a \n\n b  ", 500), "a b");
        assert_eq!(server_text("", 500), "");
    }

    #[test]
    fn secrets_are_masked_before_the_text_is_cut() {
        crate::untrusted::register_secret("untrusted-test-secret-4f1e");
        let raw = format!("{}untrusted-test-secret-4f1e and more", "a".repeat(490));
        let shown = server_text(&raw, 500);
        assert!(!shown.contains("untrusted-test"), "{shown}");
        assert!(shown.contains("… ("), "{shown}");
    }
}
