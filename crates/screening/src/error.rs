//! Why a list file was refused.

use crate::entry::SkippedLine;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ListError {
    /// The file is not in the expected format at all (wrong kind of file, missing header or
    /// columns): nothing in it can be read.
    #[error("this is not a {expected} file: {reason}")]
    WrongFormat {
        expected: &'static str,
        reason: String,
    },
    /// The bytes are not in the encoding the format requires.
    #[error("line {line}: the file is not valid {encoding}")]
    Encoding { encoding: &'static str, line: u64 },
    /// A line is bad and bad lines are refused; the first one is named, and how many more
    /// there are, so the whole file can be fixed in one go.
    #[error("{first}{}", more_text(*.more))]
    BadLine { first: SkippedLine, more: usize },
    /// The file holds no entries.
    #[error("the file holds no entries")]
    Empty,
}

fn more_text(more: usize) -> String {
    match more {
        0 => String::new(),
        1 => " (and 1 more bad line)".to_owned(),
        n => format!(" (and {n} more bad lines)"),
    }
}
