//! Writes the hostile files of issue 10 into a folder: `bench` for the
//! benchmark (full size, as the issue measured them), `seeds` for the
//! fuzzers' corpus (a few KB each, beside valid small files).
//!
//! cargo run --release -p sheet-reader --example hostile -- bench bench/out/hostile

use sheet_reader::hostile;

/// The roster's headers, so the files reach the header search and beyond.
const HEADERS: [&str; 12] = [
    "学号",
    "姓名",
    "性别",
    "身份证号",
    "生源地代码",
    "民族名称",
    "政治面貌",
    "城乡生源",
    "专业代码",
    "学历层次",
    "院系",
    "手机号",
];

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(kind), Some(dir)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: hostile bench|seeds DIR");
        std::process::exit(2);
    };
    let dir = std::path::Path::new(dir);
    std::fs::create_dir_all(dir)?;
    let full = kind == "bench";
    let mut long = format!("{}\n", HEADERS.join(","));
    long += &format!("T1,{},男,,,,,,000000,,,\n", "长".repeat(if full { 40_000 } else { 400 }));
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("dimensions.xls", hostile::xls_dimensions()),
        ("far-column.xlsx", hostile::xlsx_far_column(&HEADERS)),
        ("shared-declared.xlsx", hostile::xlsx_shared_strings(&HEADERS, 10, 125_000_000)),
        ("shared-counted.xlsx", hostile::xlsx_shared_strings(&HEADERS, if full { 125_000_000 } else { 300 }, 0)),
        ("million-rows.xlsx", hostile::xlsx_rows(&HEADERS, if full { 1_000_000 } else { 30 })),
        ("flood.csv", hostile::csv_blank_rows(&HEADERS, if full { 1_100_000 } else { 30 })),
        ("long-cell.csv", long.into_bytes()),
    ];
    let files = match full {
        true => files,
        false => [files, valid()].concat(),
    };
    for (name, bytes) in files {
        let name = if full { name.to_owned() } else { format!("seed-{name}") };
        std::fs::write(dir.join(&name), &bytes)?;
        println!("{name}\t{} bytes", bytes.len());
    }
    Ok(())
}

/// Small files as offices send them, for the fuzzers to start from.
fn valid() -> Vec<(&'static str, Vec<u8>)> {
    let rows = [["T000001", "张三", "男", "430104200001010011"], ["T000002", "李四", "女", "430104200001010020"]];
    let mut csv = format!("{}\n", HEADERS[..4].join(","));
    for row in rows {
        csv += &format!("{}\n", row.join(","));
    }
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let mut write = || -> Result<(), rust_xlsxwriter::XlsxError> {
        for (c, h) in HEADERS[..4].iter().enumerate() {
            sheet.write_string(0, c as u16, *h)?;
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                sheet.write_string(r as u32 + 1, c as u16, *v)?;
            }
        }
        sheet.write_number(3, 3, 430104200001010011.0)?;
        Ok(())
    };
    write().expect("a small workbook");
    let xlsx = book.save_to_buffer().expect("a small workbook");
    vec![("valid.csv", csv.into_bytes()), ("valid.xlsx", xlsx)]
}
