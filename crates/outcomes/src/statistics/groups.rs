//! The groupings placement figures break down by, and the names their groups
//! go by. Figures are counted by key; names are put on when they are shown,
//! in the reader's language.

use std::collections::HashMap;

use kernel::{codes, Db, DbResult, Locale};

/// What the graduates are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Institution,
    College,
    Major,
    Level,
    Gender,
    Discipline,
    /// 生源地: in or out of the home province.
    Origin,
    UrbanRural,
    /// 重点群体: a graduate in several groups counts in each.
    KeyGroup,
    EmployerRegion,
    Industry,
    /// 单位性质.
    Nature,
}

/// Every grouping with its key and heading, in the order pages offer them.
pub const GROUPINGS: &[(Grouping, &str, &str, &str)] = &[
    (Grouping::Institution, "institution", "院校", "Institution"),
    (Grouping::College, "college", "院系", "College"),
    (Grouping::Major, "major", "专业", "Major"),
    (Grouping::Level, "level", "学历层次", "Level"),
    (Grouping::Gender, "gender", "性别", "Sex"),
    (Grouping::Discipline, "discipline", "学科门类/专业大类", "Discipline"),
    (Grouping::Origin, "origin", "生源地", "Origin"),
    (Grouping::UrbanRural, "urban_rural", "城乡生源", "Urban or rural"),
    (Grouping::KeyGroup, "key_group", "重点群体", "Key group"),
    (Grouping::EmployerRegion, "employer_region", "就业地区", "Region of employment"),
    (Grouping::Industry, "industry", "单位行业", "Employer industry"),
    (Grouping::Nature, "nature", "单位性质", "Employer nature"),
];

impl Grouping {
    pub fn parse(key: &str) -> Option<Grouping> {
        GROUPINGS.iter().find(|g| g.1 == key).map(|g| g.0)
    }

    pub fn key(self) -> &'static str {
        GROUPINGS.iter().find(|g| g.0 == self).map(|g| g.1).unwrap_or("institution")
    }

    pub fn heading(self, l: Locale) -> &'static str {
        GROUPINGS.iter().find(|g| g.0 == self).map(|g| l.pick(g.2, g.3)).unwrap_or("")
    }

    /// The names of the grouping's groups, by key, in the reader's language:
    /// those of one institution's units when `institution` is given.
    pub async fn names(self, db: &Db, institution: Option<i64>, l: Locale) -> DbResult<HashMap<String, String>> {
        Ok(match self {
            Grouping::Institution => named(db, "SELECT id, name AS label FROM institutions", None).await?,
            Grouping::College => {
                let sql = "SELECT c.id, i.name || ' ' || c.name AS label FROM colleges c JOIN institutions i ON i.id = c.institution_id";
                named(db, sql, institution.map(|id| ("c.institution_id", id))).await?
            }
            Grouping::Major => major_names(db, institution, l).await?,
            Grouping::KeyGroup => codes::labels(db, "key_group", codes::BASE_VERSION, l).await?,
            Grouping::Industry => codes::labels(db, "industry", codes::BASE_VERSION, l).await?,
            Grouping::Nature => codes::labels(db, "unit_nature", codes::BASE_VERSION, l).await?,
            Grouping::EmployerRegion => {
                let rows = db.fetch_all("SELECT code, name FROM regions WHERE code LIKE '%00'", &[]).await?;
                rows.iter().map(|r| Ok((r.text("code")?, r.text("name")?))).collect::<DbResult<_>>()?
            }
            // Level and gender are grouped by the Chinese name the roster keeps.
            Grouping::Level => codes::labels_by_name(db, "education_level", l).await?,
            Grouping::Gender => codes::labels_by_name(db, "gender", l).await?,
            Grouping::Discipline => codes::labels(db, "discipline", codes::BASE_VERSION, l).await?,
            Grouping::Origin => HashMap::from([
                ("in".to_owned(), l.pick("省内生源", "In-province origin").to_owned()),
                ("out".to_owned(), l.pick("省外生源", "Out-of-province origin").to_owned()),
            ]),
            Grouping::UrbanRural => HashMap::from([
                ("1".to_owned(), l.pick("城镇", "Urban").to_owned()),
                ("2".to_owned(), l.pick("农村", "Rural").to_owned()),
            ]),
        })
    }

    /// A group's display name: its stored name, a word for the empty key
    /// (graduates the grouping does not reach), or else the key itself.
    pub fn label(self, key: &str, names: &HashMap<String, String>, l: Locale) -> String {
        if let Some(name) = names.get(key) {
            return name.clone();
        }
        if !key.is_empty() {
            return key.to_owned();
        }
        match self {
            Grouping::KeyGroup => l.pick("非重点群体", "Not in a key group"),
            Grouping::EmployerRegion => l.pick("未登记就业地区", "No region recorded"),
            Grouping::Industry => l.pick("未登记行业", "No industry recorded"),
            Grouping::Nature => l.pick("未登记单位性质", "No employer nature recorded"),
            _ => l.pick("未分类", "Unclassified"),
        }
        .to_owned()
    }
}

/// A major's name with what sets it apart from a namesake: an institution
/// may offer a major of the same name and level in two colleges, and a sheet
/// looked up by label must not merge them. 湘潭大学 土木学院 建筑学（082801，本科）.
async fn major_names(db: &Db, institution: Option<i64>, l: Locale) -> DbResult<HashMap<String, String>> {
    let levels = codes::labels_by_name(db, "major_level", l).await?;
    let mut sql = "SELECT m.id, i.name AS institution, c.name AS college, m.name, m.code, m.level FROM majors m \
                   JOIN institutions i ON i.id = m.institution_id JOIN colleges c ON c.id = m.college_id"
        .to_owned();
    let rows = match institution {
        Some(id) => {
            sql.push_str(" WHERE m.institution_id = $1");
            db.fetch_all(&sql, &[id.into()]).await?
        }
        None => db.fetch_all(&sql, &[]).await?,
    };
    rows.iter()
        .map(|r| {
            let level = r.text("level")?;
            let level = levels.get(&level).cloned().unwrap_or(level);
            let (institution, college, name, code) =
                (r.text("institution")?, r.text("college")?, r.text("name")?, r.text("code")?);
            let label = match l {
                Locale::Zh => format!("{institution} {college} {name}（{code}，{level}）"),
                Locale::En => format!("{institution} {college} {name} ({code}, {level})"),
            };
            Ok((r.i64("id")?.to_string(), label))
        })
        .collect()
}

/// Names by id from `sql`, narrowed to one institution's rows when a column and id are given.
async fn named(db: &Db, sql: &str, institution: Option<(&str, i64)>) -> DbResult<HashMap<String, String>> {
    let rows = match institution {
        Some((column, id)) => db.fetch_all(&format!("{sql} WHERE {column} = $1"), &[id.into()]).await?,
        None => db.fetch_all(sql, &[]).await?,
    };
    rows.iter().map(|r| Ok((r.i64("id")?.to_string(), r.text("label")?))).collect()
}

/// The groups the briefing ranks institutions within (排名分组), as
/// `data/ranking_groups.csv` sets them: an institution belongs to the first
/// group whose level and ownership match its own (an empty ownership matches any).
const RANKING_GROUPS: &str = include_str!("../../../../data/ranking_groups.csv");

/// One ranking group.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct RankingGroup {
    pub group: String,
    name: String,
    name_en: String,
    level: String,
    ownership: String,
}

impl RankingGroup {
    pub fn name(&self, l: Locale) -> &str {
        l.pick(&self.name, &self.name_en)
    }

    fn holds(&self, level: &str, ownership: &str) -> bool {
        self.level == level && (self.ownership.is_empty() || self.ownership == ownership)
    }

    /// Institutions no configured group holds are ranked among themselves.
    fn others() -> RankingGroup {
        RankingGroup {
            group: "other".to_owned(),
            name: "其他院校".to_owned(),
            name_en: "Other institutions".to_owned(),
            level: String::new(),
            ownership: String::new(),
        }
    }
}

/// The ranking groups in the order the briefing shows them, the catch-all last.
pub fn ranking_groups() -> Vec<RankingGroup> {
    let mut groups: Vec<RankingGroup> =
        csv::Reader::from_reader(RANKING_GROUPS.as_bytes()).deserialize().filter_map(Result::ok).collect();
    groups.push(RankingGroup::others());
    groups
}

/// Each institution's ranking group (an index into `groups`), by institution id.
pub async fn ranking_group_of(db: &Db, groups: &[RankingGroup]) -> DbResult<HashMap<String, usize>> {
    let rows = db.fetch_all("SELECT id, level, ownership FROM institutions", &[]).await?;
    rows.iter()
        .map(|r| {
            let (level, ownership) = (r.text("level")?, r.text("ownership")?);
            let at = groups.iter().position(|g| g.holds(&level, &ownership)).unwrap_or(groups.len() - 1);
            Ok((r.i64("id")?.to_string(), at))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranking_groups_come_from_the_data_file() {
        let groups = ranking_groups();
        let keys: Vec<&str> = groups.iter().map(|g| g.group.as_str()).collect();
        assert_eq!(keys, ["undergraduate_public", "undergraduate_private", "vocational", "other"]);
        assert!(groups[0].holds("本科", "公办") && !groups[0].holds("本科", "民办"));
        assert!(groups[1].holds("本科", "民办"));
        assert!(groups[2].holds("专科", "公办") && groups[2].holds("专科", "民办"));
        assert_eq!(groups[2].name(Locale::Zh), "高职高专院校");
    }
}
