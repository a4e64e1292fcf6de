//! The hand-over list (离校未就业实名移交): the register's graduates still
//! not placed when they leave, for the public employment services of their
//! 户籍地. Each city or prefecture (地市) takes over its own, so the workbook
//! has a summary sheet and one sheet per prefecture, ordered by county and
//! name. The columns and their order are configuration (`Column` keys), as the
//! services' registration sheets differ by province. Pure: rows in, sheets out.

use std::collections::{BTreeMap, HashMap};

use kernel::Locale;

use crate::store::Leaver;

/// One column the hand-over sheet can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Seq,
    HomeCity,
    HomeCounty,
    HomeCode,
    Name,
    Gender,
    Ethnicity,
    Birth,
    IdNumber,
    Political,
    Phone,
    Institution,
    Major,
    Level,
    Graduated,
    Categories,
    Intentions,
    Needs,
    Helpers,
    LastContact,
    Remark,
}

/// Every column with its configuration key.
const KEYS: [(Column, &str); 21] = [
    (Column::Seq, "seq"),
    (Column::HomeCity, "home_city"),
    (Column::HomeCounty, "home_county"),
    (Column::HomeCode, "home_code"),
    (Column::Name, "name"),
    (Column::Gender, "gender"),
    (Column::Ethnicity, "ethnicity"),
    (Column::Birth, "birth"),
    (Column::IdNumber, "id_number"),
    (Column::Political, "political"),
    (Column::Phone, "phone"),
    (Column::Institution, "institution"),
    (Column::Major, "major"),
    (Column::Level, "level"),
    (Column::Graduated, "graduated"),
    (Column::Categories, "categories"),
    (Column::Intentions, "intentions"),
    (Column::Needs, "needs"),
    (Column::Helpers, "helpers"),
    (Column::LastContact, "last_contact"),
    (Column::Remark, "remark"),
];

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum LayoutError {
    #[error("hand-over column `{0}` is not one of: {1}")]
    Unknown(String, String),
    #[error("hand-over column `{0}` is named twice")]
    Twice(String),
    #[error("the hand-over layout names no column")]
    Empty,
}

impl Column {
    /// The layout from its configuration: keys separated by commas.
    pub fn layout(keys: &str) -> Result<Vec<Column>, LayoutError> {
        let mut columns = Vec::new();
        for key in keys.split(',').map(str::trim).filter(|k| !k.is_empty()) {
            let Some(&(column, _)) = KEYS.iter().find(|(_, k)| *k == key) else {
                let known = KEYS.iter().map(|(_, k)| *k).collect::<Vec<_>>().join(", ");
                return Err(LayoutError::Unknown(key.to_owned(), known));
            };
            if columns.contains(&column) {
                return Err(LayoutError::Twice(key.to_owned()));
            }
            columns.push(column);
        }
        match columns.is_empty() {
            true => Err(LayoutError::Empty),
            false => Ok(columns),
        }
    }

    pub fn header(self, l: Locale) -> &'static str {
        match self {
            Column::Seq => l.pick("序号", "No."),
            Column::HomeCity => l.pick("户籍地（市州）", "Home city"),
            Column::HomeCounty => l.pick("户籍地（县市区）", "Home county"),
            Column::HomeCode => l.pick("户籍地代码", "Home region code"),
            Column::Name => l.pick("姓名", "Name"),
            Column::Gender => l.pick("性别", "Gender"),
            Column::Ethnicity => l.pick("民族", "Ethnicity"),
            Column::Birth => l.pick("出生年月", "Born"),
            Column::IdNumber => l.pick("身份证号码", "ID number"),
            Column::Political => l.pick("政治面貌", "Political status"),
            Column::Phone => l.pick("联系电话", "Phone"),
            Column::Institution => l.pick("毕业院校", "Institution"),
            Column::Major => l.pick("所学专业", "Major"),
            Column::Level => l.pick("学历", "Level"),
            Column::Graduated => l.pick("毕业年份", "Graduated"),
            Column::Categories => l.pick("困难类别", "Key-group categories"),
            Column::Intentions => l.pick("求职意向", "Job intentions"),
            Column::Needs => l.pick("困难与服务需求", "Difficulties and needs"),
            Column::Helpers => l.pick("原帮扶责任人", "Helpers at the institution"),
            Column::LastContact => l.pick("最近帮扶日期", "Last assistance"),
            Column::Remark => l.pick("备注", "Remarks"),
        }
    }

    /// Kept as text in the workbook: codes, numbers and dates another
    /// office's system reads back, whose digits a spreadsheet would reformat.
    fn is_text(self) -> bool {
        matches!(
            self,
            Column::HomeCode
                | Column::IdNumber
                | Column::Phone
                | Column::Birth
                | Column::Graduated
                | Column::LastContact
        )
    }
}

/// The prefecture (地市) a county code lies in: 430104 → 430100.
pub fn prefecture(code: &str) -> String {
    match code.get(..4) {
        Some(p) if code.len() == 6 && code.is_ascii() => format!("{p}00"),
        _ => code.to_owned(),
    }
}

/// What the sheet names codes and ids with.
#[derive(Debug, Default)]
pub struct SheetNames {
    pub regions: HashMap<String, String>,
    pub categories: HashMap<String, String>,
    pub ethnicities: HashMap<String, String>,
    pub political: HashMap<String, String>,
    /// Each graduate's helpers.
    pub helpers: HashMap<i64, Vec<(i64, String)>>,
}

impl SheetNames {
    fn of<'a>(table: &'a HashMap<String, String>, code: &'a str) -> &'a str {
        table.get(code).map(String::as_str).unwrap_or(code)
    }

    fn region<'a>(&'a self, code: &'a str) -> &'a str {
        SheetNames::of(&self.regions, code)
    }
}

/// One sheet of the workbook, its rows with the header first.
#[derive(Debug)]
pub struct HandoverSheet {
    pub name: String,
    pub rows: Vec<Vec<String>>,
    pub text_columns: Vec<usize>,
}

/// The workbook: a summary of how many each prefecture takes over, then one
/// sheet per prefecture; `only` keeps one prefecture's sheet (no summary).
/// `mask` shows ID and phone numbers masked.
pub fn workbook(
    leavers: Vec<Leaver>,
    columns: &[Column],
    names: &SheetNames,
    cohort: i64,
    mask: bool,
    only: Option<&str>,
    l: Locale,
) -> Vec<HandoverSheet> {
    let mut by_city: BTreeMap<String, Vec<Leaver>> = BTreeMap::new();
    for x in leavers {
        by_city.entry(prefecture(&x.origin_code)).or_default().push(x);
    }
    let mut sheet_of = sheet_names(by_city.keys().chain(only.map(str::to_owned).as_ref()), names);
    let mut sheets = Vec::new();
    if only.is_none() {
        let mut rows = vec![vec![
            l.pick("户籍地（市州）", "Home city").to_owned(),
            l.pick("代码", "Code").to_owned(),
            l.pick("移交人数", "Graduates handed over").to_owned(),
        ]];
        for (city, people) in &by_city {
            rows.push(vec![sheet_of[city].clone(), city.clone(), people.len().to_string()]);
        }
        let total = by_city.values().map(Vec::len).sum::<usize>();
        rows.push(vec![l.pick("合计", "Total").to_owned(), String::new(), total.to_string()]);
        sheets.push(HandoverSheet { name: l.pick("汇总", "Summary").to_owned(), rows, text_columns: vec![1] });
    }
    let text_columns: Vec<usize> = columns.iter().enumerate().filter(|(_, c)| c.is_text()).map(|(i, _)| i).collect();
    for (city, mut people) in by_city.into_iter().filter(|(city, _)| only.is_none_or(|o| o == city)) {
        people.sort_by(|a, b| {
            (&a.origin_code, &a.member.name, a.member.id).cmp(&(&b.origin_code, &b.member.name, b.member.id))
        });
        let mut rows = vec![columns.iter().map(|c| c.header(l).to_owned()).collect::<Vec<_>>()];
        rows.extend(people.iter().enumerate().map(|(i, x)| row(x, i + 1, columns, names, cohort, mask)));
        let name = sheet_of.remove(&city).unwrap_or(city);
        sheets.push(HandoverSheet { name, rows, text_columns: text_columns.clone() });
    }
    if let Some(city) = only.filter(|_| sheets.is_empty()) {
        // A prefecture with nobody to take over still gets its (empty) sheet.
        let header = columns.iter().map(|c| c.header(l).to_owned()).collect();
        let name = sheet_of.remove(city).unwrap_or_else(|| city.to_owned());
        sheets.push(HandoverSheet { name, rows: vec![header], text_columns });
    }
    sheets
}

/// Each prefecture's sheet name, by code: its name, one the region table lacks
/// its code. Names repeat across provinces (every municipality has a 市辖区,
/// several provinces a 省直辖县级行政区划) and a workbook's sheet names may
/// not, so a repeated one takes its province's name before it, and the code
/// after it should even that repeat.
fn sheet_names<'a>(cities: impl Iterator<Item = &'a String>, names: &SheetNames) -> HashMap<String, String> {
    let cities: std::collections::BTreeSet<&String> = cities.collect();
    let plain: Vec<(String, String)> = cities.into_iter().map(|c| (c.clone(), names.region(c).to_owned())).collect();
    let qualified = |code: &str, name: &str| match code.get(..2) {
        Some(p) if code.len() == 6 => format!("{}{name}", names.region(&format!("{p}0000"))),
        _ => name.to_owned(),
    };
    let repeats = |list: &[(String, String)], name: &str| list.iter().filter(|(_, n)| n == name).count() > 1;
    let once: Vec<(String, String)> = plain
        .iter()
        .map(|(code, name)| (code.clone(), if repeats(&plain, name) { qualified(code, name) } else { name.clone() }))
        .collect();
    once.iter()
        .map(|(code, name)| (code.clone(), if repeats(&once, name) { format!("{name} {code}") } else { name.clone() }))
        .collect()
}

fn row(x: &Leaver, seq: usize, columns: &[Column], names: &SheetNames, cohort: i64, mask: bool) -> Vec<String> {
    columns
        .iter()
        .map(|c| match c {
            Column::Seq => seq.to_string(),
            Column::HomeCity => names.region(&prefecture(&x.origin_code)).to_owned(),
            Column::HomeCounty => names.region(&x.origin_code).to_owned(),
            Column::HomeCode => x.origin_code.clone(),
            Column::Name => x.member.name.clone(),
            Column::Gender => x.gender.clone(),
            Column::Ethnicity => SheetNames::of(&names.ethnicities, &x.ethnicity_code).to_owned(),
            Column::Birth => x.birth_date.get(..7).unwrap_or(&x.birth_date).to_owned(),
            Column::IdNumber if mask => kernel::mask::id_number(&x.id_number),
            Column::IdNumber => x.id_number.clone(),
            Column::Political => SheetNames::of(&names.political, &x.political_code).to_owned(),
            Column::Phone if mask => kernel::mask::phone(&x.phone),
            Column::Phone => x.phone.clone(),
            Column::Institution => x.member.institution.clone(),
            Column::Major => x.major.clone(),
            Column::Level => x.level.clone(),
            Column::Graduated => cohort.to_string(),
            Column::Categories => {
                x.member.categories.iter().map(|c| SheetNames::of(&names.categories, c)).collect::<Vec<_>>().join("、")
            }
            Column::Intentions => x.intentions.clone(),
            Column::Needs => x.difficulties.clone(),
            Column::Helpers => names
                .helpers
                .get(&x.member.id)
                .map(|h| h.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join("、"))
                .unwrap_or_default(),
            Column::LastContact => x.last_contact.clone().unwrap_or_default(),
            Column::Remark => String::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Member;

    fn leaver(id: i64, name: &str, origin: &str) -> Leaver {
        Leaver {
            member: Member {
                id,
                name: name.into(),
                student_no: format!("S{id}"),
                id_masked: String::new(),
                institution_id: 1,
                institution: "湘潭大学".into(),
                categories: vec!["01".into()],
                destination: None,
            },
            gender: "女".into(),
            id_number: "430104200001011234".into(),
            phone: "13812345678".into(),
            origin_code: origin.into(),
            major: "软件工程".into(),
            level: "本科生毕业".into(),
            birth_date: "2000-01-01".into(),
            ethnicity_code: "01".into(),
            political_code: "13".into(),
            intentions: "长沙 软件开发".into(),
            difficulties: "家庭经济困难".into(),
            last_contact: Some("2022-06-20".into()),
        }
    }

    fn names() -> SheetNames {
        let map = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        SheetNames {
            regions: map(&[("430100", "长沙市"), ("430104", "岳麓区"), ("430300", "湘潭市"), ("430302", "雨湖区")]),
            categories: map(&[("01", "脱贫家庭")]),
            ethnicities: map(&[("01", "汉族")]),
            political: map(&[("13", "群众")]),
            helpers: HashMap::new(),
        }
    }

    #[test]
    fn prefectures_of_the_same_name_get_sheets_of_their_own() {
        let mut names = names();
        for (code, name) in [("110000", "北京市"), ("120000", "天津市"), ("110100", "市辖区"), ("120100", "市辖区")]
        {
            names.regions.insert(code.into(), name.into());
        }
        let people = vec![leaver(1, "王五", "110105"), leaver(2, "李四", "120101"), leaver(3, "张三", "430104")];
        let book = workbook(people.clone(), &Column::layout("seq,name").unwrap(), &names, 2022, true, None, Locale::Zh);
        let sheet_names: Vec<&str> = book.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(sheet_names, ["汇总", "北京市市辖区", "天津市市辖区", "长沙市"]);
        assert_eq!(book[0].rows[1], ["北京市市辖区", "110100", "1"]);
        let one = workbook(people, &Column::layout("name").unwrap(), &names, 2022, true, Some("120100"), Locale::Zh);
        assert_eq!(one[0].name, "天津市市辖区", "named as in the whole workbook");
    }

    #[test]
    fn the_layout_is_configuration_and_refuses_unknown_or_repeated_keys() {
        assert_eq!(Column::layout(" name, id_number ,phone"), Ok(vec![Column::Name, Column::IdNumber, Column::Phone]));
        assert!(matches!(Column::layout("name,hukou"), Err(LayoutError::Unknown(k, _)) if k == "hukou"));
        assert_eq!(Column::layout("name,name"), Err(LayoutError::Twice("name".into())));
        assert_eq!(Column::layout(" , "), Err(LayoutError::Empty));
        let every = KEYS.iter().map(|(_, k)| *k).collect::<Vec<_>>().join(",");
        assert_eq!(Column::layout(&every).map(|c| c.len()), Ok(KEYS.len()));
    }

    #[test]
    fn each_prefecture_gets_its_own_sheet_after_a_summary_with_numbers_masked_when_asked() {
        assert_eq!(prefecture("430104"), "430100");
        assert_eq!(prefecture("43"), "43");
        let columns = Column::layout("seq,home_county,name,id_number,phone,categories,birth,last_contact").unwrap();
        let people = vec![leaver(1, "王五", "430302"), leaver(2, "李四", "430104"), leaver(3, "张三", "430104")];
        let book = workbook(people.clone(), &columns, &names(), 2022, true, None, Locale::Zh);
        let sheet_names: Vec<&str> = book.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(sheet_names, ["汇总", "长沙市", "湘潭市"]);
        assert_eq!(book[0].rows[1], ["长沙市", "430100", "2"]);
        assert_eq!(book[0].rows[3], ["合计", "", "3"]);
        let changsha = &book[1].rows;
        assert_eq!(changsha[0][..3], ["序号", "户籍地（县市区）", "姓名"]);
        assert_eq!(changsha[1][..3], ["1", "岳麓区", "张三"]);
        assert_eq!(changsha[2][..3], ["2", "岳麓区", "李四"]);
        assert_eq!(changsha[1][5..], ["脱贫家庭", "2000-01", "2022-06-20"]);
        assert!(!changsha[1][3].contains("200001011") && !changsha[1][4].contains("12345678"), "{:?}", changsha[1]);
        assert_eq!(book[1].text_columns, [3, 4, 6, 7]);
        let full = workbook(people, &columns, &names(), 2022, false, Some("430300"), Locale::Zh);
        assert_eq!(full.len(), 1);
        assert_eq!(full[0].rows[1][2..4], ["王五", "430104200001011234"]);
        let none =
            workbook(vec![leaver(4, "赵六", "430104")], &columns, &names(), 2022, true, Some("430300"), Locale::Zh);
        assert_eq!((none.len(), none[0].name.as_str(), none[0].rows.len()), (1, "湘潭市", 1));
    }
}
