//! How much of a file an import reads (导入上限), whatever the file claims.
//!
//! A spreadsheet says how big it is before it says anything else, and the
//! readers believe it: calamine reserves an .xls sheet's declared dimensions,
//! an .xlsx's declared count of shared strings, and holds every string and
//! every .xls cell at once. So a file is measured before it is opened: an
//! .xlsx's parts are inflated once into nothing, counting bytes and shared
//! strings; an .xls's records are walked as calamine will walk them, adding
//! up what it will hold. Rows, columns and cell lengths are checked as the
//! rows stream by.

use std::io::{Cursor, Read};

use crate::Error;

/// The most rows and columns a sheet can have, and the longest cell Excel holds.
pub const EXCEL_ROWS: usize = 1_048_576;
pub const EXCEL_COLUMNS: usize = 16_384;
pub const EXCEL_CELL_CHARS: usize = 32_767;

/// What an import reads at most; one set for the platform, from the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Data rows below the header (a province's largest roster is about 100,000).
    pub rows: usize,
    /// Columns of any row.
    pub columns: usize,
    /// Characters of one cell.
    pub cell_chars: usize,
    /// Distinct texts of an .xlsx (its shared strings), all held while it is read.
    pub shared_strings: usize,
    /// Bytes an .xlsx's parts inflate to, together.
    pub unzipped: u64,
    /// Bytes a reader holds at once: an .xls's every sheet, an .xlsx's shared strings.
    pub held: u64,
    /// Errors listed on the page and in the report; the rest are only counted.
    pub errors: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            rows: 500_000,
            columns: 1_024,
            cell_chars: 100_000,
            shared_strings: 2_000_000,
            unzipped: 512 << 20,
            held: 160 << 20,
            errors: 1_000,
        }
    }
}

/// The limit a file went over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Rows(usize),
    Columns(usize),
    CellChars(usize),
    SharedStrings(usize),
    Unzipped(u64),
    Held(u64),
    /// A cell placed beyond the sheet Excel allows.
    Excel,
}

fn broken(e: impl std::fmt::Display) -> Error {
    Error::Broken(e.to_string())
}

/// Measures an .xlsx (any zip) before calamine opens it: each part inflated
/// into nothing (the sizes the zip declares can lie), its shared strings
/// counted and their declared count checked, since calamine reserves it.
pub fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), Error> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(broken)?;
    let (mut unzipped, mut strings, mut held) = (0u64, 0usize, 0u64);
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).map_err(broken)?;
        if part.size() > limits.unzipped.saturating_sub(unzipped) {
            return Err(Error::Over(Limit::Unzipped(limits.unzipped)));
        }
        let shared = part.name().map_err(broken)?.to_ascii_lowercase().ends_with("sharedstrings.xml");
        let mut tags = Tags::default();
        let mut chunk = vec![0u8; 64 * 1024];
        let mut size = 0u64;
        loop {
            let n = part.read(&mut chunk).map_err(broken)?;
            if n == 0 {
                break;
            }
            size += n as u64;
            if unzipped + size > limits.unzipped {
                return Err(Error::Over(Limit::Unzipped(limits.unzipped)));
            }
            tags.scan(&chunk[..n]);
            if strings + tags.si > limits.shared_strings || tags.declared > limits.shared_strings as u64 {
                return Err(Error::Over(Limit::SharedStrings(limits.shared_strings)));
            }
        }
        unzipped += size;
        strings += tags.si;
        if shared {
            // A string held costs its text and about 32 bytes besides.
            held += size + 32 * tags.si as u64;
            if held > limits.held {
                return Err(Error::Over(Limit::Held(limits.held)));
            }
        }
    }
    Ok(())
}

/// Counts `si` elements (prefixed or not) and reads `uniqueCount` off `sst`
/// tags, across chunk boundaries.
#[derive(Default)]
struct Tags {
    /// The tag being read, from just after its `<`, up to its first 256 bytes.
    tag: Option<Vec<u8>>,
    si: usize,
    /// The largest `uniqueCount` declared.
    declared: u64,
}

impl Tags {
    fn scan(&mut self, bytes: &[u8]) {
        for &b in bytes {
            match (&mut self.tag, b) {
                (None, b'<') => self.tag = Some(Vec::new()),
                (None, _) => {}
                (Some(_), b'>') => {
                    let tag = self.tag.take().unwrap_or_default();
                    self.close(&tag);
                }
                (Some(tag), _) if tag.len() < 256 => tag.push(b),
                (Some(_), _) => {}
            }
        }
    }

    fn close(&mut self, tag: &[u8]) {
        let name_end = tag.iter().position(|b| b.is_ascii_whitespace() || *b == b'/').unwrap_or(tag.len());
        let name = &tag[..name_end];
        let local = name.rsplit(|b| *b == b':').next().unwrap_or(name);
        match local {
            b"si" => self.si += 1,
            b"sst" => self.declared = self.declared.max(unique_count(&tag[name_end..])),
            _ => {}
        }
    }
}

/// The digits of a `uniqueCount` attribute, as large as they say (saturating).
fn unique_count(attributes: &[u8]) -> u64 {
    let Some(at) = attributes.windows(11).position(|w| w == b"uniqueCount") else { return 0 };
    attributes[at + 11..]
        .iter()
        .skip_while(|b| !b.is_ascii_digit())
        .take_while(|b| b.is_ascii_digit())
        .fold(0u64, |n, d| n.saturating_mul(10).saturating_add(u64::from(d - b'0')))
}

/// A cell as calamine's .xls reader holds it, position and value.
const XLS_CELL: u64 = 40;
/// Continuation records one record may have (calamine takes them one by one from the front).
const XLS_CONTINUES: usize = 4_096;

/// Measures an .xls before calamine opens it: calamine reads every sheet at
/// open, reserving each sheet's declared dimensions and copying a shared
/// string into each cell that names it, so the records are walked as it walks
/// them (the sheets from where the workbook says they start) and what it
/// would hold is added up.
pub fn check_xls(bytes: &[u8], limits: &Limits) -> Result<(), Error> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(broken)?;
    let name = ["/Workbook", "/Book"].into_iter().find(|n| file.is_stream(n)).ok_or_else(|| broken("no workbook"))?;
    let mut stream = Vec::new();
    file.open_stream(name).map_err(broken)?.take(bytes.len() as u64).read_to_end(&mut stream).map_err(broken)?;
    let mut held = Held { limit: limits.held, bytes: 0 };
    let mut strings: Vec<u64> = Vec::new();
    let mut sheets = Vec::new();
    for record in Records::new(&stream) {
        let record = record?;
        match record.kind {
            0x0085 if record.data.len() >= 4 => sheets.push(read_u32(record.data) as usize),
            0x00FC => strings = sst_lengths(&record)?,
            0x0018 => {
                // calamine takes a defined name's formula as the record's last `cce`
                // bytes, unchecked: more than the record holds overflows.
                let data = record.data;
                if data.len() >= 6 && usize::from(read_u16(&data[4..])) > data.len() {
                    return Err(broken("a defined name (NAME) longer than its record"));
                }
                held.add(64 + 128 * record.len())?
            }
            0x000A => break,
            _ => {}
        }
    }
    held.add(strings.iter().map(|s| s + 24).sum())?;
    let mut widest = 0;
    for start in sheets {
        let sheet = stream.get(start..).ok_or_else(|| broken("a sheet past the end"))?;
        let measured = measure_sheet(sheet, &strings, limits)?;
        held.add(measured.cells.max(measured.declared) * XLS_CELL + measured.text)?;
        widest = widest.max(measured.span);
    }
    // Reading a sheet lays its cells out on a grid of their extent.
    held.add(widest * 32)
}

struct Held {
    limit: u64,
    bytes: u64,
}

impl Held {
    fn add(&mut self, bytes: u64) -> Result<(), Error> {
        self.bytes = self.bytes.saturating_add(bytes);
        if self.bytes > self.limit {
            return Err(Error::Over(Limit::Held(self.limit)));
        }
        Ok(())
    }
}

/// One sheet as calamine will hold it.
#[derive(Default)]
struct Measured {
    /// Cells the DIMENSIONS record declares (calamine reserves them).
    declared: u64,
    cells: u64,
    /// Text besides the cells: strings and formulas.
    text: u64,
    /// Cells of the grid spanned from the first row and column to the last.
    span: u64,
}

fn measure_sheet(sheet: &[u8], strings: &[u64], limits: &Limits) -> Result<Measured, Error> {
    let mut m = Measured::default();
    let (mut first, mut last) = ((u64::MAX, u64::MAX), (0u64, 0u64));
    let mut seen_bof = false;
    let mut depth = 0usize;
    for record in Records::new(sheet) {
        let record = record?;
        let data = record.data;
        if depth > 0 {
            match record.kind {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let cells = match record.kind {
            0x0809 if seen_bof => {
                depth += 1;
                0
            }
            0x0809 => {
                seen_bof = true;
                0
            }
            0x000A => break,
            0x0200 => {
                let (rows, columns) = declared(data)?;
                if rows > limits.rows as u64 + 1_000 {
                    return Err(Error::Over(Limit::Rows(limits.rows)));
                }
                if columns > limits.columns as u64 {
                    return Err(Error::Over(Limit::Columns(limits.columns)));
                }
                m.declared = m.declared.max(rows * columns);
                0
            }
            0x00FD if data.len() >= 10 => {
                let text = strings.get(read_u32(&data[6..]) as usize).copied().unwrap_or(0);
                m.text = m.text.saturating_add(text);
                1
            }
            0x0204 | 0x00D6 | 0x0207 => {
                m.text = m.text.saturating_add(3 * record.len());
                1
            }
            0x0006 => {
                m.text = m.text.saturating_add(64 + 128 * record.len());
                1
            }
            0x0203 | 0x0205 | 0x027E => 1,
            0x00BD => {
                // calamine subtracts a MULRK's first column from its last in u16: the
                // wrong way round that overflows (and wraps, built for release).
                if data.len() >= 6 && read_u16(&data[data.len() - 2..]) < read_u16(&data[2..]) {
                    return Err(broken("a run of numbers (MULRK) whose last column is before its first"));
                }
                (data.len().saturating_sub(6) / 6) as u64
            }
            _ => 0,
        };
        if cells > 0 && data.len() >= 4 {
            let (row, column) = (u64::from(read_u16(data)), u64::from(read_u16(&data[2..])));
            let last_column = column + cells - 1;
            if last_column >= limits.columns as u64 {
                return Err(Error::Over(Limit::Columns(limits.columns)));
            }
            first = (first.0.min(row), first.1.min(column));
            last = (last.0.max(row), last.1.max(last_column));
            m.cells += cells;
        }
    }
    if m.cells > 0 {
        m.span = (last.0 - first.0 + 1) * (last.1 - first.1 + 1);
    }
    Ok(m)
}

/// The rows and columns a DIMENSIONS record declares, as calamine reads them.
fn declared(r: &[u8]) -> Result<(u64, u64), Error> {
    let (rf, rl, mut cf, cl) = match r.len() {
        10 => (read_u16(r) as u32, read_u16(&r[2..]) as u32, read_u16(&r[4..]) as u32, read_u16(&r[6..]) as u32),
        14 | 16 => (read_u32(r), read_u32(&r[4..]), read_u16(&r[8..]) as u32, read_u16(&r[10..]) as u32),
        _ => return Err(broken("dimensions")),
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    if rl < 1 || cl < 1 {
        return Ok((1, 1));
    }
    // calamine counts the rows as last - first + 1 unchecked: a first row past
    // the last wraps to billions it then reserves (found by the xls fuzzer).
    if rf >= rl {
        return Err(broken("dimensions: the first row is after the last"));
    }
    let rows = u64::from(rl - rf);
    let columns = u64::from(cl.saturating_sub(cf)).max(1);
    Ok((rows, columns))
}

/// The decoded size of each string of the shared string table (SST), at most
/// three bytes a character; each string may run on into the next CONTINUE record.
fn sst_lengths(record: &Record) -> Result<Vec<u64>, Error> {
    let mut parts = Parts { parts: &record.parts, part: 0, at: 8 };
    let mut lengths = Vec::new();
    if record.parts[0].len() < 8 {
        return Err(broken("sst"));
    }
    while parts.more() {
        let cch = u64::from(parts.u16()?);
        let flags = parts.byte()?;
        let runs = if flags & 0x8 != 0 { parts.u16()? as usize * 4 } else { 0 };
        let ext = if flags & 0x4 != 0 { parts.u32()? as usize } else { 0 };
        parts.chars(cch as usize, flags & 1 != 0)?;
        parts.skip(runs)?;
        parts.skip(ext)?;
        lengths.push(3 * cch);
    }
    Ok(lengths)
}

/// A record's data and its CONTINUE records, read as one run of bytes.
struct Parts<'a, 'r> {
    parts: &'r [&'a [u8]],
    part: usize,
    at: usize,
}

impl Parts<'_, '_> {
    fn more(&mut self) -> bool {
        while self.part < self.parts.len() && self.at >= self.parts[self.part].len() {
            self.part += 1;
            self.at = 0;
        }
        self.part < self.parts.len()
    }

    fn byte(&mut self) -> Result<u8, Error> {
        if !self.more() {
            return Err(broken("sst ends early"));
        }
        self.at += 1;
        Ok(self.parts[self.part][self.at - 1])
    }

    fn u16(&mut self) -> Result<u16, Error> {
        Ok(u16::from_le_bytes([self.byte()?, self.byte()?]))
    }

    fn u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from(self.u16()?) | (u32::from(self.u16()?) << 16))
    }

    fn skip(&mut self, mut n: usize) -> Result<(), Error> {
        while n > 0 {
            if !self.more() {
                return Err(broken("sst ends early"));
            }
            let step = n.min(self.parts[self.part].len() - self.at);
            self.at += step;
            n -= step;
        }
        Ok(())
    }

    /// Characters, one or two bytes each; a CONTINUE record in the middle
    /// starts with a byte saying which.
    fn chars(&mut self, mut n: usize, mut wide: bool) -> Result<(), Error> {
        loop {
            let width = if wide { 2 } else { 1 };
            let here = self.parts.get(self.part).map_or(0, |p| p.len().saturating_sub(self.at)) / width;
            let step = n.min(here);
            self.at += step * width;
            n -= step;
            if n == 0 {
                return Ok(());
            }
            self.part += 1;
            self.at = 0;
            if self.part >= self.parts.len() {
                return Err(broken("sst ends early"));
            }
            wide = self.byte()? & 1 != 0;
        }
    }
}

/// A BIFF record and the CONTINUE records after it.
struct Record<'a> {
    kind: u16,
    data: &'a [u8],
    parts: Vec<&'a [u8]>,
}

impl Record<'_> {
    fn len(&self) -> u64 {
        self.parts.iter().map(|p| p.len() as u64).sum()
    }
}

struct Records<'a> {
    stream: &'a [u8],
}

impl<'a> Records<'a> {
    fn new(stream: &'a [u8]) -> Self {
        Records { stream }
    }

    fn take(&mut self) -> Option<(u16, &'a [u8])> {
        if self.stream.len() < 4 {
            return None;
        }
        let (kind, len) = (read_u16(self.stream), read_u16(&self.stream[2..]) as usize);
        let data = self.stream.get(4..4 + len)?;
        self.stream = &self.stream[4 + len..];
        Some((kind, data))
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.stream.is_empty() {
            return None;
        }
        let Some((kind, data)) = self.take() else {
            self.stream = &[];
            return Some(Err(broken("a record runs past the end")));
        };
        let mut parts = vec![data];
        while self.stream.len() > 4 && read_u16(self.stream) == 0x003C {
            match self.take() {
                Some((_, part)) if parts.len() <= XLS_CONTINUES => parts.push(part),
                _ => {
                    self.stream = &[];
                    return Some(Err(broken("continuation records")));
                }
            }
        }
        Some(Ok(Record { kind, data, parts }))
    }
}

fn read_u16(b: &[u8]) -> u16 {
    u16::from_le_bytes([b[0], b[1]])
}

fn read_u32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::every_row;
    use crate::hostile;

    const HEADERS: [&str; 2] = ["学号", "姓名"];

    fn refused(name: &str, bytes: &[u8], limits: &Limits) -> Limit {
        match every_row(name, bytes, limits) {
            Err(Error::Over(limit)) => limit,
            other => panic!("{name}: not refused over a limit: {other:?}"),
        }
    }

    #[test]
    fn an_xls_claiming_billions_of_cells_is_refused_before_calamine_reserves_them() {
        let limit = refused("d.xls", &hostile::xls_dimensions(), &Limits::default());
        assert_eq!(limit, Limit::Rows(Limits::default().rows));
    }

    #[test]
    fn an_xls_row_of_shared_strings_is_measured_by_the_strings_it_copies() {
        // One 60,000-character string named by 2,000 cells: 360 MB once copied.
        let mut sst = vec![1, 0, 0, 0, 1, 0, 0, 0];
        sst.extend([0x60, 0xEA, 0]);
        let mut records: Vec<(u16, Vec<u8>)> = vec![(0x00FC, [sst.clone(), vec![b'a'; 8000]].concat())];
        let long = vec![b'a'; 60_000 - 8000];
        for part in long.chunks(8000) {
            records.push((0x003C, [vec![0], part.to_vec()].concat()));
        }
        let cells = (0..2000u16).map(|r| (0x00FDu16, [r.to_le_bytes(), [0, 0], [0, 0], [0, 0], [0, 0]].concat()));
        // The SST belongs to the globals; put it before the sheet by measuring the sheet alone.
        let strings = sst_lengths(&Record {
            kind: 0x00FC,
            data: &records[0].1,
            parts: records.iter().map(|(_, d)| d.as_slice()).collect(),
        })
        .unwrap();
        assert_eq!(strings, vec![180_000]);
        let sheet: Vec<u8> = cells
            .flat_map(|(kind, data)| {
                [kind.to_le_bytes().to_vec(), (data.len() as u16).to_le_bytes().to_vec(), data].concat()
            })
            .collect();
        let measured = measure_sheet(&sheet, &strings, &Limits::default()).unwrap();
        assert_eq!((measured.cells, measured.text), (2000, 360_000_000));
    }

    #[test]
    fn a_cell_beyond_excels_last_column_is_refused_before_the_row_grows() {
        assert_eq!(refused("far.xlsx", &hostile::xlsx_far_column(&HEADERS), &Limits::default()), Limit::Excel);
        let narrow = Limits { columns: 2, ..Limits::default() };
        let mut rows = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>学号</t></is></c>"#.as_bytes().to_vec();
        rows.extend(br#"<c r="C1" t="inlineStr"><is><t>x</t></is></c></row>"#);
        assert_eq!(refused("c.xlsx", &hostile::xlsx(&rows, None), &narrow), Limit::Columns(2));
    }

    #[test]
    fn shared_strings_are_counted_and_their_declared_count_checked() {
        let few = Limits { shared_strings: 100, ..Limits::default() };
        let many = hostile::xlsx_shared_strings(&HEADERS, 101, 101);
        assert_eq!(refused("s.xlsx", &many, &few), Limit::SharedStrings(100));
        let declared = hostile::xlsx_shared_strings(&HEADERS, 1, 4_000_000_000);
        assert_eq!(refused("s.xlsx", &declared, &few), Limit::SharedStrings(100));
        let fine = hostile::xlsx_shared_strings(&HEADERS, 100, 100);
        assert!(every_row("s.xlsx", &fine, &few).is_ok());
    }

    #[test]
    fn an_xlsx_is_refused_by_what_it_inflates_to() {
        let small = Limits { unzipped: 64 << 10, ..Limits::default() };
        let rows = hostile::xlsx_rows(&HEADERS, 2_000);
        assert!(rows.len() < 64 << 10, "the file itself is small");
        assert_eq!(refused("r.xlsx", &rows, &small), Limit::Unzipped(64 << 10));
    }

    #[test]
    fn columns_and_cells_over_the_limits_are_refused() {
        let limits = Limits { columns: 3, cell_chars: 5, ..Limits::default() };
        assert_eq!(refused("c.csv", "学号,姓名,a,b\n1,2,3,4\n".as_bytes(), &limits), Limit::Columns(3));
        assert_eq!(refused("l.csv", "学号,姓名\n123456,2\n".as_bytes(), &limits), Limit::CellChars(5));
        assert!(every_row("l.csv", "学号,姓名\n张三李四五,2\n".as_bytes(), &limits).is_ok(), "characters, not bytes");
    }

    #[test]
    fn a_real_xls_passes() {
        let xls = include_bytes!("../../jiuye/tests/fixtures/roster.xls");
        check_xls(xls, &Limits::default()).unwrap();
    }
}
