//! Reading untrusted input within bounds.
//!
//! - [`open_regular`] and [`read_regular`]: a file is read only if it is a regular file of at
//!   most a given size. It is opened without blocking (a FIFO or a device does not hang the
//!   open) and checked on the open file, and reading stops at the size even if it grows.
//! - [`BoundedLines`]: lines of at most a given length, from a synchronous ([`BufRead`]) or an
//!   asynchronous ([`AsyncBufRead`]) reader. A longer line is skipped as it is read, never held
//!   whole, and reported as [`Line::TooLong`]; the lines are bytes, so that text that is not
//!   UTF-8 is the caller's to answer, not a read error.

use std::fs::File;
use std::io::{self, BufRead, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// It could not be opened or read.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// It is a directory, a FIFO, a device or a socket.
    #[error("it is not a regular file")]
    NotRegular,
    /// It is larger than allowed.
    #[error("it is {size} bytes, more than the {limit} bytes allowed")]
    TooLarge {
        /// Its size.
        size: u64,
        /// The most allowed.
        limit: u64,
    },
}

/// Opens `path` for reading if it is a regular file of at most `limit` bytes. The open does
/// not block (`O_NONBLOCK`, which changes nothing for a regular file) and the checks are made
/// on the open file; its size is returned with it. Read it through `take(limit)`: a file may
/// grow after the check.
pub fn open_regular(path: &Path, limit: u64) -> Result<(File, u64), FileError> {
    open_checked(path, limit, 0).map(|(file, metadata)| (file, metadata.len()))
}

/// [`open_regular`] with `flags` added to the open's; returns the open file's metadata.
fn open_checked(path: &Path, limit: u64, flags: i32) -> Result<(File, std::fs::Metadata), FileError> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | flags)
        .open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(FileError::NotRegular);
    }
    if metadata.len() > limit {
        return Err(FileError::TooLarge { size: metadata.len(), limit });
    }
    Ok((file, metadata))
}

/// The whole of `path`, a regular file of at most `limit` bytes (see [`open_regular`]).
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    let (file, size) = open_regular(path, limit)?;
    read_all(file, size, limit)
}

/// [`read_regular`] of `path` itself, not of what a symbolic link there points to (a link is
/// an error, `ELOOP`); with the file's metadata.
pub fn read_regular_no_follow(path: &Path, limit: u64) -> Result<(Vec<u8>, std::fs::Metadata), FileError> {
    let (file, metadata) = open_checked(path, limit, libc::O_NOFOLLOW)?;
    Ok((read_all(file, metadata.len(), limit)?, metadata))
}

/// All of `file`, `size` bytes when checked, stopping past `limit` if it grew.
fn read_all(file: File, size: u64, limit: u64) -> Result<Vec<u8>, FileError> {
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    let read = bytes.len() as u64;
    if read > limit {
        return Err(FileError::TooLarge { size: read, limit });
    }
    Ok(bytes)
}

/// One line, read within a bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A line, without its end (`\n` or `\r\n`); the last line of the input may have none.
    Whole(Vec<u8>),
    /// A line longer than the bound: it was read and dropped.
    TooLong {
        /// Its length in bytes, without its end.
        length: usize,
    },
}

/// Lines of at most `max` bytes from a reader; see the module docs.
#[derive(Debug)]
pub struct BoundedLines<R> {
    reader: R,
    cut: Cut,
}

/// The line being read.
#[derive(Debug)]
struct Cut {
    max: usize,
    line: Vec<u8>,
    /// While a line too long is skipped: its length so far.
    skipped: Option<usize>,
}

impl<R> BoundedLines<R> {
    /// Lines of `reader`, each at most `max` bytes.
    pub fn new(reader: R, max: usize) -> Self {
        BoundedLines { reader, cut: Cut { max, line: Vec::new(), skipped: None } }
    }
}

impl Cut {
    /// Takes bytes from `available` up to and including the first line end: how many it took,
    /// and the line if it ended.
    fn feed(&mut self, available: &[u8]) -> (usize, Option<Line>) {
        let (part, used, ended) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (&available[..at], at + 1, true),
            None => (available, available.len(), false),
        };
        match self.skipped {
            Some(length) => self.skipped = Some(length + part.len()),
            None if self.line.len() + part.len() > self.max => {
                self.skipped = Some(self.line.len() + part.len());
                self.line = Vec::new();
            }
            None => self.line.extend_from_slice(part),
        }
        (used, ended.then(|| self.take()))
    }

    /// The line read so far, ended.
    fn take(&mut self) -> Line {
        if let Some(length) = self.skipped.take() {
            return Line::TooLong { length };
        }
        let mut line = std::mem::take(&mut self.line);
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Line::Whole(line)
    }

    /// At the end of the input: the last line, if it has no end.
    fn finish(&mut self) -> Option<Line> {
        (self.skipped.is_some() || !self.line.is_empty()).then(|| self.take())
    }
}

impl<R: AsyncBufRead + Unpin> BoundedLines<R> {
    /// The next line; `None` at the end of the input.
    pub async fn next_line(&mut self) -> io::Result<Option<Line>> {
        loop {
            let available = match self.reader.fill_buf().await {
                Ok(available) => available,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Ok(self.cut.finish());
            }
            let (used, line) = self.cut.feed(available);
            self.reader.consume(used);
            if line.is_some() {
                return Ok(line);
            }
        }
    }
}

impl<R: BufRead> Iterator for BoundedLines<R> {
    type Item = io::Result<Line>;

    fn next(&mut self) -> Option<io::Result<Line>> {
        loop {
            let available = match self.reader.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Some(Err(e)),
            };
            if available.is_empty() {
                return self.cut.finish().map(Ok);
            }
            let (used, line) = self.cut.feed(available);
            self.reader.consume(used);
            if let Some(line) = line {
                return Some(Ok(line));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(text: &str) -> Line {
        Line::Whole(text.as_bytes().to_vec())
    }

    #[test]
    fn lines_past_the_bound_are_skipped_and_reading_goes_on() {
        let input = format!("short\r\n{}\nnot utf-8 \u{e9}\n\nlast", "x".repeat(100));
        // A small buffer, so that lines arrive in many pieces.
        let reader = io::BufReader::with_capacity(7, input.as_bytes());
        let lines: Vec<Line> = BoundedLines::new(reader, 20).map(Result::unwrap).collect();
        assert_eq!(
            lines,
            [
                whole("short"),
                Line::TooLong { length: 100 },
                whole("not utf-8 \u{e9}"),
                whole(""),
                whole("last")
            ]
        );
        let lines: Vec<Line> = BoundedLines::new(&b"a\n"[..], 1).map(Result::unwrap).collect();
        assert_eq!(lines, [whole("a")]);
        let lines: Vec<Line> = BoundedLines::new(&b"ab"[..], 1).map(Result::unwrap).collect();
        assert_eq!(lines, [Line::TooLong { length: 2 }]);
    }

    #[tokio::test]
    async fn the_async_reader_reads_the_same() {
        let input = b"{\"id\":1}\n\xff\xfe\n0123456789\n".to_vec();
        let mut lines = BoundedLines::new(tokio::io::BufReader::with_capacity(3, &input[..]), 8);
        assert_eq!(lines.next_line().await.unwrap(), Some(whole("{\"id\":1}")));
        assert_eq!(lines.next_line().await.unwrap(), Some(Line::Whole(vec![0xff, 0xfe])));
        assert_eq!(lines.next_line().await.unwrap(), Some(Line::TooLong { length: 10 }));
        assert_eq!(lines.next_line().await.unwrap(), None);
    }

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"12345").unwrap();
        assert_eq!(read_regular(&file, 5).unwrap(), b"12345");
        assert!(matches!(read_regular(&file, 4), Err(FileError::TooLarge { size: 5, limit: 4 })));
        assert!(matches!(read_regular(dir.path(), 5), Err(FileError::NotRegular)));
        assert!(matches!(read_regular(Path::new("/dev/zero"), 5), Err(FileError::NotRegular)));
        let fifo = dir.path().join("fifo");
        let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: `name` is a valid C string that outlives the call.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        assert!(
            matches!(read_regular(&fifo, 5), Err(FileError::NotRegular)),
            "a FIFO neither hangs nor reads"
        );
    }
}
