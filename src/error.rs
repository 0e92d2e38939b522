//! drscan's errors as miette diagnostics, and the process exit codes of SPEC §3 they map to.
//! Input shown in a diagnostic goes through [`InputSource`], which keeps the rendering narrow
//! however long the offending line is.

use miette::{
    Diagnostic, MietteError, MietteSpanContents, NamedSource, SourceCode, SourceSpan, SpanContents,
};
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

    #[error("{path} is too large to read: {size}, and drscan reads input files up to {limit} bytes")]
    #[diagnostic(
        code(drscan::input::too_large),
        help("is it the right file? A snapshot of 200,000 resources is about 100 MB")
    )]
    InputTooLarge { path: String, size: String, limit: u64 },

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
    pub src: InputSource,
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
    pub src: InputSource,
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
    /// [`MalformedInputs`], in the order they appear in the text. Spans are clamped to it and
    /// messages shortened, as for [`DrscanError::malformed`].
    pub fn malformed_all(
        kind: &'static str,
        name: &str,
        text: String,
        mut problems: Vec<InputProblem>,
    ) -> Self {
        for problem in &mut problems {
            problem.span = fit_span(&text, problem.span);
            problem.message = shorten(std::mem::take(&mut problem.message));
        }
        problems.sort_by_key(|p| (p.span.offset(), p.span.len()));
        problems.dedup_by(|a, b| a.span == b.span && a.message == b.message);
        let src = NamedSource::new(name, text);
        match <[InputProblem; 1]>::try_from(problems) {
            Ok([only]) => DrscanError::malformed(kind, only.message, only.label, src, only.span),
            Err(problems) => DrscanError::MalformedInputs(Box::new(MalformedInputs {
                kind,
                name: name.to_string(),
                src: InputSource(src),
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
        let span = fit_span(src.inner(), span);
        DrscanError::MalformedInput(Box::new(MalformedInput {
            kind,
            message: shorten(message.into()),
            label: label.into(),
            src: InputSource(src),
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

    /// The same error with a help line (for a malformed input; other kinds carry their own).
    pub fn with_help(mut self, text: impl Into<String>) -> Self {
        if let DrscanError::MalformedInput(malformed) = &mut self {
            malformed.help = Some(text.into());
        }
        self
    }

    pub fn usage(message: impl Into<String>) -> Self {
        DrscanError::Usage { message: message.into(), help: None }
    }
}

/// A serde_json error's message without the " at line L column C" it appends: the diagnostic
/// shows the location itself.
pub fn json_error_message(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message,
    }
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

/// Lines up to this many bytes are shown whole, with their context lines; a longer one (a
/// compact one-line snapshot, a long configuration value) is shown as a window around the span.
/// miette lays a line out with format widths, which std caps at 65,535: without the window a
/// span past that column panics, and a 200 MB line takes minutes to print.
const LONG_LINE_BYTES: usize = 512;
/// Bytes shown on each side of the span in the window of a long line.
const WINDOW_SIDE_BYTES: usize = 60;
/// Longest span a label underlines; a longer one is cut to its start.
const LONGEST_SPAN_BYTES: usize = 120;

/// The text of an input file as a diagnostic shows it: miette's own rendering for ordinary
/// lines, a window of the line (with its true line and column) for long ones.
pub struct InputSource(NamedSource<String>);

impl InputSource {
    /// The file's name as the diagnostic shows it.
    pub fn name(&self) -> &str {
        self.0.name()
    }
}

impl std::fmt::Debug for InputSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("InputSource").field(&self.0.name()).finish()
    }
}

impl SourceCode for InputSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.0.inner().as_str();
        let offset = floor_char_boundary(text, span.offset().min(text.len()));
        let end = ceil_char_boundary(text, offset.saturating_add(span.len()).min(text.len()));
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
        let mut region_start = line_start;
        for _ in 0..context_lines_before {
            let Some(newline) = region_start.checked_sub(1) else { break };
            region_start = text[..newline].rfind('\n').map_or(0, |i| i + 1);
        }
        let mut region_end = line_end;
        for _ in 0..context_lines_after {
            if region_end >= text.len() {
                break;
            }
            region_end = text[region_end + 1..].find('\n').map_or(text.len(), |i| region_end + 1 + i);
        }
        if text[region_start..region_end].split('\n').all(|line| line.len() <= LONG_LINE_BYTES) {
            return self.0.read_span(span, context_lines_before, context_lines_after);
        }
        // One line, windowed. A read without context is the span's own position (miette takes
        // the header's line:column from it); a read with context starts the window before it.
        let start = if context_lines_before == 0 && context_lines_after == 0 {
            offset
        } else {
            floor_char_boundary(text, offset.saturating_sub(WINDOW_SIDE_BYTES).max(line_start))
        };
        let stop = ceil_char_boundary(text, end.saturating_add(WINDOW_SIDE_BYTES).min(line_end)).max(start);
        let line = text.as_bytes()[..line_start].iter().filter(|b| **b == b'\n').count();
        Ok(Box::new(MietteSpanContents::new_named(
            self.0.name().to_string(),
            &text.as_bytes()[start..stop],
            SourceSpan::from((start, stop - start)),
            line,
            start - line_start,
            line,
        )))
    }
}

/// Longest message a diagnostic shows whole; parsers quote the offending value, which in a
/// hostile file can be megabytes long.
const LONGEST_MESSAGE_CHARS: usize = 400;

/// `message`, its middle elided when longer than [`LONGEST_MESSAGE_CHARS`].
fn shorten(message: String) -> String {
    let count = message.chars().count();
    if count <= LONGEST_MESSAGE_CHARS {
        return message;
    }
    let head: String = message.chars().take(LONGEST_MESSAGE_CHARS / 2).collect();
    let tail: String = message.chars().skip(count - LONGEST_MESSAGE_CHARS / 4).collect();
    format!("{head} … ({} characters left out) … {tail}", count - head.chars().count() - tail.chars().count())
}

/// `span` clamped to `text`, on character boundaries, at most [`LONGEST_SPAN_BYTES`] long.
fn fit_span(text: &str, span: SourceSpan) -> SourceSpan {
    let offset = floor_char_boundary(text, span.offset().min(text.len()));
    let len = span.len().min(LONGEST_SPAN_BYTES);
    let end = ceil_char_boundary(text, offset.saturating_add(len).min(text.len()));
    SourceSpan::from((offset, end - offset))
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

fn ceil_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index += 1;
    }
    index
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
    fn long_lines_render_as_a_window_at_the_true_position() {
        let text = format!("{{\"account\": \"{}\", \"x\": 7}}\n", "é".repeat(40_000));
        let offset = text.find('7').expect("the value");
        let error = DrscanError::malformed(
            "snapshot",
            format!("bad {}", "y".repeat(10_000)),
            "here",
            NamedSource::new("s.json", text),
            SourceSpan::from((offset, 1)),
        );
        let mut out = String::new();
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .render_report(&mut out, &error)
            .expect("renders");
        assert!(out.contains(&format!("s.json:1:{}", offset + 1)), "{out}");
        assert!(out.len() < 2_000, "the rendering stays narrow: {} bytes", out.len());
        assert!(out.contains("characters left out"), "{out}");
    }

    #[test]
    fn key_value_span_covers_the_value() {
        let text = "{\"schema_version\": 7,\n\"x\": 1}";
        let span = span_of_key_value(text, "schema_version");
        assert_eq!(&text[span.offset()..span.offset() + span.len()], "7");
    }
}
