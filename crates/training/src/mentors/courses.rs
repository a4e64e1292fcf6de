//! The course library's SQL (课程资源库): model courses and shared resources
//! with their files in the kernel's file store (documents, and MP4 videos),
//! each course for an audience the listing and the download route enforce
//! (`rules::audience_admits`). The province and universities add courses.

use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::db::Record;
use kernel::{time, Db, DbResult, Locale, Row, Tx};
use serde_json::json;

use super::rules;

#[derive(Debug, Clone)]
pub struct CourseFile {
    pub id: i64,
    pub shown_name: String,
    pub content_type: String,
    pub size: i64,
}

impl CourseFile {
    pub fn is_video(&self) -> bool {
        self.content_type == "video/mp4"
    }
    pub fn size_text(&self) -> String {
        match self.size {
            n if n >= 1024 * 1024 => format!("{:.1} MB", n as f64 / 1048576.0),
            n => format!("{} KB", (n + 1023) / 1024),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Course {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub audience: String,
    pub institution_id: Option<i64>,
    pub institution: Option<String>,
    pub created_at: String,
    pub withdrawn: bool,
    pub files: Vec<CourseFile>,
}

impl Course {
    pub fn kind_label(&self, l: Locale) -> &'static str {
        rules::course_kind_label(&self.kind, l)
    }
    pub fn audience_label(&self, l: Locale) -> &'static str {
        rules::audience_label(&self.audience, l)
    }
    pub fn day(&self) -> &str {
        self.created_at.get(..10).unwrap_or(&self.created_at)
    }
}

fn course_of(r: &Row) -> DbResult<Course> {
    Ok(Course {
        id: r.i64("id")?,
        kind: r.text("kind")?,
        title: r.text("title")?,
        summary: r.text("summary")?,
        audience: r.text("audience")?,
        institution_id: r.opt_i64("institution_id")?,
        institution: r.opt_text("institution")?,
        created_at: r.text("created_at")?,
        withdrawn: r.opt_text("withdrawn_at")?.is_some(),
        files: Vec::new(),
    })
}

const COURSE: &str = "SELECT c.id, c.kind, c.title, c.summary, c.audience, c.institution_id, i.name AS institution, \
     c.created_at, c.withdrawn_at FROM courses c LEFT JOIN institutions i ON i.id = c.institution_id";

/// Courses for the given audiences, by title search, newest first (at most 200), with their files.
pub async fn list(db: &Db, audiences: &[&str], q: &str) -> DbResult<Vec<Course>> {
    if audiences.is_empty() {
        return Ok(Vec::new());
    }
    let mut params: Vec<kernel::Value> = audiences.iter().map(|a| (*a).into()).collect();
    let marks: Vec<String> = (1..=params.len()).map(|i| format!("${i}")).collect();
    let mut sql = format!("{COURSE} WHERE c.withdrawn_at IS NULL AND c.audience IN ({})", marks.join(", "));
    let q = q.trim();
    if !q.is_empty() {
        let escaped: String =
            q.chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect();
        params.push(format!("%{escaped}%").into());
        sql.push_str(&format!(" AND c.title LIKE ${} ESCAPE '\\'", params.len()));
    }
    sql.push_str(" ORDER BY c.id DESC LIMIT 200");
    let mut courses: Vec<Course> = db.fetch_all(&sql, &params).await?.iter().map(course_of).collect::<DbResult<_>>()?;
    if courses.is_empty() {
        return Ok(courses);
    }
    attach_files(db, &mut courses).await?;
    Ok(courses)
}

async fn attach_files(db: &Db, courses: &mut [Course]) -> DbResult<()> {
    let ids: Vec<kernel::Value> = courses.iter().map(|c| c.id.into()).collect();
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let rows = db
        .fetch_all(
            &format!(
                "SELECT id, course_id, shown_name, content_type, size FROM course_files WHERE course_id IN ({}) ORDER BY id",
                marks.join(", ")
            ),
            &ids,
        )
        .await?;
    for r in &rows {
        let course = r.i64("course_id")?;
        if let Some(c) = courses.iter_mut().find(|c| c.id == course) {
            c.files.push(CourseFile {
                id: r.i64("id")?,
                shown_name: r.text("shown_name")?,
                content_type: r.text("content_type")?,
                size: r.i64("size")?,
            });
        }
    }
    Ok(())
}

/// One course with its files, withdrawn or not.
pub async fn get(db: &Db, id: i64) -> DbResult<Option<Course>> {
    let Some(r) = db.fetch_optional(&format!("{COURSE} WHERE c.id = $1"), &[id.into()]).await? else {
        return Ok(None);
    };
    let mut courses = vec![course_of(&r)?];
    attach_files(db, &mut courses).await?;
    Ok(courses.pop())
}

/// A file of a course not withdrawn, with the course's audience: (audience, sha256, content type).
pub async fn file(db: &Db, id: i64) -> DbResult<Option<(String, String, String)>> {
    let row = db
        .fetch_optional(
            "SELECT c.audience, f.sha256, f.content_type FROM course_files f JOIN courses c ON c.id = f.course_id \
             WHERE f.id = $1 AND c.withdrawn_at IS NULL",
            &[id.into()],
        )
        .await?;
    row.map(|r| Ok((r.text("audience")?, r.text("sha256")?, r.text("content_type")?))).transpose()
}

/// A new course (with its first file), the adder's institution or the province's (`None`).
pub struct NewCourse<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub audience: &'a str,
    pub institution: Option<i64>,
    pub account: i64,
}

pub async fn add(tx: &mut Tx, who: &AuditActor, c: &NewCourse<'_>) -> DbResult<i64> {
    let row = Record::new()
        .set("kind", c.kind)
        .set("title", c.title)
        .set("summary", c.summary)
        .set("audience", c.audience)
        .set("institution_id", c.institution)
        .set("created_by", c.account)
        .set("created_by_label", who.label.as_str())
        .set("created_at", time::now_utc());
    let id = tx.insert_id("courses", row).await?;
    let after = json!({ "kind": c.kind, "title": c.title, "audience": c.audience, "institution_id": c.institution });
    let mut change = Change::created("course", id, after);
    if let Some(i) = c.institution {
        change = change.about(Subject::institution(i));
    }
    audit::record(tx, who, change).await?;
    Ok(id)
}

pub async fn add_file(
    tx: &mut Tx,
    who: &AuditActor,
    course: i64,
    shown_name: &str,
    stored: &kernel::files::Stored,
) -> DbResult<i64> {
    let content_type = stored.kind.content_type();
    let row = Record::new()
        .set("course_id", course)
        .set("shown_name", shown_name)
        .set("sha256", stored.sha256.as_str())
        .set("content_type", content_type)
        .set("size", i64::try_from(stored.size).unwrap_or(i64::MAX))
        .set("created_at", time::now_utc());
    let id = tx.insert_id("course_files", row).await?;
    let after = json!({ "course_id": course, "name": shown_name, "content_type": content_type, "size": stored.size });
    audit::record(tx, who, Change::created("course_file", id, after)).await?;
    Ok(id)
}

fn subject_of(c: &Course) -> Option<Subject> {
    c.institution_id.map(Subject::institution)
}

fn with_subject<'a>(change: Change<'a>, c: &Course) -> Change<'a> {
    match subject_of(c) {
        Some(s) => change.about(s),
        None => change,
    }
}

/// The course's kind, title, summary and audience as its owner edits them.
pub struct Edit<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub audience: &'a str,
}

pub async fn update(tx: &mut Tx, who: &AuditActor, before: &Course, e: &Edit<'_>) -> DbResult<()> {
    let row = Record::new()
        .set("kind", e.kind)
        .set("title", e.title)
        .set("summary", e.summary)
        .set("audience", e.audience)
        .set("updated_at", time::now_utc());
    tx.update("courses", row, "id", before.id).await?;
    let was = json!({ "kind": before.kind, "title": before.title, "summary": before.summary,
        "audience": before.audience });
    let now = json!({ "kind": e.kind, "title": e.title, "summary": e.summary, "audience": e.audience });
    audit::record(tx, who, with_subject(Change::updated("course", before.id, was, now), before)).await
}

/// Removes one of the course's files (the stored bytes stay in the file
/// store, as every upload's do); false when the course has no such file.
pub async fn remove_file(tx: &mut Tx, who: &AuditActor, c: &Course, file: i64) -> DbResult<bool> {
    let Some(f) = c.files.iter().find(|f| f.id == file) else { return Ok(false) };
    let gone =
        tx.execute("DELETE FROM course_files WHERE id = $1 AND course_id = $2", &[file.into(), c.id.into()]).await?;
    if gone == 0 {
        return Ok(false);
    }
    let before = json!({ "course_id": c.id, "name": f.shown_name, "content_type": f.content_type, "size": f.size });
    audit::record(tx, who, with_subject(Change::new("delete", "course_file", file).before(before), c)).await?;
    Ok(true)
}

/// Withdraws the course from the library: it leaves the listing and its
/// files are no longer served; the row stays. False when it was already.
pub async fn withdraw(tx: &mut Tx, who: &AuditActor, c: &Course) -> DbResult<bool> {
    let changed = tx
        .execute(
            "UPDATE courses SET withdrawn_at = $1, withdrawn_by_label = $2 WHERE id = $3 AND withdrawn_at IS NULL",
            &[time::now_utc().into(), who.label.as_str().into(), c.id.into()],
        )
        .await?;
    if changed == 0 {
        return Ok(false);
    }
    let change = Change::new("withdraw", "course", c.id).after(json!({ "title": c.title, "files": c.files.len() }));
    audit::record(tx, who, with_subject(change, c)).await?;
    Ok(true)
}
