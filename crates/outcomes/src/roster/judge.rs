//! The reading side of an import, run on its own thread: rows are read and
//! judged in batches and handed to the writer while the next batch is read,
//! so reading the file and writing the database share the machine's cores.

use std::borrow::Cow;
use std::ops::ControlFlow;

use tokio::sync::{mpsc, oneshot};

use super::check::{Checker, Reference, RosterRow, RowError};
use super::columns::Field;
use kernel::sheet::{self, Line, ReadError, Row, Table};

/// Rows judged and handed on together.
pub const BATCH_ROWS: usize = 1000;

/// What the reading side hands the writer, in file order.
#[derive(Debug)]
pub enum Judged {
    /// The header row; `refused` lists the required columns it lacks (then no
    /// row is judged).
    Headers { cells: Vec<String>, rows_hint: Option<usize>, refused: Vec<RowError> },
    /// `rows` data rows, with each row's spreadsheet line and verdict (none
    /// when the header row was refused).
    Rows { rows: usize, verdicts: Vec<(usize, Verdict)> },
}

pub type Verdict = Result<RosterRow, Vec<RowError>>;

/// Where a roster's rows come from: an uploaded file, streamed as it is
/// read, or rows already in a table (pushed through the API).
pub enum Source {
    File { name: String, bytes: Vec<u8> },
    Table(Table),
}

impl Source {
    /// What the import's audit record names as its origin.
    pub fn name(&self) -> &str {
        match self {
            Source::File { name, .. } => name,
            Source::Table(_) => "api",
        }
    }
}

/// Reads the source, waits for the reference data at the header row, and
/// sends judged batches until the rows end or the writer stops listening.
/// Hands the source back for the error report.
pub fn run(
    source: Source,
    reference: oneshot::Receiver<Reference>,
    out: mpsc::Sender<Judged>,
) -> Result<Source, ReadError> {
    let mut judge = Judge { reference: Some(reference), checker: None, rows: 0, verdicts: Vec::new(), out };
    let each = |line: Line<'_>| match line {
        Line::Headers { line, cells, rows } => judge.headers(line, cells, rows),
        Line::Row(row) => judge.row(&row),
    };
    match &source {
        Source::File { name, bytes } => sheet::stream(name, bytes, &Field::columns(), each)?,
        Source::Table(table) => lines(table, each),
    }
    let _ = judge.flush();
    Ok(source)
}

/// A table's header and rows as the file reader hands them on.
fn lines(table: &Table, mut each: impl FnMut(Line<'_>) -> ControlFlow<()>) {
    let headers = Line::Headers { line: table.header_line, cells: table.headers.clone(), rows: Some(table.rows.len()) };
    if each(headers).is_break() {
        return;
    }
    for row in &table.rows {
        let cells: Vec<Cow<str>> = row.cells.iter().map(|c| Cow::Borrowed(c.as_str())).collect();
        if each(Line::Row(Row { line: row.line, cells: &cells, refused: row.refused.clone() })).is_break() {
            return;
        }
    }
}

struct Judge {
    reference: Option<oneshot::Receiver<Reference>>,
    checker: Option<Checker>,
    /// Rows in the batch being gathered, and their verdicts.
    rows: usize,
    verdicts: Vec<(usize, Verdict)>,
    out: mpsc::Sender<Judged>,
}

impl Judge {
    fn headers(&mut self, line: usize, cells: Vec<String>, rows_hint: Option<usize>) -> ControlFlow<()> {
        // The writer drops the sender when it could not load the reference.
        let Some(Ok(reference)) = self.reference.take().map(|r| r.blocking_recv()) else {
            return ControlFlow::Break(());
        };
        let refused = match Checker::new(line, cells.clone(), reference) {
            Ok(checker) => {
                self.checker = Some(checker);
                Vec::new()
            }
            Err(refused) => refused,
        };
        self.send(Judged::Headers { cells, rows_hint, refused })
    }

    fn row(&mut self, row: &Row) -> ControlFlow<()> {
        if let Some(checker) = &mut self.checker {
            self.verdicts.push((row.line, checker.row(row)));
        }
        self.rows += 1;
        if self.rows == BATCH_ROWS {
            self.flush()
        } else {
            ControlFlow::Continue(())
        }
    }

    fn flush(&mut self) -> ControlFlow<()> {
        if self.rows == 0 {
            return ControlFlow::Continue(());
        }
        let rows = std::mem::take(&mut self.rows);
        let verdicts = std::mem::replace(&mut self.verdicts, Vec::with_capacity(BATCH_ROWS));
        self.send(Judged::Rows { rows, verdicts })
    }

    fn send(&self, judged: Judged) -> ControlFlow<()> {
        match self.out.blocking_send(judged) {
            Ok(()) => ControlFlow::Continue(()),
            Err(_) => ControlFlow::Break(()),
        }
    }
}
