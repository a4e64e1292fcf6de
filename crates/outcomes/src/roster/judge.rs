//! The reading side of an import, run on its own thread: rows are read and
//! judged in batches and handed to the writer while the next batch is read,
//! so reading the file and writing the database share the machine's cores.

use std::ops::ControlFlow;

use tokio::sync::{mpsc, oneshot};

use super::check::{Checker, Reference, RosterRow, RowError};
use super::columns::Field;
use kernel::sheet::{Input, Limits, Line, ReadError, Row};

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

/// Reads the input, waits for the reference data at the header row, and
/// sends judged batches until the rows end or the writer stops listening.
/// Hands the input back for the error report.
pub fn run(
    input: Input,
    limits: &Limits,
    reference: oneshot::Receiver<Reference>,
    out: mpsc::Sender<Judged>,
) -> Result<Input, ReadError> {
    let mut judge = Judge { reference: Some(reference), checker: None, rows: 0, verdicts: Vec::new(), out };
    input.stream(&Field::columns(), limits, |line| match line {
        Line::Headers { line, cells, rows } => judge.headers(line, cells, rows),
        Line::Row(row) => judge.row(&row),
    })?;
    let _ = judge.flush();
    Ok(input)
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
