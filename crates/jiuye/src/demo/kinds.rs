//! What kind of institution each is (办学类型), and what that makes of its
//! colleges, majors and sizes: a normal university graduates teachers, a
//! medical one doctors and nurses, a railway college train crews. The kind is
//! read from the institution's name, which in Hunan says it plainly; the
//! weights are rounded from the national statistics bulletins' shares of
//! graduates by discipline (工学 about a third, 管理学 a fifth, 哲学 a tenth
//! of a percent) and tilted by kind. Pure: no database.

/// The kinds the demo tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Comprehensive,
    Engineering,
    Normal,
    Medical,
    Agricultural,
    Finance,
    Arts,
    Law,
    Sports,
    Languages,
    Transport,
    Information,
    Industry,
    PublicService,
    Tourism,
    FoodAndDrug,
}

/// Name fragments in the order they decide: "湖南财经工业职业技术学院" is a
/// finance college before it is an industrial one.
const BY_NAME: &[(&[&str], Kind)] = &[
    (&["师范"], Kind::Normal),
    (&["食品药品"], Kind::FoodAndDrug),
    (&["医", "卫生"], Kind::Medical),
    (&["农业", "林业", "生物机电", "环境生物"], Kind::Agricultural),
    (&["警察", "警官", "司法"], Kind::Law),
    (&["体育"], Kind::Sports),
    (&["艺术", "工艺美术", "传媒"], Kind::Arts),
    (&["外国语"], Kind::Languages),
    (&["财政", "财经", "商学院", "商务", "工商", "税务", "保险", "外贸", "涉外经济", "商贸", "物流"], Kind::Finance),
    (&["旅游"], Kind::Tourism),
    (&["民政", "劳动人事", "女子"], Kind::PublicService),
    (&["铁道", "铁路", "交通", "航空", "汽车"], Kind::Transport),
    (&["信息", "网络", "软件", "邮电", "电子"], Kind::Information),
    (&["电力", "电气", "水利", "冶金", "有色", "化工", "石油", "安全", "环境保护", "城建"], Kind::Industry),
    (&["文理", "人文"], Kind::Comprehensive),
    (&["理工", "工业", "工程", "工学院", "科技", "机电", "国防", "应用技术"], Kind::Engineering),
];

pub fn kind_of(name: &str) -> Kind {
    BY_NAME
        .iter()
        .find(|(fragments, _)| fragments.iter().any(|f| name.contains(f)))
        .map(|(_, kind)| *kind)
        .unwrap_or(Kind::Comprehensive)
}

/// Institutions whose kind leaves medicine out but which have a medical school
/// (中南大学's 湘雅, 南华大学, 吉首大学, 湘南学院).
const WITH_MEDICINE: &[&str] = &["10533", "10555", "10531", "10545"];

/// Weight of an undergraduate 门类 (01–13) at an institution of `kind`.
fn undergraduate(kind: Kind) -> &'static [(&'static str, f64)] {
    match kind {
        Kind::Engineering => {
            &[("02", 4.0), ("03", 2.0), ("04", 1.0), ("05", 4.0), ("07", 8.0), ("08", 56.0), ("12", 18.0), ("13", 6.0)]
        }
        Kind::Normal => &[
            ("01", 0.5),
            ("02", 3.0),
            ("03", 3.0),
            ("04", 24.0),
            ("05", 20.0),
            ("06", 4.0),
            ("07", 17.0),
            ("08", 8.0),
            ("12", 7.0),
            ("13", 13.0),
        ],
        Kind::Medical => &[("05", 2.0), ("07", 5.0), ("08", 4.0), ("10", 80.0), ("12", 9.0)],
        Kind::Agricultural => {
            &[("02", 8.0), ("03", 2.0), ("05", 3.0), ("07", 8.0), ("08", 28.0), ("09", 30.0), ("12", 16.0), ("13", 5.0)]
        }
        Kind::Finance => &[("02", 32.0), ("03", 6.0), ("05", 8.0), ("07", 3.0), ("08", 9.0), ("12", 40.0), ("13", 2.0)],
        Kind::Arts => &[("04", 2.0), ("05", 12.0), ("08", 6.0), ("12", 8.0), ("13", 72.0)],
        Kind::Law => &[("03", 70.0), ("08", 20.0), ("12", 10.0)],
        Kind::Sports => &[("04", 85.0), ("12", 10.0), ("13", 5.0)],
        Kind::Languages => &[("02", 10.0), ("05", 70.0), ("12", 15.0), ("13", 5.0)],
        Kind::Transport | Kind::Information => &[("02", 5.0), ("08", 65.0), ("12", 22.0), ("13", 8.0)],
        Kind::Industry => &[("07", 10.0), ("08", 70.0), ("12", 20.0)],
        Kind::PublicService => &[("02", 5.0), ("03", 30.0), ("04", 10.0), ("05", 15.0), ("12", 30.0), ("13", 10.0)],
        Kind::Comprehensive | Kind::Tourism | Kind::FoodAndDrug => &[
            ("01", 0.5),
            ("02", 7.0),
            ("03", 6.0),
            ("04", 4.0),
            ("05", 10.0),
            ("06", 1.5),
            ("07", 9.0),
            ("08", 28.0),
            ("12", 18.0),
            ("13", 8.0),
        ],
    }
}

/// Weight of a vocational 专业大类 (41–59) at a college of `kind`.
fn vocational(kind: Kind) -> &'static [(&'static str, f64)] {
    match kind {
        Kind::Engineering => {
            &[("42", 4.0), ("43", 10.0), ("44", 8.0), ("46", 42.0), ("50", 10.0), ("51", 16.0), ("53", 10.0)]
        }
        Kind::Normal => &[("51", 5.0), ("53", 4.0), ("55", 10.0), ("57", 78.0), ("59", 3.0)],
        Kind::Medical => &[("49", 8.0), ("52", 85.0), ("53", 3.0), ("59", 4.0)],
        Kind::Agricultural => &[("41", 45.0), ("42", 6.0), ("44", 8.0), ("46", 14.0), ("49", 15.0), ("53", 12.0)],
        Kind::Finance => &[("51", 15.0), ("53", 58.0), ("54", 10.0), ("56", 4.0), ("57", 5.0), ("59", 8.0)],
        Kind::Arts => &[("51", 10.0), ("53", 6.0), ("54", 4.0), ("55", 62.0), ("56", 18.0)],
        Kind::Law => &[("51", 10.0), ("58", 72.0), ("59", 18.0)],
        Kind::Sports => &[("53", 10.0), ("54", 10.0), ("57", 80.0)],
        Kind::Languages => &[("53", 40.0), ("54", 15.0), ("57", 45.0)],
        Kind::Transport => &[("44", 5.0), ("46", 22.0), ("50", 58.0), ("51", 10.0), ("53", 5.0)],
        Kind::Information => &[("46", 10.0), ("51", 62.0), ("53", 15.0), ("55", 7.0), ("56", 6.0)],
        Kind::Industry => {
            &[("42", 18.0), ("43", 30.0), ("44", 12.0), ("45", 6.0), ("46", 18.0), ("47", 10.0), ("53", 6.0)]
        }
        Kind::PublicService => &[("51", 10.0), ("52", 10.0), ("53", 20.0), ("57", 10.0), ("59", 50.0)],
        Kind::Tourism => &[("51", 8.0), ("53", 22.0), ("54", 60.0), ("55", 10.0)],
        Kind::FoodAndDrug => &[("41", 8.0), ("49", 60.0), ("52", 22.0), ("53", 10.0)],
        Kind::Comprehensive => &[
            ("41", 5.0),
            ("43", 3.0),
            ("44", 9.0),
            ("46", 14.0),
            ("50", 6.0),
            ("51", 16.0),
            ("52", 8.0),
            ("53", 16.0),
            ("54", 5.0),
            ("55", 5.0),
            ("57", 9.0),
            ("59", 4.0),
        ],
    }
}

/// A sector named in the college's name weighs more within its kind:
/// "湖南水利水电职业技术学院" teaches water conservancy above all.
const SECTOR_IN_NAME: &[(&str, &str, f64)] = &[
    ("水利", "45", 10.0),
    ("城建", "44", 6.0),
    ("化工", "47", 6.0),
    ("石油", "47", 6.0),
    ("环境保护", "42", 4.0),
    ("安全", "42", 4.0),
    ("电力", "43", 3.0),
    ("电气", "43", 3.0),
];

/// How much of an institution's teaching a discipline (门类 or 大类, two
/// digits) takes; zero where the institution does not teach it.
pub fn discipline_weight(code: &str, name: &str, kind: Kind, discipline: &str) -> f64 {
    let table =
        if discipline.as_bytes().first().is_some_and(|b| *b >= b'4') { vocational(kind) } else { undergraduate(kind) };
    let base = table.iter().find(|(d, _)| *d == discipline).map(|(_, w)| *w).unwrap_or(0.0);
    let base = if discipline == "10" && base == 0.0 && WITH_MEDICINE.contains(&code) { 12.0 } else { base };
    SECTOR_IN_NAME
        .iter()
        .filter(|(fragment, d, _)| *d == discipline && name.contains(fragment))
        .fold(base, |w, (_, _, factor)| w.max(1.0) * factor)
}

/// Majors that graduate many more (or far fewer) students than an average one, nationally.
const POPULAR: &[(&str, f64)] = &[
    ("计算机科学与技术", 3.0),
    ("软件工程", 2.5),
    ("会计学", 3.0),
    ("财务管理", 2.5),
    ("大数据与会计", 3.0),
    ("护理学", 3.0),
    ("护理", 4.0),
    ("临床医学", 3.0),
    ("汉语言文学", 2.5),
    ("英语", 2.5),
    ("学前教育", 3.0),
    ("小学教育", 2.0),
    ("机械设计制造及其自动化", 2.5),
    ("土木工程", 2.5),
    ("电气工程及其自动化", 2.5),
    ("计算机应用技术", 2.5),
    ("软件技术", 2.5),
    ("机电一体化技术", 2.5),
    ("电子商务", 2.0),
    ("市场营销", 2.0),
    ("工程造价", 2.0),
    ("建筑工程技术", 2.0),
    ("汽车检测与维修技术", 2.0),
    ("药学", 2.0),
    ("视觉传达设计", 2.0),
    ("环境设计", 2.0),
    ("工商管理", 2.0),
    ("国际经济与贸易", 1.5),
    ("金融学", 2.0),
    ("法学", 2.0),
    ("数学与应用数学", 2.0),
    ("哲学", 0.3),
    ("逻辑学", 0.1),
    ("宗教学", 0.1),
    ("伦理学", 0.1),
    ("民族学", 0.2),
    ("古典文献学", 0.2),
    ("考古学", 0.2),
    ("世界史", 0.2),
    ("俄语", 0.3),
    ("西班牙语", 0.3),
    ("精算学", 0.2),
    ("水产养殖学", 0.4),
];

/// How many graduates a major has beside an average one.
pub fn popularity(major: &str) -> f64 {
    POPULAR.iter().find(|(name, _)| *name == major).map(|(_, w)| *w).unwrap_or(1.0)
}

/// The college that teaches a catalogue entry, by its 专业类 (four digits) and
/// else its 门类 or 大类: a medical university has a 护理学院 and a 药学院, not
/// one 医学院.
pub fn college_name(code: &str, discipline_code: &str, discipline_name: &str) -> String {
    let class = code.get(..4).unwrap_or("");
    if let Some((_, name)) = COLLEGES.iter().find(|(c, _)| *c == class) {
        return (*name).to_owned();
    }
    match discipline_code {
        "01" => "马克思主义与哲学学院".into(),
        "02" => "经济学院".into(),
        "03" => "法学院".into(),
        "04" => "教育科学学院".into(),
        "05" => "文学院".into(),
        "06" => "历史文化学院".into(),
        "07" => "理学院".into(),
        "08" => "机电工程学院".into(),
        "09" => "农学院".into(),
        "10" => "临床医学院".into(),
        "12" => "管理学院".into(),
        "13" => "艺术学院".into(),
        d if d.as_bytes().first().is_some_and(|b| *b >= b'4') => discipline_name.replace("大类", "学院"),
        _ => format!("{discipline_name}学院"),
    }
}

/// 专业类 whose college is named apart from its 门类's or 大类's.
const COLLEGES: &[(&str, &str)] = &[
    ("0203", "金融学院"),
    ("0251", "金融学院"),
    ("0302", "公共管理学院"),
    ("0303", "公共管理学院"),
    ("0352", "公共管理学院"),
    ("0305", "马克思主义学院"),
    ("0306", "侦查与治安学院"),
    ("0402", "体育学院"),
    ("0403", "体育学院"),
    ("0452", "体育学院"),
    ("0502", "外国语学院"),
    ("0551", "外国语学院"),
    ("0503", "新闻与传播学院"),
    ("0552", "新闻与传播学院"),
    ("0701", "数学与统计学院"),
    ("0712", "数学与统计学院"),
    ("0714", "数学与统计学院"),
    ("0702", "物理与电子科学学院"),
    ("0703", "化学化工学院"),
    ("0813", "化学化工学院"),
    ("0817", "化学化工学院"),
    ("0705", "地理科学学院"),
    ("0710", "生命科学学院"),
    ("0830", "生命科学学院"),
    ("0711", "教育科学学院"),
    ("0804", "材料科学与工程学院"),
    ("0805", "材料科学与工程学院"),
    ("0856", "材料科学与工程学院"),
    ("0806", "电气与信息工程学院"),
    ("0808", "电气与信息工程学院"),
    ("0807", "电气与信息工程学院"),
    ("0854", "电气与信息工程学院"),
    ("0809", "计算机学院"),
    ("0812", "计算机学院"),
    ("0835", "计算机学院"),
    ("0839", "计算机学院"),
    ("0810", "土木工程学院"),
    ("0811", "土木工程学院"),
    ("0814", "土木工程学院"),
    ("0859", "土木工程学院"),
    ("0815", "资源与安全工程学院"),
    ("0829", "资源与安全工程学院"),
    ("0818", "交通运输工程学院"),
    ("0861", "交通运输工程学院"),
    ("0825", "环境科学与工程学院"),
    ("0857", "环境科学与工程学院"),
    ("0826", "生物医学工程学院"),
    ("0827", "食品科学与工程学院"),
    ("0828", "建筑与城乡规划学院"),
    ("0851", "建筑与城乡规划学院"),
    ("0853", "建筑与城乡规划学院"),
    ("0903", "动物科学技术学院"),
    ("0904", "动物科学技术学院"),
    ("0905", "林学院"),
    ("0906", "动物科学技术学院"),
    ("1001", "基础医学院"),
    ("1003", "口腔医学院"),
    ("1004", "公共卫生学院"),
    ("1053", "公共卫生学院"),
    ("1005", "中医学院"),
    ("1006", "中医学院"),
    ("1007", "药学院"),
    ("1008", "药学院"),
    ("1010", "医学技术学院"),
    ("1011", "护理学院"),
    ("1054", "护理学院"),
    ("1202", "商学院"),
    ("1251", "商学院"),
    ("1253", "商学院"),
    ("1257", "商学院"),
    ("1208", "商学院"),
    ("1204", "公共管理学院"),
    ("1205", "公共管理学院"),
    ("1252", "公共管理学院"),
    ("1209", "旅游管理学院"),
    ("1302", "音乐学院"),
    ("1351", "音乐学院"),
    ("1303", "影视艺术学院"),
    ("1353", "影视艺术学院"),
    ("1304", "美术学院"),
    ("1355", "美术学院"),
    ("1305", "设计艺术学院"),
    ("1356", "设计艺术学院"),
    ("1403", "设计艺术学院"),
    ("4103", "畜牧兽医学院"),
    ("4601", "机械工程学院"),
    ("4603", "智能制造学院"),
    ("4606", "智能制造学院"),
    ("4607", "汽车工程学院"),
    ("5002", "汽车工程学院"),
    ("5001", "轨道交通学院"),
    ("5006", "轨道交通学院"),
    ("5102", "软件与信息技术学院"),
    ("5201", "临床医学院"),
    ("5202", "护理学院"),
    ("5203", "药学院"),
    ("5204", "中医药学院"),
    ("5205", "医学技术学院"),
    ("5206", "医学技术学院"),
    ("5209", "医学技术学院"),
    ("5302", "金融学院"),
    ("5303", "会计学院"),
    ("5306", "商学院"),
    ("5307", "电子商务学院"),
    ("5308", "物流学院"),
    ("5701", "教育学院"),
    ("5702", "外国语学院"),
    ("5703", "体育学院"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_say_the_kind() {
        assert_eq!(kind_of("湖南师范大学"), Kind::Normal);
        assert_eq!(kind_of("湖南中医药大学湘杏学院"), Kind::Medical);
        assert_eq!(kind_of("湖南食品药品职业学院"), Kind::FoodAndDrug);
        assert_eq!(kind_of("湖南财经工业职业技术学院"), Kind::Finance);
        assert_eq!(kind_of("湖南铁道职业技术学院"), Kind::Transport);
        assert_eq!(kind_of("湖南工艺美术职业学院"), Kind::Arts);
        assert_eq!(kind_of("湖南人文科技学院"), Kind::Comprehensive);
        assert_eq!(kind_of("湘潭大学"), Kind::Comprehensive);
        assert_eq!(kind_of("长沙理工大学"), Kind::Engineering);
    }

    #[test]
    fn a_comprehensive_university_teaches_no_medicine_unless_it_has_a_medical_school() {
        assert_eq!(discipline_weight("10530", "湘潭大学", Kind::Comprehensive, "10"), 0.0);
        assert_eq!(discipline_weight("10530", "湘潭大学", Kind::Comprehensive, "09"), 0.0);
        assert!(discipline_weight("10533", "中南大学", Kind::Comprehensive, "10") > 0.0);
        let arts = |d| discipline_weight("13921", "湖南工艺美术职业学院", Kind::Arts, d);
        assert!(arts("55") > 5.0 * arts("51"));
        assert_eq!(arts("45"), 0.0);
        let water = |d| discipline_weight("13939", "湖南水利水电职业技术学院", Kind::Industry, d);
        assert!(water("45") > water("43"));
    }

    #[test]
    fn philosophy_is_small_and_nursing_large() {
        assert!(popularity("哲学") < 1.0 && popularity("护理") > 1.0);
        assert_eq!(college_name("101101", "10", "医学"), "护理学院");
        assert_eq!(college_name("520201", "52", "医药卫生大类"), "护理学院");
        assert_eq!(college_name("560201", "56", "新闻传播大类"), "新闻传播学院");
    }
}
