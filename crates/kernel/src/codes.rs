//! Code tables (代码表): versioned, seeded from the CSV files in `data/codes/`,
//! never constants in code. Destination categories carry their rate bucket per
//! rate definition and the evidence each needs.

use std::collections::HashMap;

use serde::Serialize;

use crate::db::{Db, DbResult, Tx};
use crate::Locale;

#[derive(rust_embed::RustEmbed)]
#[folder = "../../data/codes/"]
struct CodeFiles;

/// The version of code tables that are not versioned by cohort.
pub const BASE_VERSION: &str = "base";

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Code {
    pub kind: String,
    pub version: String,
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub parent_code: Option<String>,
    pub bucket_2021: Option<String>,
    pub bucket_2024: Option<String>,
    pub evidence: Option<String>,
    pub unverified: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("code file {file}: {reason}")]
    File { file: String, reason: String },
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
}

fn parse_file(file: &str, bytes: &[u8]) -> Result<Vec<Code>, SeedError> {
    let kind = file.trim_end_matches(".csv").to_owned();
    let bad = |reason: String| SeedError::File { file: file.to_owned(), reason };
    let mut reader = csv::Reader::from_reader(bytes);
    let headers = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let mut codes = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        let get = |name: &str| {
            col(name).and_then(|i| record.get(i)).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
        };
        codes.push(Code {
            kind: kind.clone(),
            version: get("version").unwrap_or_else(|| BASE_VERSION.to_owned()),
            code: get("code").ok_or_else(|| bad("row without code".into()))?,
            name: get("name").ok_or_else(|| bad("row without name".into()))?,
            name_en: get("name_en"),
            parent_code: get("parent_code"),
            bucket_2021: get("bucket_2021"),
            bucket_2024: get("bucket_2024"),
            evidence: get("evidence"),
            unverified: get("unverified").as_deref() == Some("1"),
        });
    }
    Ok(codes)
}

impl Code {
    /// The name in the reader's language; Chinese where no English name is kept.
    pub fn label(&self, l: Locale) -> &str {
        match (l, &self.name_en) {
            (Locale::En, Some(en)) if !en.is_empty() => en,
            _ => &self.name,
        }
    }
}

/// Code → name in the reader's language, for one kind and version.
pub async fn labels(db: &Db, kind: &str, version: &str, l: Locale) -> DbResult<HashMap<String, String>> {
    Ok(list(db, kind, version).await?.iter().map(|c| (c.code.clone(), c.label(l).to_owned())).collect())
}

/// Chinese name → name in the reader's language, for records that keep a
/// code's name rather than its code (a graduate's gender and education level,
/// a major's level).
pub async fn labels_by_name(db: &Db, kind: &str, l: Locale) -> DbResult<HashMap<String, String>> {
    Ok(list(db, kind, BASE_VERSION).await?.iter().map(|c| (c.name.clone(), c.label(l).to_owned())).collect())
}

/// One kept Chinese name in the reader's language; unchanged in Chinese or
/// where the table has no English name.
pub async fn label_of_name(db: &Db, kind: &str, name: &str, l: Locale) -> DbResult<String> {
    if l == Locale::Zh {
        return Ok(name.to_owned());
    }
    Ok(labels_by_name(db, kind, l).await?.remove(name).unwrap_or_else(|| name.to_owned()))
}

/// [`Code::label`] in SQL: the name of the `code_tables` row `alias` in the
/// reader's language, for lists that join the code table.
pub fn name_sql(alias: &str, l: Locale) -> String {
    match l {
        Locale::Zh => format!("{alias}.name"),
        Locale::En => format!("COALESCE(NULLIF({alias}.name_en, ''), {alias}.name)"),
    }
}

/// Every code in the embedded files.
pub fn embedded() -> Result<Vec<Code>, SeedError> {
    let mut all = Vec::new();
    for file in CodeFiles::iter() {
        if let Some(content) = CodeFiles::get(&file) {
            all.extend(parse_file(&file, &content.data)?);
        }
    }
    Ok(all)
}

const COLUMNS: &str = "kind, version, code, name, name_en, parent_code, bucket_2021, bucket_2024, evidence, unverified";

fn code_of(r: &crate::db::Row) -> DbResult<Code> {
    Ok(Code {
        kind: r.text("kind")?,
        version: r.text("version")?,
        code: r.text("code")?,
        name: r.text("name")?,
        name_en: r.opt_text("name_en")?,
        parent_code: r.opt_text("parent_code")?,
        bucket_2021: r.opt_text("bucket_2021")?,
        bucket_2024: r.opt_text("bucket_2024")?,
        evidence: r.opt_text("evidence")?,
        unverified: r.bool("unverified")?,
    })
}

/// Inserts or refreshes the code tables from the embedded files; writes only
/// the codes that differ, so an ordinary start writes nothing. Returns how
/// many were written.
pub async fn seed(tx: &mut Tx) -> Result<usize, SeedError> {
    let stored: HashMap<(String, String, String), Code> = tx
        .fetch_all(&format!("SELECT {COLUMNS} FROM code_tables"), &[])
        .await?
        .iter()
        .map(|r| code_of(r).map(|c| ((c.kind.clone(), c.version.clone(), c.code.clone()), c)))
        .collect::<DbResult<_>>()?;
    let changed: Vec<Code> = embedded()?
        .into_iter()
        .filter(|c| stored.get(&(c.kind.clone(), c.version.clone(), c.code.clone())) != Some(c))
        .collect();
    for c in &changed {
        tx.execute(
            "INSERT INTO code_tables (kind, version, code, name, name_en, parent_code, bucket_2021, bucket_2024, evidence, unverified) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (kind, version, code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, \
             parent_code = excluded.parent_code, bucket_2021 = excluded.bucket_2021, bucket_2024 = excluded.bucket_2024, \
             evidence = excluded.evidence, unverified = excluded.unverified",
            &[
                c.kind.as_str().into(),
                c.version.as_str().into(),
                c.code.as_str().into(),
                c.name.as_str().into(),
                c.name_en.clone().into(),
                c.parent_code.clone().into(),
                c.bucket_2021.clone().into(),
                c.bucket_2024.clone().into(),
                c.evidence.clone().into(),
                c.unverified.into(),
            ],
        )
        .await?;
    }
    Ok(changed.len())
}

/// The codes of one kind and version, in code order.
pub async fn list(db: &Db, kind: &str, version: &str) -> DbResult<Vec<Code>> {
    let sql = format!("SELECT {COLUMNS} FROM code_tables WHERE kind = $1 AND version = $2 ORDER BY code");
    db.fetch_all(&sql, &[kind.into(), version.into()]).await?.iter().map(code_of).collect()
}

/// [`list`], kept in `cache`: code tables change only when the platform is
/// seeded at start, and list pages name their options from them on every view.
pub async fn list_cached(
    db: &Db,
    cache: &crate::web::cache::Cache,
    kind: &str,
    version: &str,
) -> DbResult<std::sync::Arc<Vec<Code>>> {
    cache.get_or(&format!("codes {kind} {version}"), || list(db, kind, version)).await
}

/// The kinds and versions present, for the code-table browser.
pub async fn kinds(db: &Db) -> DbResult<Vec<(String, String, i64)>> {
    let rows = db
        .fetch_all(
            "SELECT kind, version, COUNT(*) AS n FROM code_tables GROUP BY kind, version ORDER BY kind, version",
            &[],
        )
        .await?;
    rows.iter().map(|r| Ok((r.text("kind")?, r.text("version")?, r.i64("n")?))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_people_read_has_an_english_name() {
        let codes = embedded().unwrap();
        let missing: Vec<_> = codes.iter().filter(|c| c.name_en.is_none()).map(|c| (&c.kind, &c.code)).collect();
        assert!(missing.is_empty(), "{missing:?}");
        let agreement = codes.iter().find(|c| c.kind == "destination" && c.code == "10").unwrap();
        assert_eq!(agreement.label(Locale::En), "Employment agreement");
        assert_eq!(agreement.label(Locale::Zh), "签就业协议形式就业");
    }

    #[test]
    fn the_sql_name_follows_the_same_rule() {
        assert_eq!(name_sql("ct", Locale::Zh), "ct.name");
        assert_eq!(name_sql("ct", Locale::En), "COALESCE(NULLIF(ct.name_en, ''), ct.name)");
    }
}
