//! The reading side of an import, run on its own thread: rows are read and
//! judged in batches and handed to the writer while the next batch is read,
//! so reading the file and writing the database share the machine's cores.

use std::ops::ControlFlow;

use tokio::sync::{mpsc, oneshot};

use super::check::{Checker, Reference, RosterRow, RowError};
use super::read::{self, Line, ReadError};

/// Rows judged and handed on together.
pub const BATCH_ROWS: usize = 1000;

/// What the reading side hands the writer, in file order.
#[derive(Debug)]
pub enum Judged {
    /// The header row; `refused` lists the required columns it lacks (then no
    /// row is judged, but every row still comes for the error report).
    Headers { cells: Vec<String>, rows_hint: Option<usize>, refused: Vec<RowError> },
    /// Data rows from spreadsheet line `first_line` on, with each row's verdict
    /// (empty when the header row was refused).
    Rows { first_line: usize, rows: Vec<Vec<String>>, verdicts: Vec<Result<RosterRow, Vec<RowError>>> },
}

/// Reads `bytes`, waits for the reference data at the header row, and sends
/// judged batches until the file ends or the writer stops listening.
pub fn run(
    file_name: &str,
    bytes: &[u8],
    reference: oneshot::Receiver<Reference>,
    out: mpsc::Sender<Judged>,
) -> Result<(), ReadError> {
    let mut judge = Judge { reference: Some(reference), checker: None, batch: Vec::new(), next_line: 2, out };
    read::stream(file_name, bytes, |line| match line {
        Line::Headers { cells, rows } => judge.headers(cells, rows),
        Line::Row(row) => {
            judge.batch.push(row);
            if judge.batch.len() == BATCH_ROWS {
                judge.flush()
            } else {
                ControlFlow::Continue(())
            }
        }
    })?;
    let _ = judge.flush();
    Ok(())
}

struct Judge {
    reference: Option<oneshot::Receiver<Reference>>,
    checker: Option<Checker>,
    batch: Vec<Vec<String>>,
    next_line: usize,
    out: mpsc::Sender<Judged>,
}

impl Judge {
    fn headers(&mut self, cells: Vec<String>, rows_hint: Option<usize>) -> ControlFlow<()> {
        // The writer drops the sender when it could not load the reference.
        let Some(Ok(reference)) = self.reference.take().map(|r| r.blocking_recv()) else {
            return ControlFlow::Break(());
        };
        let refused = match Checker::new(cells.clone(), reference) {
            Ok(checker) => {
                self.checker = Some(checker);
                Vec::new()
            }
            Err(refused) => refused,
        };
        self.send(Judged::Headers { cells, rows_hint, refused })
    }

    fn flush(&mut self) -> ControlFlow<()> {
        if self.batch.is_empty() {
            return ControlFlow::Continue(());
        }
        let rows = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH_ROWS));
        let first_line = self.next_line;
        self.next_line += rows.len();
        let verdicts = match &mut self.checker {
            Some(checker) => rows.iter().enumerate().map(|(i, row)| checker.row(first_line + i, row)).collect(),
            None => Vec::new(),
        };
        self.send(Judged::Rows { first_line, rows, verdicts })
    }

    fn send(&self, judged: Judged) -> ControlFlow<()> {
        match self.out.blocking_send(judged) {
            Ok(()) => ControlFlow::Continue(()),
            Err(_) => ControlFlow::Break(()),
        }
    }
}
