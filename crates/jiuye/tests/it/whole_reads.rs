//! `Db::scan` on either engine (on PostgreSQL through COPY when its parameters
//! are numbers): every row in order, NULLs, and text that COPY has to escape.

use super::support::TestApp;

#[tokio::test]
async fn a_whole_read_gives_every_row_with_nulls_and_escaped_text_intact() {
    let app = TestApp::empty().await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("CREATE TABLE scanned (id BIGINT PRIMARY KEY, name TEXT, n BIGINT)", &[]).await.unwrap();
    let names = [Some("湖南\t大学"), None, Some("a\\b\nc\rd"), Some(""), Some("\\N")];
    for (i, name) in names.iter().enumerate() {
        let id = i as i64 + 1;
        let n = (id != 3).then_some(id * 10);
        tx.execute("INSERT INTO scanned (id, name, n) VALUES ($1, $2, $3)", &[id.into(), (*name).into(), n.into()])
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let read = |sql: &'static str, params: Vec<kernel::Value>| {
        let db = app.db.clone();
        async move {
            db.scan(sql, &params, Vec::new(), |out, r| {
                out.push((r.i64(0)?, r.opt_text(1)?.map(str::to_owned), r.opt_i64(2)?));
                Ok(())
            })
            .await
            .unwrap()
        }
    };
    let numbers = read("SELECT id, name, n FROM scanned WHERE id >= $1 ORDER BY id", vec![1i64.into()]).await;
    let expected: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let id = i as i64 + 1;
            (id, name.map(str::to_owned), (id != 3).then_some(id * 10))
        })
        .collect();
    assert_eq!(numbers, expected);
    // A text parameter is bound, never written into the query: the rows are the same.
    let text = read("SELECT id, name, n FROM scanned WHERE $1 <> 'x' ORDER BY id", vec!["y".into()]).await;
    assert_eq!(text, expected);
}
