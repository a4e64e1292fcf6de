//! Graduates' job-seeking profiles (求职简历): education read from the roster,
//! what the graduate adds, an uploaded PDF résumé, and who may see them.

pub mod pages;
pub mod rules;

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::{time, Db, DbResult, Locale, Tx};
use serde_json::json;

use rules::{Checked, Visibility};

/// What the roster says of the graduate: not typed again.
#[derive(Debug, Clone)]
pub struct Education {
    pub graduate_id: i64,
    pub name: String,
    pub institution_id: i64,
    pub institution: String,
    pub college: String,
    pub major: String,
    pub education_level: String,
    pub cohort: i64,
}

pub async fn education(db: &Db, graduate_id: i64, l: Locale) -> DbResult<Option<Education>> {
    let row = db
        .fetch_optional(
            "SELECT g.id, g.name, g.institution_id, i.name AS institution, c.name AS college, m.name AS major, g.education_level, g.cohort_year \
             FROM graduates g JOIN institutions i ON i.id = g.institution_id JOIN colleges c ON c.id = g.college_id \
             JOIN majors m ON m.id = g.major_id WHERE g.id = $1",
            &[graduate_id.into()],
        )
        .await?;
    let Some(r) = row else { return Ok(None) };
    let levels = kernel::codes::labels_by_name(db, "education_level", l).await?;
    let level = r.text("education_level")?;
    Ok(Some(Education {
        graduate_id: r.i64("id")?,
        name: r.text("name")?,
        institution_id: r.i64("institution_id")?,
        institution: r.text("institution")?,
        college: r.text("college")?,
        major: r.text("major")?,
        education_level: levels.get(&level).cloned().unwrap_or(level),
        cohort: r.i64("cohort_year")?,
    }))
}

/// A profile as kept; a graduate who never saved one has the default.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub content: Checked,
    pub resume_sha256: Option<String>,
    pub updated_at: Option<String>,
}

fn split(s: Option<String>) -> Vec<String> {
    s.map(|s| s.split(',').filter(|v| !v.is_empty()).map(str::to_owned).collect()).unwrap_or_default()
}

pub async fn get(db: &Db, graduate_id: i64) -> DbResult<Profile> {
    let row = db
        .fetch_optional(
            "SELECT skills, certificates, internships, self_intro, intended_regions, intended_industries, intended_positions, \
             intended_salary, resume_sha256, visibility, updated_at FROM profiles WHERE graduate_id = $1",
            &[graduate_id.into()],
        )
        .await?;
    let Some(r) = row else { return Ok(Profile::default()) };
    Ok(Profile {
        content: Checked {
            skills: r.opt_text("skills")?,
            certificates: r.opt_text("certificates")?,
            internships: r.opt_text("internships")?,
            self_intro: r.opt_text("self_intro")?,
            intended_regions: split(r.opt_text("intended_regions")?),
            intended_industries: split(r.opt_text("intended_industries")?),
            intended_positions: split(r.opt_text("intended_positions")?),
            intended_salary: r.opt_i64("intended_salary")?,
            visibility: Visibility::parse(&r.text("visibility")?).unwrap_or_default(),
        },
        resume_sha256: r.opt_text("resume_sha256")?,
        updated_at: Some(r.text("updated_at")?),
    })
}

/// Saves the graduate's profile (a first save creates it), keeping its résumé.
pub async fn save(tx: &mut Tx, who: &AuditActor, e: &Education, c: &Checked) -> DbResult<()> {
    let now = time::now_utc();
    let join = |v: &[String]| Some(v.join(",")).filter(|s| !s.is_empty());
    tx.execute(
        "INSERT INTO profiles (graduate_id, skills, certificates, internships, self_intro, intended_regions, intended_industries, \
         intended_positions, intended_salary, visibility, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (graduate_id) DO UPDATE SET skills = excluded.skills, certificates = excluded.certificates, \
         internships = excluded.internships, self_intro = excluded.self_intro, intended_regions = excluded.intended_regions, \
         intended_industries = excluded.intended_industries, intended_positions = excluded.intended_positions, \
         intended_salary = excluded.intended_salary, visibility = excluded.visibility, updated_at = excluded.updated_at",
        &[
            e.graduate_id.into(),
            c.skills.clone().into(),
            c.certificates.clone().into(),
            c.internships.clone().into(),
            c.self_intro.clone().into(),
            join(&c.intended_regions).into(),
            join(&c.intended_industries).into(),
            join(&c.intended_positions).into(),
            c.intended_salary.into(),
            c.visibility.key().into(),
            now.as_str().into(),
        ],
    )
    .await?;
    let after = json!({
        "intended_regions": c.intended_regions, "intended_industries": c.intended_industries,
        "intended_positions": c.intended_positions, "intended_salary": c.intended_salary, "visibility": c.visibility.key(),
    });
    let change = Change::new("update", "profile", e.graduate_id).after(after);
    audit::record(tx, who, change.about(Subject::graduate(e.graduate_id, e.institution_id))).await?;
    Ok(())
}

/// Keeps the uploaded résumé (already in the file store) as the profile's.
pub async fn set_resume(tx: &mut Tx, who: &AuditActor, e: &Education, sha256: &str) -> DbResult<()> {
    let now = time::now_utc();
    tx.execute(
        "INSERT INTO profiles (graduate_id, resume_sha256, visibility, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (graduate_id) DO UPDATE SET resume_sha256 = excluded.resume_sha256, updated_at = excluded.updated_at",
        &[e.graduate_id.into(), sha256.into(), Visibility::default().key().into(), now.as_str().into()],
    )
    .await?;
    let change = Change::new("attach", "profile", e.graduate_id).after(json!({ "resume_sha256": sha256 }));
    audit::record(tx, who, change.about(Subject::graduate(e.graduate_id, e.institution_id))).await?;
    Ok(())
}

/// Whether the graduate applied to any posting of the employer.
pub async fn applied_to(db: &Db, graduate_id: i64, employer_id: i64) -> DbResult<bool> {
    let row = db
        .fetch_optional(
            "SELECT id FROM applications WHERE graduate_id = $1 AND employer_id = $2",
            &[graduate_id.into(), employer_id.into()],
        )
        .await?;
    Ok(row.is_some())
}
