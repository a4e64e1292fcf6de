//! The roster's columns: the national export's headers (docs/domain/roster.md §1) and the
//! aliases offices use, in any order.

/// A roster field the platform stores or checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    StudentNo,
    Name,
    Gender,
    IdNumber,
    BirthDate,
    OriginCode,
    Ethnicity,
    Political,
    UrbanRural,
    MajorCode,
    MajorName,
    Level,
    College,
    Phone,
    GraduationYear,
}

impl Field {
    /// The header written in templates and error reports.
    pub fn header(self) -> &'static str {
        match self {
            Field::StudentNo => "学号",
            Field::Name => "姓名",
            Field::Gender => "性别",
            Field::IdNumber => "身份证号",
            Field::BirthDate => "出生日期",
            Field::OriginCode => "生源地代码",
            Field::Ethnicity => "民族名称",
            Field::Political => "政治面貌",
            Field::UrbanRural => "城乡生源",
            Field::MajorCode => "专业代码",
            Field::MajorName => "专业名称",
            Field::Level => "学历层次",
            Field::College => "院系",
            Field::Phone => "手机号",
            Field::GraduationYear => "毕业年份",
        }
    }

    /// The field's name in the API's JSON rows.
    pub fn key(self) -> &'static str {
        match self {
            Field::StudentNo => "student_no",
            Field::Name => "name",
            Field::Gender => "gender",
            Field::IdNumber => "id_number",
            Field::BirthDate => "birth_date",
            Field::OriginCode => "origin_code",
            Field::Ethnicity => "ethnicity",
            Field::Political => "political",
            Field::UrbanRural => "urban_rural",
            Field::MajorCode => "major_code",
            Field::MajorName => "major_name",
            Field::Level => "level",
            Field::College => "college",
            Field::Phone => "phone",
            Field::GraduationYear => "graduation_year",
        }
    }

    /// Every field in the national export's order (docs/domain/roster.md §1): a template's columns.
    pub const ALL: [Field; 15] = [
        Field::StudentNo,
        Field::Name,
        Field::Gender,
        Field::IdNumber,
        Field::BirthDate,
        Field::OriginCode,
        Field::Ethnicity,
        Field::Political,
        Field::UrbanRural,
        Field::MajorName,
        Field::MajorCode,
        Field::GraduationYear,
        Field::Level,
        Field::College,
        Field::Phone,
    ];

    const ALIASES: &'static [(Field, &'static [&'static str])] = &[
        (Field::StudentNo, &["学号", "学生学号"]),
        (Field::Name, &["姓名", "学生姓名"]),
        (Field::Gender, &["性别"]),
        (Field::IdNumber, &["身份证号", "身份证号码", "证件号码", "身份证", "公民身份号码"]),
        (Field::BirthDate, &["出生日期", "出生年月日"]),
        (Field::OriginCode, &["生源地代码", "生源所在地代码", "生源地区代码"]),
        (Field::Ethnicity, &["民族名称", "民族", "民族代码"]),
        (Field::Political, &["政治面貌", "政治面貌代码"]),
        (Field::UrbanRural, &["城乡生源", "城乡", "城乡生源代码"]),
        (Field::MajorCode, &["专业代码"]),
        (Field::MajorName, &["专业名称", "专业"]),
        (Field::Level, &["学历层次", "学历", "培养层次"]),
        (Field::College, &["院系", "所在院系", "院系名称", "学院"]),
        (Field::Phone, &["手机号", "手机号码", "联系电话", "联系方式", "手机"]),
        (Field::GraduationYear, &["毕业年份", "届别"]),
    ];

    /// Columns every roster must have.
    pub const REQUIRED: [Field; 10] = [
        Field::StudentNo,
        Field::Name,
        Field::Gender,
        Field::IdNumber,
        Field::OriginCode,
        Field::Ethnicity,
        Field::Political,
        Field::UrbanRural,
        Field::MajorCode,
        Field::Level,
    ];

    /// The field a header names, after trimming, full-width folding and
    /// dropping the `*` that templates put on required columns.
    pub fn from_header(header: &str) -> Option<Field> {
        kernel::sheet::field_of(Field::ALIASES, header)
    }

    pub fn is_required(self) -> bool {
        Field::REQUIRED.contains(&self)
    }

    /// What the reader needs to know of the roster's columns.
    pub fn columns() -> kernel::sheet::Columns {
        kernel::sheet::Columns::of(Field::ALIASES, &Field::REQUIRED, &[Field::IdNumber])
    }
}

/// Where each field stands in a file, and the headers the platform ignores.
#[derive(Debug, Default)]
pub struct Layout {
    pub positions: Vec<(Field, usize)>,
    pub ignored: Vec<String>,
    pub missing: Vec<Field>,
}

impl Layout {
    pub fn of(headers: &[String]) -> Layout {
        let mut layout = Layout::default();
        for (i, h) in headers.iter().enumerate() {
            match Field::from_header(h) {
                Some(f) if !layout.positions.iter().any(|(g, _)| *g == f) => layout.positions.push((f, i)),
                _ if h.trim().is_empty() => {}
                _ => layout.ignored.push(h.trim().to_owned()),
            }
        }
        layout.missing = Field::REQUIRED.iter().copied().filter(|f| layout.index(*f).is_none()).collect();
        layout
    }

    pub fn index(&self, field: Field) -> Option<usize> {
        self.positions.iter().find(|(f, _)| *f == field).map(|(_, i)| *i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_any_order_with_aliases() {
        let headers: Vec<String> =
            ["*姓名", "身份证号码", "学号", "备注", "民族", "ｘ"].iter().map(|s| s.to_string()).collect();
        let layout = Layout::of(&headers);
        assert_eq!(layout.index(Field::Name), Some(0));
        assert_eq!(layout.index(Field::IdNumber), Some(1));
        assert_eq!(layout.index(Field::StudentNo), Some(2));
        assert_eq!(layout.index(Field::Ethnicity), Some(4));
        assert_eq!(layout.ignored, vec!["备注".to_owned(), "ｘ".to_owned()]);
        assert!(layout.missing.contains(&Field::MajorCode));
    }
}
