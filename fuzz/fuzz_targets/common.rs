// The reader as an import drives it: every row of every sheet (an import
// reads the first rows of each sheet for the header, then the data sheet
// through), with limits small enough that a run stays quick (the defaults
// only scale them up).
use std::ops::ControlFlow;

use sheet_reader::{Book, Limits};

pub fn read_as(file_name: &str, bytes: &[u8]) {
    let limits = Limits {
        rows: 2_000,
        columns: 64,
        cell_chars: 4_096,
        shared_strings: 20_000,
        unzipped: 8 << 20,
        held: 16 << 20,
        errors: 100,
    };
    let Ok(mut book) = Book::open(file_name, bytes, &limits) else { return };
    let mut rows = 0;
    for sheet in 0..book.sheet_count() {
        let _ = book.rows(sheet, &mut |cells| {
            rows += 1;
            assert!(cells.texts.len() <= limits.columns, "a row over the column limit got through");
            match rows > limits.rows {
                true => ControlFlow::Break(()),
                false => ControlFlow::Continue(()),
            }
        });
    }
}
