//! The graduate (毕业生) as every area knows it: the roster record, who owns
//! it for scoping, lookups by student or ID number, and what a role may see
//! of the personal numbers. The roster import writes the table; areas read
//! graduates through here.

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::auth::{Actor, Owners, Scope};
use kernel::db::SqlBuilder;
use kernel::{codes, mask, Db, DbResult, FromRow, Locale, Row, Tx};

use crate::RegistryError;

/// The columns of a graduate's roster record (生源信息), in the order the
/// importers and the demo generator write them.
pub const COLUMNS: [&str; 16] = [
    "cohort_year",
    "institution_id",
    "college_id",
    "major_id",
    "student_no",
    "id_number",
    "name",
    "gender",
    "birth_date",
    "ethnicity_code",
    "political_code",
    "origin_region_code",
    "urban_rural",
    "education_level",
    "key_groups",
    "phone",
];

/// Who owns a graduate row (alias `g`), for `Scope::restrict`.
pub const OWNERS: Owners<'static> = Owners {
    institution: Some("g.institution_id"),
    college: Some("g.college_id"),
    graduate: Some("g.id"),
    employer: None,
    directory: false,
};

/// A graduate's roster record, with the names of where they study.
#[derive(Debug, Clone)]
pub struct Graduate {
    pub id: i64,
    pub cohort: i64,
    pub institution_id: i64,
    pub college_id: i64,
    pub student_no: String,
    pub name: String,
    pub gender: String,
    pub id_number: String,
    pub phone: String,
    pub education_level: String,
    pub origin_region_code: String,
    pub institution: String,
    /// The institution's code (院校代码).
    pub institution_code: String,
    pub college: String,
    pub major: String,
}

const SELECT: &str = "SELECT g.id, g.cohort_year, g.institution_id, g.college_id, g.student_no, g.name, g.gender, \
    g.id_number, g.phone, g.education_level, g.origin_region_code, i.name AS institution, i.code AS institution_code, c.name AS college, m.name AS major \
    FROM graduates g JOIN institutions i ON i.id = g.institution_id JOIN colleges c ON c.id = g.college_id \
    JOIN majors m ON m.id = g.major_id";

impl FromRow for Graduate {
    fn from_row(r: &Row) -> DbResult<Graduate> {
        Ok(Graduate {
            id: r.i64("id")?,
            cohort: r.i64("cohort_year")?,
            institution_id: r.i64("institution_id")?,
            college_id: r.i64("college_id")?,
            student_no: r.text("student_no")?,
            name: r.text("name")?,
            gender: r.text("gender")?,
            id_number: r.text("id_number")?,
            phone: r.opt_text("phone")?.unwrap_or_default(),
            education_level: r.text("education_level")?,
            origin_region_code: r.text("origin_region_code")?,
            institution: r.text("institution")?,
            institution_code: r.text("institution_code")?,
            college: r.text("college")?,
            major: r.text("major")?,
        })
    }
}

impl Graduate {
    /// The record with ID and phone numbers masked unless the actor's role needs them.
    pub fn masked_for(mut self, actor: &Actor) -> Graduate {
        if !actor.sees_personal_numbers() {
            self.id_number = mask::id_number(&self.id_number);
            self.phone = mask::phone(&self.phone);
        }
        self
    }

    /// A graduate's name and ID number as a form names the graduate to `viewer`,
    /// the number masked as `masked_for` masks it.
    pub fn named_for(name: &str, id_number: &str, viewer: &Actor) -> String {
        let id_number = match viewer.sees_personal_numbers() {
            true => id_number.to_owned(),
            false => mask::id_number(id_number),
        };
        format!("{name} {id_number}")
    }

    /// Records that `viewer` was shown this record's ID and phone numbers in
    /// full (查看个人信息), when the role sees them unmasked. A graduate's own
    /// record is theirs to see and is not recorded.
    pub async fn shown_to(&self, db: &Db, who: &AuditActor, viewer: &Actor) -> DbResult<()> {
        if !viewer.sees_personal_numbers() || viewer.graduate_id == Some(self.id) {
            return Ok(());
        }
        let view = Change::viewed("graduate", self.id).about(Subject::graduate(self.id, self.institution_id));
        audit::record_view(db, who, view).await
    }

    /// The record with its gender and education level in the reader's language.
    pub async fn in_locale(mut self, db: &Db, l: Locale) -> DbResult<Graduate> {
        self.gender = codes::label_of_name(db, "gender", &self.gender, l).await?;
        self.education_level = codes::label_of_name(db, "education_level", &self.education_level, l).await?;
        Ok(self)
    }
}

/// One graduate, if the scope may see it.
/// A graduate outside the scope is `Forbidden` and a missing one `NotFound`;
/// pages answer both alike where telling them apart would leak.
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Graduate, RegistryError> {
    let mut w = SqlBuilder::new(&format!("{SELECT} WHERE g.id = "));
    w.bind(id);
    if scope.restrict(&mut w, OWNERS).is_ok() {
        if let Some(g) = db.first(&w.sql, &w.params).await? {
            return Ok(g);
        }
    }
    let exists = db.fetch_optional("SELECT id FROM graduates WHERE id = $1", &[id.into()]).await?.is_some();
    Err(if exists { RegistryError::Forbidden } else { RegistryError::NotFound })
}

/// At most this many graduates answer a search by person (a common name).
const FOUND_AT_MOST: usize = 500;

/// The graduates the scope may see whose student number, ID number or name is
/// `person` as typed, in one institution when given; at most [`FOUND_AT_MOST`].
pub async fn ids_of_person(
    db: &Db,
    scope: &Scope,
    person: &str,
    institution_id: Option<i64>,
) -> Result<Vec<i64>, RegistryError> {
    let number = kernel::validate::normalize(person);
    let mut w = SqlBuilder::new("SELECT g.id FROM graduates g WHERE (g.student_no = ");
    w.bind(number.as_str()).push(" OR g.id_number = ").bind(number.as_str()).push(" OR g.name = ").bind(person.trim());
    w.push(")");
    if let Some(institution_id) = institution_id {
        w.push(" AND g.institution_id = ").bind(institution_id);
    }
    scope.restrict(&mut w, OWNERS).map_err(|_| RegistryError::Forbidden)?;
    w.push(&format!(" ORDER BY g.id LIMIT {FOUND_AT_MOST}"));
    let rows = db.fetch_all(&w.sql, &w.params).await?;
    Ok(rows.iter().map(|r| r.i64("id")).collect::<DbResult<_>>()?)
}

/// The latest cohort's graduate with this ID number, for identity checks (an
/// employer who names the graduate, student and ID number; an account tied
/// to a graduate), not for browsing: it is not scoped.
pub async fn by_id_number(tx: &mut Tx, id_number: &str) -> DbResult<Option<Graduate>> {
    let sql = format!("{SELECT} WHERE g.id_number = $1 ORDER BY g.cohort_year DESC");
    tx.first(&sql, &[kernel::validate::normalize(id_number).into()]).await
}

/// A graduate by id, unscoped: for a relation the caller has already proven
/// (an employer whose offer the graduate accepted), not for browsing.
pub async fn by_id(db: &Db, id: i64) -> DbResult<Option<Graduate>> {
    db.first(&format!("{SELECT} WHERE g.id = $1"), &[id.into()]).await
}

/// A name's pinyin initials in lower case (`zs` for 张三), so a search in Latin
/// letters finds the name; letters and digits other than Chinese characters stay
/// as written, lowered, and the rest (spaces, the middle dot) is left out.
pub fn name_initials(name: &str) -> String {
    use pinyin::ToPinyin;
    name.chars()
        .zip(name.to_pinyin())
        .filter_map(|(c, p)| match p {
            Some(p) => p.first_letter().chars().next(),
            None => c.is_alphanumeric().then(|| c.to_lowercase().next().unwrap_or(c)),
        })
        .collect()
}

/// Rows filled at a time by `fill_name_initials`.
const INITIALS_BATCH: i64 = 5_000;

/// Fills `name_initials` for graduates written before the column existed (a
/// migration cannot call Rust on SQLite); writers fill it from then on.
/// Returns how many rows it filled.
pub async fn fill_name_initials(db: &Db) -> DbResult<u64> {
    let (mut after, mut filled) = (0_i64, 0_u64);
    loop {
        let rows = db
            .fetch_all(
                "SELECT id, name FROM graduates WHERE name_initials = '' AND id > $1 ORDER BY id LIMIT $2",
                &[after.into(), INITIALS_BATCH.into()],
            )
            .await?;
        let Some(last) = rows.last() else { return Ok(filled) };
        after = last.i64("id")?;
        let mut tx = db.begin().await?;
        for r in &rows {
            let initials = name_initials(&r.text("name")?);
            if !initials.is_empty() {
                tx.execute(
                    "UPDATE graduates SET name_initials = $1 WHERE id = $2",
                    &[initials.into(), r.i64("id")?.into()],
                )
                .await?;
                filled += 1;
            }
        }
        tx.commit().await?;
    }
}

#[cfg(test)]
mod tests {
    use super::name_initials;

    #[test]
    fn initials_of_chinese_and_latin_names() {
        assert_eq!(name_initials("张三"), "zs");
        assert_eq!(name_initials("欧阳娜娜"), "oynn");
        assert_eq!(name_initials("阿依古丽·买买提"), "ayglmmt");
        assert_eq!(name_initials("Anna Li"), "annali");
        assert_eq!(name_initials(""), "");
    }
}
