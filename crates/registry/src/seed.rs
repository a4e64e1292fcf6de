//! Reference data seeded on first start from the files in `data/`: regions
//! (GB/T 2260), the major catalogues, Hunan's institutions and the 2022 cohort;
//! the fields each destination category needs on every start.

use std::collections::HashMap;

use kernel::audit::{self, AuditActor, Change};
use kernel::db::{Tx, Value};

#[derive(rust_embed::RustEmbed)]
#[folder = "../../data/"]
#[include = "*.csv"]
#[exclude = "codes/*"]
struct DataFiles;

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("data file {0} is missing")]
    Missing(&'static str),
    #[error("data file {file}: {reason}")]
    Bad { file: &'static str, reason: String },
    #[error(transparent)]
    Db(#[from] kernel::DbError),
    #[error(transparent)]
    Codes(#[from] kernel::codes::SeedError),
}

fn records(file: &'static str) -> Result<Vec<csv::StringRecord>, SeedError> {
    let data = DataFiles::get(file).ok_or(SeedError::Missing(file))?;
    let mut reader = csv::Reader::from_reader(data.data.as_ref());
    reader.records().collect::<Result<_, _>>().map_err(|e| SeedError::Bad { file, reason: e.to_string() })
}

fn field(r: &csv::StringRecord, i: usize) -> String {
    r.get(i).unwrap_or("").trim().to_owned()
}

/// The prefecture-level region code of a Hunan city name, e.g. 长沙市 → 430100.
pub fn city_region_code(regions: &[csv::StringRecord], city: &str) -> Option<String> {
    regions
        .iter()
        .find(|r| field(r, 1) == city && field(r, 3) == "prefecture" && field(r, 0).starts_with("43"))
        .map(|r| field(r, 0))
}

/// Which form fields each destination category needs, following the file on
/// every start like the code tables: only rows that differ are written.
async fn seed_destination_fields(tx: &mut Tx) -> Result<(), SeedError> {
    let file: HashMap<String, String> =
        records("destination_fields.csv")?.iter().map(|r| (field(r, 0), field(r, 1))).collect();
    let stored: HashMap<String, String> = tx
        .fetch_all("SELECT category_code, fields FROM destination_fields", &[])
        .await?
        .iter()
        .map(|r| Ok((r.text("category_code")?, r.text("fields")?)))
        .collect::<kernel::DbResult<_>>()?;
    for (code, fields) in &file {
        if stored.get(code) != Some(fields) {
            tx.execute(
                "INSERT INTO destination_fields (category_code, fields) VALUES ($1, $2) \
                 ON CONFLICT (category_code) DO UPDATE SET fields = excluded.fields",
                &[code.as_str().into(), fields.as_str().into()],
            )
            .await?;
        }
    }
    for code in stored.keys().filter(|c| !file.contains_key(*c)) {
        tx.execute("DELETE FROM destination_fields WHERE category_code = $1", &[code.as_str().into()]).await?;
    }
    Ok(())
}

/// Loads everything once; a database that already has institutions keeps its
/// reference data, except the code tables, which follow the files on every
/// start so that an upgrade brings new and corrected codes.
pub async fn seed_reference_data(tx: &mut Tx) -> Result<bool, SeedError> {
    let codes = kernel::codes::seed(tx).await?;
    seed_destination_fields(tx).await?;
    let have = tx.fetch_one("SELECT COUNT(*) AS n FROM institutions", &[]).await?.i64("n")?;
    if have > 0 {
        return Ok(false);
    }
    let regions = records("regions.csv")?;
    let rows: Vec<Vec<Value>> = regions
        .iter()
        .map(|r| {
            let parent = field(r, 2);
            vec![
                field(r, 0).into(),
                field(r, 1).into(),
                Some(parent).filter(|p| !p.is_empty()).into(),
                field(r, 3).into(),
                (field(r, 4) == "1").into(),
            ]
        })
        .collect();
    tx.insert_many("regions", &["code", "name", "parent_code", "level", "retired"], rows).await?;

    let majors = records("majors.csv")?;
    let rows: Vec<Vec<Value>> = majors
        .iter()
        .map(|r| {
            vec![
                field(r, 0).into(),
                field(r, 1).into(),
                field(r, 2).into(),
                field(r, 3).into(),
                field(r, 4).into(),
                field(r, 5).into(),
                (field(r, 6) == "1").into(),
            ]
        })
        .collect();
    tx.insert_many(
        "major_catalogue",
        &["catalogue", "code", "name", "discipline_code", "discipline_name", "level", "unverified"],
        rows,
    )
    .await?;

    let institutions = records("institutions.csv")?;
    let rows: Vec<Vec<Value>> = institutions
        .iter()
        .map(|r| {
            let city = field(r, 3);
            vec![
                field(r, 1).into(),
                field(r, 2).into(),
                field(r, 0).into(),
                city_region_code(&regions, &city).into(),
                city.into(),
                field(r, 4).into(),
                field(r, 5).into(),
            ]
        })
        .collect();
    tx.insert_many("institutions", &["code", "identifier", "name", "region_code", "city", "level", "ownership"], rows)
        .await?;

    // The 2022届 uses the 2021 code list and the 2021 rate definition (19号文).
    tx.execute(
        "INSERT INTO cohorts (year, destination_version, rate_definition, graduation_date) VALUES (2022, '2021', '2021', '2022-06-30')",
        &[],
    )
    .await?;
    let summary = serde_json::json!({ "codes": codes, "regions": regions.len(), "majors": majors.len(), "institutions": institutions.len() });
    audit::record(tx, &AuditActor::system("seed"), Change::new("seed", "reference_data", "hunan").after(summary))
        .await?;
    Ok(true)
}
