//! Reading the patch text into [`FilePatch`]es, with the line of each mistake.

use std::path::PathBuf;

use super::{Chunk, FileOp, FilePatch, PatchError};

/// Reads patch text.
pub fn parse(text: &str) -> Result<Vec<FilePatch>, PatchError> {
    let lines: Vec<&str> = text.trim().lines().collect();
    if lines.first().map(|l| l.trim()) != Some("*** Begin Patch") {
        return Err(syntax(1, "the patch must start with `*** Begin Patch`"));
    }
    if lines.last().map(|l| l.trim()) != Some("*** End Patch") {
        return Err(syntax(lines.len(), "the patch must end with `*** End Patch`"));
    }
    let mut parser = Parser { end: lines.len() - 1, lines, at: 1 };
    let mut files = Vec::new();
    while parser.at < parser.end {
        files.push(parser.file()?);
    }
    if files.is_empty() {
        return Err(syntax(1, "the patch changes no file"));
    }
    Ok(files)
}

fn syntax(line: usize, message: &str) -> PatchError {
    PatchError::Syntax { line, message: message.to_owned() }
}

/// A cursor over the lines between `*** Begin Patch` and `*** End Patch`.
struct Parser<'a> {
    lines: Vec<&'a str>,
    /// The line being read (from 0).
    at: usize,
    /// The `*** End Patch` line.
    end: usize,
}

impl<'a> Parser<'a> {
    /// The line being read, if it is before the end.
    fn line(&self) -> Option<&'a str> {
        (self.at < self.end).then(|| self.lines[self.at])
    }

    /// A mistake on the line being read.
    fn error(&self, message: &str) -> PatchError {
        syntax(self.at + 1, message)
    }

    /// One file's operation, from its `*** … File:` line on.
    fn file(&mut self) -> Result<FilePatch, PatchError> {
        let line = self.lines[self.at];
        self.at += 1;
        if let Some(path) = line.strip_prefix("*** Add File: ") {
            let contents = self.added_lines()?;
            Ok(FilePatch { path: path.trim().into(), op: FileOp::Add { contents } })
        } else if let Some(path) = line.strip_prefix("*** Delete File: ") {
            Ok(FilePatch { path: path.trim().into(), op: FileOp::Delete })
        } else if let Some(path) = line.strip_prefix("*** Update File: ") {
            self.update(path.trim())
        } else {
            self.at -= 1;
            Err(self.error(&format!(
                "expected `*** Add File:`, `*** Delete File:` or `*** Update File:`, found `{line}`"
            )))
        }
    }

    /// The `+` lines of an added file.
    fn added_lines(&mut self) -> Result<String, PatchError> {
        let mut contents = String::new();
        while let Some(line) = self.line().filter(|l| !l.starts_with("*** ")) {
            let Some(added) = line.strip_prefix('+') else {
                return Err(self.error("every line of an added file starts with `+`"));
            };
            contents.push_str(added);
            contents.push('\n');
            self.at += 1;
        }
        Ok(contents)
    }

    /// An update: an optional `*** Move to:`, then its edits.
    fn update(&mut self, path: &str) -> Result<FilePatch, PatchError> {
        let mut move_to = None;
        if let Some(to) = self.line().and_then(|l| l.strip_prefix("*** Move to: ")) {
            move_to = Some(PathBuf::from(to.trim()));
            self.at += 1;
        }
        let mut chunks = Vec::new();
        while self.line().is_some_and(|l| !l.starts_with("*** ") || l == "*** End of File") {
            chunks.push(self.chunk(chunks.is_empty())?);
        }
        if chunks.is_empty() && move_to.is_none() {
            return Err(syntax(self.at, &format!("`*** Update File: {path}` has no edits")));
        }
        Ok(FilePatch { path: path.into(), op: FileOp::Update { move_to, chunks } })
    }

    /// One edit: an `@@` line (optional for the first), its ` `/`-`/`+` lines, and an optional
    /// `*** End of File`.
    fn chunk(&mut self, first: bool) -> Result<Chunk, PatchError> {
        let mut chunk = Chunk { context: None, old: vec![], new: vec![], at_eof: false };
        match self.line().and_then(|l| l.strip_prefix("@@")) {
            Some(context) => {
                let context = context.trim();
                chunk.context = (!context.is_empty()).then(|| context.to_owned());
                self.at += 1;
            }
            None if !first => return Err(self.error("expected `@@` to start the next edit")),
            None => {}
        }
        while let Some(line) = self.line().filter(|l| !l.starts_with("@@") && !l.starts_with("*** ")) {
            match line.chars().next() {
                Some('+') => chunk.new.push(line[1..].to_owned()),
                Some('-') => chunk.old.push(line[1..].to_owned()),
                Some(' ') => {
                    chunk.old.push(line[1..].to_owned());
                    chunk.new.push(line[1..].to_owned());
                }
                None => {
                    chunk.old.push(String::new());
                    chunk.new.push(String::new());
                }
                Some(_) => return Err(self.error("an edit line starts with ` `, `-` or `+`")),
            }
            self.at += 1;
        }
        if self.line() == Some("*** End of File") {
            chunk.at_eof = true;
            self.at += 1;
        }
        if chunk.old.is_empty() && chunk.new.is_empty() {
            return Err(syntax(self.at, "an edit with no lines"));
        }
        Ok(chunk)
    }
}
