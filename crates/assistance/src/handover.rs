//! The hand-over list (离校未就业实名移交): the register's graduates still
//! not placed when they leave, grouped by 户籍地 (the roster's origin region)
//! at the level of the city or prefecture whose public employment service
//! takes them over, then by county. Pure: rows in, the sheet's cells out.

use std::collections::HashMap;

use kernel::Locale;

use crate::store::Leaver;

/// The prefecture (地市) a county code lies in: 430104 → 430100.
pub fn prefecture(code: &str) -> String {
    match code.get(..4) {
        Some(p) if code.len() == 6 && code.is_ascii() => format!("{p}00"),
        _ => code.to_owned(),
    }
}

/// The sheet: a header row, then the leavers by prefecture, county and name.
/// `mask` shows ID and phone numbers masked; `categories` and `helpers` name each graduate's.
pub fn sheet(
    mut leavers: Vec<Leaver>,
    regions: &HashMap<String, String>,
    categories: &HashMap<String, String>,
    helpers: &HashMap<i64, Vec<(i64, String)>>,
    mask: bool,
    l: Locale,
) -> Vec<Vec<String>> {
    leavers.sort_by(|a, b| {
        (prefecture(&a.origin_code), &a.origin_code, &a.member.name, a.member.id).cmp(&(
            prefecture(&b.origin_code),
            &b.origin_code,
            &b.member.name,
            b.member.id,
        ))
    });
    let name = |code: &str| regions.get(code).cloned().unwrap_or_else(|| code.to_owned());
    let header = [
        l.pick("户籍地（市州）", "Home city"),
        l.pick("户籍地（县市区）", "Home county"),
        l.pick("户籍地代码", "Home region code"),
        l.pick("姓名", "Name"),
        l.pick("性别", "Gender"),
        l.pick("身份证号", "ID number"),
        l.pick("联系电话", "Phone"),
        l.pick("毕业学校", "Institution"),
        l.pick("专业", "Major"),
        l.pick("学历", "Level"),
        l.pick("帮扶类别", "Categories"),
        l.pick("帮扶责任人", "Helpers"),
    ];
    let mut rows = vec![header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>()];
    for x in leavers {
        let (id_number, phone) = match mask {
            true => (kernel::mask::id_number(&x.id_number), kernel::mask::phone(&x.phone)),
            false => (x.id_number.clone(), x.phone.clone()),
        };
        let kinds = x.member.categories.iter().map(|c| categories.get(c).cloned().unwrap_or_else(|| c.clone()));
        let who = helpers.get(&x.member.id).map(|h| h.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>().join("、"));
        rows.push(vec![
            name(&prefecture(&x.origin_code)),
            name(&x.origin_code),
            x.origin_code.clone(),
            x.member.name.clone(),
            x.gender.clone(),
            id_number,
            phone,
            x.member.institution.clone(),
            x.major.clone(),
            x.level.clone(),
            kinds.collect::<Vec<_>>().join("、"),
            who.unwrap_or_default(),
        ]);
    }
    rows
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
        }
    }

    #[test]
    fn leavers_are_grouped_by_home_city_then_county_with_numbers_masked_when_asked() {
        assert_eq!(prefecture("430104"), "430100");
        assert_eq!(prefecture("43"), "43");
        let regions: HashMap<String, String> =
            [("430100", "长沙市"), ("430104", "岳麓区"), ("430300", "湘潭市"), ("430302", "雨湖区")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
        let categories: HashMap<String, String> = [("01".to_owned(), "脱贫家庭".to_owned())].into_iter().collect();
        let people = vec![leaver(1, "王五", "430302"), leaver(2, "李四", "430104"), leaver(3, "张三", "430104")];
        let rows = sheet(people.clone(), &regions, &categories, &HashMap::new(), true, Locale::Zh);
        assert_eq!(rows[0][0], "户籍地（市州）");
        let order: Vec<(&str, &str)> = rows[1..].iter().map(|r| (r[0].as_str(), r[3].as_str())).collect();
        assert_eq!(order, [("长沙市", "张三"), ("长沙市", "李四"), ("湘潭市", "王五")]);
        assert_eq!(rows[1][1], "岳麓区");
        assert_eq!(rows[1][10], "脱贫家庭");
        assert!(!rows[1][5].contains("200001011") && !rows[1][6].contains("12345678"), "masked: {:?}", rows[1]);
        let full = sheet(people, &regions, &categories, &HashMap::new(), false, Locale::Zh);
        assert_eq!(full[1][5], "430104200001011234");
    }
}
