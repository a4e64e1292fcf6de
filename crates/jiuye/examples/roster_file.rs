//! Writes a large, valid roster .xlsx for an institution of a demo database,
//! for the import benchmark: `cargo run --release --example roster_file -- DB_URL CODE ROWS OUT.xlsx`.

use kernel::validate::id_card_check_char;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, code, rows, out] = args.as_slice() else {
        anyhow::bail!("usage: roster_file DB_URL INSTITUTION_CODE ROWS OUT.xlsx");
    };
    let rows: usize = rows.parse()?;
    let db = kernel::Db::connect(url).await?;
    let majors = db
        .fetch_all(
            "SELECT m.code, m.level, c.name AS college FROM majors m JOIN colleges c ON c.id = m.college_id \
             JOIN institutions i ON i.id = m.institution_id WHERE i.code = $1 AND m.level <> '研究生' ORDER BY m.id",
            &[code.as_str().into()],
        )
        .await?;
    anyhow::ensure!(!majors.is_empty(), "institution {code} offers no majors");
    let headers = [
        "学号",
        "姓名",
        "性别",
        "身份证号",
        "出生日期",
        "生源地代码",
        "民族名称",
        "政治面貌",
        "城乡生源",
        "专业代码",
        "学历层次",
        "院系",
        "手机号",
    ];
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h)?;
    }
    for n in 0..rows {
        let m = &majors[n % majors.len()];
        let male = n % 2 == 0;
        // Unique ID numbers: spread over days of 1999-2001 and sequence numbers.
        let day = chrono::NaiveDate::from_ymd_opt(1999, 1, 1).unwrap() + chrono::Days::new((n % 1000) as u64);
        let seq = (n / 1000) * 2 + usize::from(male);
        // 430124 (宁乡县, retired in 2017) is a region the demo does not give anyone.
        let body = format!("430124{}{seq:03}", day.format("%Y%m%d"));
        let id = format!("{body}{}", id_card_check_char(&body).unwrap());
        let level = if m.text("level")? == "专科" { "专科生毕业" } else { "本科生毕业" };
        let row = [
            format!("B{n:07}"),
            format!("学生{n}"),
            (if male { "男" } else { "女" }).to_owned(),
            id,
            day.format("%Y-%m-%d").to_string(),
            "430104".to_owned(),
            "汉族".to_owned(),
            "共青团员".to_owned(),
            "城镇".to_owned(),
            m.text("code")?,
            level.to_owned(),
            m.text("college")?,
            format!("139{n:08}"),
        ];
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(n as u32 + 1, c as u16, v)?;
        }
    }
    workbook.save(out)?;
    eprintln!("wrote {rows} rows to {out}");
    Ok(())
}
