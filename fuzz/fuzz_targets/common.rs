// The reader as an import drives it: every row of every sheet (an import
// reads the first rows of each sheet for the header, then the data sheet
// through), with limits small enough that a run stays quick (the defaults
// only scale them up).
use std::ops::ControlFlow;
use std::sync::Once;

use sheet_reader::{Book, Error, Limits};

/// A parser's panic that the reader contains (`Error::Unreadable`) is a
/// refusal, as in production, so the fuzzer goes on past it; a panic that
/// escapes the reader still aborts the run. An overflow panic is a finding
/// even contained: built for release, the arithmetic wraps silently instead
/// and may ask for memory the file never had.
fn judge(result: Result<(), Error>) {
    if let Err(Error::Unreadable(said)) = result {
        assert!(!said.contains("overflow"), "a parser's arithmetic overflowed: {said}");
    }
}

pub fn read_as(file_name: &str, bytes: &[u8]) {
    // A parser's panics, which the reader contains, are too many to print.
    static QUIET: Once = Once::new();
    QUIET.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            if !info.location().is_some_and(|at| at.file().contains("/registry/src/")) {
                eprintln!("{info}");
            }
        }))
    });
    let limits = Limits {
        rows: 2_000,
        columns: 64,
        cell_chars: 4_096,
        shared_strings: 20_000,
        unzipped: 8 << 20,
        held: 16 << 20,
        errors: 100,
    };
    let mut book = match Book::open(file_name, bytes, &limits) {
        Ok(book) => book,
        Err(e) => return judge(Err(e)),
    };
    let mut rows = 0;
    for sheet in 0..book.sheet_count() {
        let read = book.rows(sheet, &mut |cells| {
            rows += 1;
            assert!(cells.texts.len() <= limits.columns, "a row over the column limit got through");
            match rows > limits.rows {
                true => ControlFlow::Break(()),
                false => ControlFlow::Continue(()),
            }
        });
        judge(read);
    }
}
