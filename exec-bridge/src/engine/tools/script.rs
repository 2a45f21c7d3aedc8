//! The simple commands of a shell script, as far as its words tell: what `bash -lc SCRIPT`
//! runs, split where the shell would run one command after another (`;`, a newline, `&&`,
//! `||`, a pipe `|`, a background `&`), not where those characters are quoted, escaped or part
//! of a redirection (`2>&1`, `>&2`, `&>file`, `|&`).
//!
//! It reads words only: a command substitution or a subshell is not parsed, and callers that
//! must be sure of what runs (the safety verdict) refuse scripts that hold them.

/// The parts of `script`, trimmed, empty ones left out, in order.
pub fn parts(script: &str) -> Vec<&str> {
    let bytes = script.as_bytes();
    let mut parts = Vec::new();
    let (mut start, mut at) = (0, 0);
    let mut quote: Option<u8> = None;
    while at < bytes.len() {
        let byte = bytes[at];
        match (quote, byte) {
            (Some(b'\''), b'\'') | (Some(b'"'), b'"') => quote = None,
            (Some(b'"'), b'\\') => at += 1,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(byte),
            (None, b'\\') => at += 1,
            (None, b';' | b'\n' | b'|' | b'&') if !is_redirection(bytes, at) => {
                parts.push(&script[start..at]);
                // `&&`, `||` and `|&` are one separator.
                let pair = bytes
                    .get(at + 1)
                    .is_some_and(|next| matches!((byte, next), (b'&', b'&') | (b'|', b'|' | b'&')));
                at += if pair { 2 } else { 1 };
                start = at;
                continue;
            }
            (None, _) => {}
        }
        at += 1;
    }
    parts.push(&script[start.min(script.len())..]);
    parts.into_iter().map(str::trim).filter(|part| !part.is_empty()).collect()
}

/// Whether `script` is only words and the separators of [`parts`] (`;`, newlines, `&&`, `||`,
/// `|`): no redirection, expansion, substitution, subshell or background job outside quotes.
/// Codex reads only such scripts part by part; any other it takes whole.
pub fn is_plain(script: &str) -> bool {
    let bytes = script.as_bytes();
    let mut quote: Option<u8> = None;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        match (quote, byte) {
            (Some(b'\''), b'\'') => quote = None,
            (Some(b'"'), b'"') => quote = None,
            (Some(b'"'), b'$' | b'`') => return false,
            (Some(b'"'), b'\\') => at += 1,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(byte),
            (None, b'\\') => at += 1,
            (None, b'>' | b'<' | b'$' | b'`' | b'(' | b')') => return false,
            (None, b'&') => {
                let paired = bytes.get(at + 1) == Some(&b'&')
                    || at.checked_sub(1).is_some_and(|b| bytes[b] == b'&' || bytes[b] == b'|');
                if !paired {
                    return false;
                }
            }
            (None, _) => {}
        }
        at += 1;
    }
    true
}

/// Whether the `&` at `at` belongs to a redirection: `>&`, `<&` (`2>&1`, `>&2`) or `&>`/`&>>`.
fn is_redirection(bytes: &[u8], at: usize) -> bool {
    bytes[at] == b'&'
        && (at.checked_sub(1).is_some_and(|before| matches!(bytes[before], b'>' | b'<'))
            || bytes.get(at + 1) == Some(&b'>'))
}

#[cfg(test)]
mod tests {
    use super::{is_plain, parts};

    #[test]
    fn splits_at_each_separator() {
        assert_eq!(
            parts("cat a | grep x && ls; touch y || true & sleep 1\necho z |& tee log"),
            ["cat a", "grep x", "ls", "touch y", "true", "sleep 1", "echo z", "tee log"]
        );
    }

    #[test]
    fn keeps_redirections_whole() {
        assert_eq!(parts("echo err1 >&2"), ["echo err1 >&2"]);
        assert_eq!(parts("make 2>&1 | tail -n 3"), ["make 2>&1", "tail -n 3"]);
        assert_eq!(parts("build &> log && cat <&3"), ["build &> log", "cat <&3"]);
    }

    #[test]
    fn quoted_and_escaped_separators_stay() {
        assert_eq!(parts(r#"echo "a; b" 'c && d' e\;f; ls"#), [r#"echo "a; b" 'c && d' e\;f"#, "ls"]);
        assert_eq!(parts(r#"echo "say \"hi; there\"" | wc"#), [r#"echo "say \"hi; there\"""#, "wc"]);
    }

    #[test]
    fn plain_scripts_are_words_and_separators_only() {
        for plain in ["ls", "cat a | grep x && ls; true || false", "echo 'a > $b' \"no\"x", "a |& b"] {
            assert!(is_plain(plain), "{plain}");
        }
        for not in [
            "echo oops >&2; exit 3",
            "cat < f",
            "echo $HOME",
            "echo `id`",
            "(cd x)",
            "sleep 1 &",
            "echo \"$x\"",
        ] {
            assert!(!is_plain(not), "{not}");
        }
        assert!(!is_plain("sleep 1 & ls"));
    }

    #[test]
    fn odd_input_never_panics() {
        assert_eq!(parts(""), Vec::<&str>::new());
        assert_eq!(parts(" ; && ||"), Vec::<&str>::new());
        assert_eq!(parts("echo \\"), ["echo \\"]);
        assert_eq!(parts("echo 'open"), ["echo 'open"]);
        assert_eq!(parts("&"), Vec::<&str>::new());
        assert_eq!(parts("é;ü"), ["é", "ü"]);
    }
}
