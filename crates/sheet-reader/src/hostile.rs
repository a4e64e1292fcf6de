//! Hostile spreadsheets (恶意文件), small on disk and huge once believed: the
//! shapes of issue 10, made here once for the unit and integration tests,
//! the fuzzers' seed corpus and `bench/run.sh hostile`.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;

/// An .xls whose one sheet's DIMENSIONS record claims 4,294,967,295 rows by
/// 65,535 columns.
pub fn xls_dimensions() -> Vec<u8> {
    // BIFF8 DIMENSIONS: first row, last row + 1 (u32), first column, last column + 1 (u16), reserved.
    let mut dimensions = Vec::new();
    dimensions.extend(0u32.to_le_bytes());
    dimensions.extend(u32::MAX.to_le_bytes());
    dimensions.extend(0u16.to_le_bytes());
    dimensions.extend(u16::MAX.to_le_bytes());
    dimensions.extend(0u16.to_le_bytes());
    xls(&[(0x0200, dimensions)])
}

/// An .xls of one sheet holding `records` (BIFF8 record type, data).
pub fn xls(records: &[(u16, Vec<u8>)]) -> Vec<u8> {
    let record = |kind: u16, data: &[u8]| {
        let mut r = kind.to_le_bytes().to_vec();
        r.extend((data.len() as u16).to_le_bytes());
        r.extend(data);
        r
    };
    let bof = |dt: u16| [0x0600u16.to_le_bytes(), dt.to_le_bytes(), [0, 0], [0, 0]].concat();
    let bof = |dt: u16| [bof(dt), vec![0; 8]].concat();
    let name = b"Sheet1";
    let sheet_entry = |pos: u32| {
        let mut d = pos.to_le_bytes().to_vec();
        d.extend([0, 0, name.len() as u8, 0]);
        d.extend(name);
        d
    };
    let globals_len = record(0x0809, &bof(5)).len() + record(0x0085, &sheet_entry(0)).len() + 4;
    let mut stream = record(0x0809, &bof(5));
    stream.extend(record(0x0085, &sheet_entry(globals_len as u32)));
    stream.extend(record(0x000A, &[]));
    stream.extend(record(0x0809, &bof(0x10)));
    for (kind, data) in records {
        stream.extend(record(*kind, data));
    }
    stream.extend(record(0x000A, &[]));
    compound(&stream)
}

/// An OLE compound file holding `stream` as its Workbook.
fn compound(stream: &[u8]) -> Vec<u8> {
    let make = || -> std::io::Result<Vec<u8>> {
        let mut file = cfb::CompoundFile::create(Cursor::new(Vec::new()))?;
        file.create_stream("/Workbook")?.write_all(stream)?;
        file.flush()?;
        Ok(file.into_inner().into_inner())
    };
    make().unwrap_or_default()
}

/// An .xlsx whose one sheet is `sheet_data` (the rows inside `<sheetData>`),
/// with `shared` as its shared strings part when given.
pub fn xlsx(sheet_data: &[u8], shared: Option<&[u8]>) -> Vec<u8> {
    match shared {
        Some(shared) => workbook(sheet_data, Some(&|w: &mut dyn Write| w.write_all(shared))),
        None => workbook(sheet_data, None),
    }
}

/// Writes a part as it is compressed, so a part of gigabytes never is in memory.
type Writes<'a> = &'a dyn Fn(&mut dyn Write) -> std::io::Result<()>;

/// An .xlsx of one sheet, its shared strings part written by `shared` when given.
fn workbook(sheet_data: &[u8], shared: Option<Writes>) -> Vec<u8> {
    let sheet = [SHEET_START.as_bytes(), sheet_data, b"</sheetData></worksheet>"].concat();
    let parts: [(&str, &[u8]); 5] = [
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", &sheet),
    ];
    let make = || -> zip::result::ZipResult<Vec<u8>> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(9))
            .large_file(true);
        for (name, bytes) in parts {
            zip.start_file(name, options)?;
            zip.write_all(bytes)?;
        }
        if let Some(shared) = shared {
            zip.start_file("xl/sharedStrings.xml", options)?;
            shared(&mut zip)?;
        }
        Ok(zip.finish()?.into_inner())
    };
    make().unwrap_or_default()
}

/// An .xlsx with the header `headers` and one cell at column `ZZZZZZ`.
pub fn xlsx_far_column(headers: &[&str]) -> Vec<u8> {
    let mut rows = header_row(headers);
    rows.extend(br#"<row r="2"><c r="ZZZZZZ2" t="inlineStr"><is><t>x</t></is></c></row>"#);
    xlsx(&rows, None)
}

/// An .xlsx with the header `headers` and `rows` rows of one short text cell.
pub fn xlsx_rows(headers: &[&str], rows: usize) -> Vec<u8> {
    let mut data = header_row(headers);
    for r in 2..rows + 2 {
        data.extend(format!(r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x</t></is></c></row>"#).bytes());
    }
    xlsx(&data, None)
}

/// An .xlsx whose shared strings part holds `count` empty strings and
/// declares `declared`; 125 million of them are 1.6 GB inflated, a few MB on disk.
pub fn xlsx_shared_strings(headers: &[&str], count: usize, declared: u64) -> Vec<u8> {
    const EMPTY: &[u8] = b"<si><t/></si>";
    let write = |w: &mut dyn Write| {
        write!(w, r#"<sst xmlns="{MAIN}" count="{count}" uniqueCount="{declared}">"#)?;
        let run = EMPTY.repeat(4096);
        for _ in 0..count / 4096 {
            w.write_all(&run)?;
        }
        w.write_all(&EMPTY.repeat(count % 4096))?;
        w.write_all(b"</sst>")
    };
    workbook(&header_row(headers), Some(&write))
}

/// A CSV with the header `headers` and `rows` rows that fill no column.
pub fn csv_blank_rows(headers: &[&str], rows: usize) -> Vec<u8> {
    let mut csv = format!("{}\n", headers.join(",")).into_bytes();
    let row = format!("x{}\n", ",".repeat(headers.len().saturating_sub(1)));
    for _ in 0..rows {
        csv.extend(row.as_bytes());
    }
    csv
}

fn header_row(headers: &[&str]) -> Vec<u8> {
    let mut row = br#"<row r="1">"#.to_vec();
    for (c, h) in headers.iter().enumerate() {
        let column = (b'A' + c as u8) as char;
        row.extend(format!(r#"<c r="{column}1" t="inlineStr"><is><t>{h}</t></is></c>"#).bytes());
    }
    row.extend(b"</row>");
    row
}

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
