//! The edits of an update: finding each chunk in the file and replacing it, and showing them
//! as a diff.

use super::Chunk;

/// Applies the edits in order; each is searched for after the previous one.
pub(super) fn apply_chunks(original: &str, chunks: &[Chunk]) -> Result<String, String> {
    let mut lines: Vec<String> = original.lines().map(str::to_owned).collect();
    let mut cursor = 0;
    for chunk in chunks {
        if let Some(context) = &chunk.context {
            let found = find(&lines, std::slice::from_ref(context), cursor, false)
                .ok_or_else(|| format!("context line `{context}` not found after line {cursor}"))?;
            cursor = found + 1;
        }
        if chunk.old.is_empty() {
            // Pure insertion: at the end of the file, or right after the context line.
            let at = if chunk.at_eof || chunk.context.is_none() { lines.len() } else { cursor };
            lines.splice(at..at, chunk.new.iter().cloned());
            cursor = at + chunk.new.len();
            continue;
        }
        let at = find(&lines, &chunk.old, cursor, chunk.at_eof).ok_or_else(|| {
            format!(
                "the lines to replace were not found after line {cursor}:\n{}",
                chunk.old.iter().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
            )
        })?;
        lines.splice(at..at + chunk.old.len(), chunk.new.iter().cloned());
        cursor = at + chunk.new.len();
    }
    let mut text = lines.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    Ok(text)
}

/// The first index at or after `from` where `needle` stands (trailing whitespace ignored on a
/// second pass); at the very end when `at_eof`.
fn find(lines: &[String], needle: &[String], from: usize, at_eof: bool) -> Option<usize> {
    if needle.len() > lines.len() {
        return None;
    }
    let last = lines.len() - needle.len();
    let starts: Vec<usize> = if at_eof { vec![last] } else { (from.min(last + 1)..=last).collect() };
    let exact = |i: &usize| lines[*i..*i + needle.len()].iter().zip(needle).all(|(a, b)| a == b);
    let loose = |i: &usize| {
        lines[*i..*i + needle.len()].iter().zip(needle).all(|(a, b)| a.trim_end() == b.trim_end())
    };
    starts.iter().copied().find(exact).or_else(|| starts.iter().copied().find(loose))
}

/// The edits as `-`/`+`/` ` lines, `@@`-separated.
pub(super) fn chunk_diff(chunks: &[Chunk]) -> String {
    let mut diff = String::new();
    for chunk in chunks {
        diff.push_str(&format!("@@ {}\n", chunk.context.as_deref().unwrap_or("")).replace("@@ \n", "@@\n"));
        let (mut o, mut n) = (0, 0);
        while o < chunk.old.len() || n < chunk.new.len() {
            if o < chunk.old.len() && n < chunk.new.len() && chunk.old[o] == chunk.new[n] {
                diff.push_str(&format!(" {}\n", chunk.old[o]));
                o += 1;
                n += 1;
            } else if o < chunk.old.len() && !chunk.new[n..].contains(&chunk.old[o]) {
                diff.push_str(&format!("-{}\n", chunk.old[o]));
                o += 1;
            } else if n < chunk.new.len() {
                diff.push_str(&format!("+{}\n", chunk.new[n]));
                n += 1;
            } else {
                diff.push_str(&format!("-{}\n", chunk.old[o]));
                o += 1;
            }
        }
    }
    diff
}
