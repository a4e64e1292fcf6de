//! Reading a roster file into rows of text: .xlsx and .xls (calamine), and
//! .csv in UTF-8 or GB18030/GBK, as Chinese Excel saves it.

use std::io::Cursor;

use calamine::{Data, Reader};

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("unsupported file type")]
    Kind,
    #[error("the file could not be read: {0}")]
    Broken(String),
    #[error("the file has no header row")]
    Empty,
}

/// A file's header row and its data rows, every cell as trimmed text.
#[derive(Debug, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Reads by the file name's extension, falling back to sniffing the bytes.
pub fn read(file_name: &str, bytes: &[u8]) -> Result<Table, ReadError> {
    let lower = file_name.to_lowercase();
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if lower.ends_with(".xlsx") || lower.ends_with(".xls") || lower.ends_with(".xlsm") || is_zip || is_ole {
        read_workbook(bytes)
    } else if lower.ends_with(".csv") || lower.ends_with(".txt") || !bytes.is_empty() {
        read_csv(bytes)
    } else {
        Err(ReadError::Kind)
    }
}

fn read_workbook(bytes: &[u8]) -> Result<Table, ReadError> {
    let mut workbook =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| ReadError::Broken(e.to_string()))?;
    let range =
        workbook.worksheet_range_at(0).ok_or(ReadError::Empty)?.map_err(|e| ReadError::Broken(e.to_string()))?;
    let mut rows = range.rows().map(|r| r.iter().map(cell_text).collect::<Vec<String>>());
    let headers = rows.next().ok_or(ReadError::Empty)?;
    Ok(Table { headers, rows: rows.filter(|r| r.iter().any(|c| !c.is_empty())).collect() })
}

/// A cell as the text a person sees: whole numbers without ".0", dates as
/// `YYYY-MM-DD` (Excel stores them as day serials).
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => {
            d.as_datetime().map(|t| t.date().format("%Y-%m-%d").to_string()).unwrap_or_else(|| d.to_string())
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.chars().take(10).collect(),
        Data::Error(e) => format!("{e:?}"),
    }
}

/// Decodes UTF-8 (with or without BOM), else GB18030, a superset of GBK.
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

fn read_csv(bytes: &[u8]) -> Result<Table, ReadError> {
    let text = decode_text(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    let headers: Vec<String> = match records.next() {
        Some(Ok(r)) => r.iter().map(|c| c.trim().to_owned()).collect(),
        Some(Err(e)) => return Err(ReadError::Broken(e.to_string())),
        None => return Err(ReadError::Empty),
    };
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|e| ReadError::Broken(e.to_string()))?;
        let row: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
        if row.iter().any(|c| !c.is_empty()) {
            rows.push(row);
        }
    }
    Ok(Table { headers, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_and_utf8_csv() {
        let utf8 = "学号,姓名\n001,张三\n\n";
        let t = read("a.csv", utf8.as_bytes()).unwrap();
        assert_eq!(t.headers, vec!["学号", "姓名"]);
        assert_eq!(t.rows, vec![vec!["001".to_owned(), "张三".to_owned()]]);
        let (gbk, _, _) = encoding_rs::GBK.encode("学号,姓名\r\n002,李四\r\n");
        let t = read("b.csv", &gbk).unwrap();
        assert_eq!(t.rows[0][1], "李四");
        let bom = [b"\xEF\xBB\xBF".as_slice(), utf8.as_bytes()].concat();
        assert_eq!(read("c.csv", &bom).unwrap().headers[0], "学号");
    }
}
