// The reader as an import calls it: the roster's kind of columns, limits
// small enough that a run stays quick (the defaults only scale them up).
use kernel::sheet::{read, Columns, Limits};

pub fn read_as(file_name: &str, bytes: &[u8]) {
    let columns = Columns::of(
        &[("student_no", &["学号"][..]), ("name", &["姓名"][..]), ("id", &["身份证号"][..])],
        &["student_no"],
        &["id"],
    );
    let limits = Limits {
        rows: 2_000,
        columns: 64,
        cell_chars: 4_096,
        shared_strings: 20_000,
        unzipped: 8 << 20,
        held: 16 << 20,
        errors: 100,
    };
    let _ = read(file_name, bytes, &columns, &limits);
}
