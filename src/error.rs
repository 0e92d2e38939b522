//! drscan's errors as miette diagnostics, and the process exit codes of SPEC §3 they map to.

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

/// Exit codes of SPEC §3; part of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    GatePassed = 0,
    GateFailed = 1,
    UsageError = 2,
    CollectionImpossible = 3,
}

#[derive(Debug, Error, Diagnostic)]
pub enum DrscanError {
    #[error("cannot read {path}: {source}")]
    #[diagnostic(code(drscan::input::unreadable))]
    ReadInput {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot write {path}: {source}")]
    #[diagnostic(code(drscan::output::unwritable))]
    WriteOutput {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    MalformedInput(Box<MalformedInput>),

    #[error(transparent)]
    #[diagnostic(transparent)]
    MalformedInputs(Box<MalformedInputs>),

    #[error("{message}")]
    #[diagnostic(code(drscan::usage))]
    Usage {
        message: String,
        #[help]
        help: Option<String>,
    },

    #[error("collection impossible: {message}")]
    #[diagnostic(code(drscan::collection::impossible))]
    CollectionImpossible {
        message: String,
        #[help]
        help: Option<String>,
    },
}

/// Input that could not be understood, with the span that shows where.
#[derive(Debug, Error, Diagnostic)]
#[error("malformed {kind}: {message}")]
#[diagnostic(code(drscan::input::malformed))]
pub struct MalformedInput {
    pub kind: &'static str,
    pub message: String,
    pub label: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("{label}")]
    pub span: SourceSpan,
    #[help]
    pub help: Option<String>,
}

/// Several problems found in one input, reported together: each is a related diagnostic at
/// its own line and column.
#[derive(Debug, Error, Diagnostic)]
#[error("malformed {kind}: {} problems in {name}", problems.len())]
#[diagnostic(code(drscan::input::malformed))]
pub struct MalformedInputs {
    pub kind: &'static str,
    pub name: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[related]
    pub problems: Vec<InputProblem>,
}

/// One problem of an input, at a byte span of its text.
#[derive(Debug, Clone, Error, Diagnostic)]
#[error("{message}")]
pub struct InputProblem {
    pub message: String,
    pub label: String,
    #[label("{label}")]
    pub span: SourceSpan,
}

impl InputProblem {
    pub fn new(span: std::ops::Range<usize>, message: impl Into<String>, label: impl Into<String>) -> Self {
        InputProblem { message: message.into(), label: label.into(), span: SourceSpan::from(span) }
    }
}

impl DrscanError {
    /// Every problem of the input `name`: one alone is a [`MalformedInput`], several one
    /// [`MalformedInputs`], in the order they appear in the text. Spans are clamped to it.
    pub fn malformed_all(
        kind: &'static str,
        name: &str,
        text: String,
        mut problems: Vec<InputProblem>,
    ) -> Self {
        let len = text.len();
        for problem in &mut problems {
            let start = problem.span.offset().min(len);
            let end = (problem.span.offset() + problem.span.len()).clamp(start, len);
            problem.span = SourceSpan::from(start..end);
        }
        problems.sort_by_key(|p| (p.span.offset(), p.span.len()));
        problems.dedup_by(|a, b| a.span == b.span && a.message == b.message);
        let src = NamedSource::new(name, text);
        match <[InputProblem; 1]>::try_from(problems) {
            Ok([only]) => DrscanError::malformed(kind, only.message, only.label, src, only.span),
            Err(problems) => DrscanError::MalformedInputs(Box::new(MalformedInputs {
                kind,
                name: name.to_string(),
                src,
                problems,
            })),
        }
    }

    pub fn malformed(
        kind: &'static str,
        message: impl Into<String>,
        label: impl Into<String>,
        src: NamedSource<String>,
        span: SourceSpan,
    ) -> Self {
        DrscanError::MalformedInput(Box::new(MalformedInput {
            kind,
            message: message.into(),
            label: label.into(),
            src,
            span,
            help: None,
        }))
    }

    pub fn exit_status(&self) -> ExitStatus {
        match self {
            DrscanError::CollectionImpossible { .. } => ExitStatus::CollectionImpossible,
            _ => ExitStatus::UsageError,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        DrscanError::Usage { message: message.into(), help: None }
    }
}

/// Read an input file, turning I/O failures into the exit-2 diagnostic.
pub fn read_input(path: &std::path::Path) -> Result<String, DrscanError> {
    std::fs::read_to_string(path)
        .map_err(|source| DrscanError::ReadInput { path: path.display().to_string(), source })
}

/// Byte span of the character at a 1-based line and column (as serde_json and toml report).
pub fn span_at_line_column(text: &str, line: usize, column: usize) -> SourceSpan {
    let mut offset = 0;
    for (index, content) in text.split_inclusive('\n').enumerate() {
        if index + 1 == line {
            let within = column.saturating_sub(1).min(content.len());
            offset += within;
            let len = usize::from(offset < text.len());
            return SourceSpan::from((offset, len));
        }
        offset += content.len();
    }
    SourceSpan::from((text.len(), 0))
}

/// Span of the value of the first `"key":` in a JSON text, or the whole first line if absent.
pub fn span_of_key_value(text: &str, key: &str) -> SourceSpan {
    let needle = format!("\"{key}\"");
    let Some(start) = text.find(&needle) else {
        return SourceSpan::from((0, text.find('\n').unwrap_or(text.len())));
    };
    let after_key = start + needle.len();
    let rest = &text[after_key..];
    let value_start = rest
        .find(':')
        .map(|colon| after_key + colon + 1 + (rest[colon + 1..].len() - rest[colon + 1..].trim_start().len()))
        .unwrap_or(start);
    let value_len = text[value_start..].find([',', '\n', '}']).unwrap_or(text.len() - value_start);
    SourceSpan::from((value_start, value_len.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_become_a_byte_offset() {
        let text = "{\n  \"a\": 1,\n  \"b\": x\n}";
        let span = span_at_line_column(text, 3, 8);
        assert_eq!(&text[span.offset()..span.offset() + span.len()], "x");
    }

    #[test]
    fn key_value_span_covers_the_value() {
        let text = "{\"schema_version\": 7,\n\"x\": 1}";
        let span = span_of_key_value(text, "schema_version");
        assert_eq!(&text[span.offset()..span.offset() + span.len()], "7");
    }
}
