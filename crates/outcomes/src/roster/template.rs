//! The roster's import template (生源信息导入模板): the national export's
//! columns, an example graduate of the institution, and the code lists the
//! columns use, from the code tables, the regions and the institution's majors.

use kernel::sheet::template::{to_xlsx, CodeList, Template, TemplateColumn};
use kernel::{validate, Db, Locale};

use super::check::{self, CodeTable, OfferedMajor};
use super::columns::Field;
use super::ImportError;

/// The example's ID number: GB 11643's own worked example (a woman born 1949-12-31 in 朝阳区).
pub const EXAMPLE_ID: &str = "11010519491231002X";

/// The example's student number, plainly not a real one.
pub const EXAMPLE_STUDENT_NO: &str = "示例0001";

/// The template for `institution_id`'s roster of `cohort`, as .xlsx.
pub async fn template(db: &Db, institution_id: i64, cohort: i64, l: Locale) -> Result<Vec<u8>, ImportError> {
    let r = super::reference(db, institution_id, cohort).await?;
    let mut majors: Vec<&OfferedMajor> = r.majors.all().collect();
    majors.sort_by(|a, b| (&a.code, &a.level).cmp(&(&b.code, &b.level)));
    let example = example(&r, majors.first().copied());
    let columns = Field::ALL
        .iter()
        .zip(example)
        .map(|(f, example)| TemplateColumn {
            header: f.header().to_owned(),
            required: f.is_required(),
            // Dates may be typed as dates; everything else is an identifier or a code.
            text: *f != Field::BirthDate,
            example,
        })
        .collect();
    let list =
        |field: Field, table: &CodeTable| CodeList { title: field.header().to_owned(), codes: table.pairs().to_vec() };
    let code_lists = vec![
        list(Field::Gender, &r.genders),
        list(Field::Ethnicity, &r.ethnicities),
        list(Field::Political, &r.political),
        list(Field::UrbanRural, &r.urban_rural),
        list(Field::Level, &r.levels),
        CodeList { title: Field::OriginCode.header().to_owned(), codes: registry::reference::region_names(db).await? },
        CodeList {
            title: Field::MajorCode.header().to_owned(),
            codes: majors
                .iter()
                .map(|m| (m.code.clone(), format!("{}（{}，{}）", m.name, m.level, m.college_name)))
                .collect(),
        },
    ];
    let template = Template { sheet: l.pick("生源信息", "Roster").to_owned(), columns, code_lists };
    Ok(to_xlsx(&template, l)?)
}

/// The example row in `Field::ALL` order: a graduate who passes every check
/// when the institution offers `major`.
fn example(r: &check::Reference, major: Option<&OfferedMajor>) -> Vec<String> {
    let card = validate::id_card(EXAMPLE_ID, |_| true).ok();
    let first = |table: &CodeTable| table.pairs().first().map(|(_, name)| name.clone()).unwrap_or_default();
    let level = major
        .and_then(|m| r.levels.pairs().iter().find(|(_, name)| check::major_level(name) == Some(m.level.as_str())))
        .map(|(_, name)| name.clone())
        .unwrap_or_default();
    Field::ALL
        .iter()
        .map(|f| match f {
            Field::StudentNo => EXAMPLE_STUDENT_NO.to_owned(),
            Field::Name => "张三".to_owned(),
            Field::Gender => {
                let code = if card.as_ref().is_some_and(|c| c.male) { "1" } else { "2" };
                r.genders.pairs().iter().find(|(c, _)| c == code).map(|(_, name)| name.clone()).unwrap_or_default()
            }
            Field::IdNumber => EXAMPLE_ID.to_owned(),
            Field::BirthDate => card.as_ref().map(|c| c.birth_date.format("%Y-%m-%d").to_string()).unwrap_or_default(),
            Field::OriginCode => EXAMPLE_ID[..6].to_owned(),
            Field::Ethnicity => first(&r.ethnicities),
            Field::Political => first(&r.political),
            Field::UrbanRural => first(&r.urban_rural),
            Field::MajorName => major.map(|m| m.name.clone()).unwrap_or_default(),
            Field::MajorCode => major.map(|m| m.code.clone()).unwrap_or_default(),
            Field::GraduationYear => r.cohort.to_string(),
            Field::Level => level.clone(),
            Field::College => major.map(|m| m.college_name.clone()).unwrap_or_default(),
            Field::Phone => "13800000000".to_owned(),
        })
        .collect()
}
