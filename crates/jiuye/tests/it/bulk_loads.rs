//! `Tx::set_aside` and `Tx::restore` (the demo's bulk load) on either engine:
//! the secondary indexes and foreign keys come back as they were, unique
//! indexes hold throughout, and a row that breaks a key fails the load.

use kernel::db::{Backend, Db, Tx};

use super::support::TestApp;

async fn make_tables(db: &Db) {
    let mut tx = db.begin().await.unwrap();
    for sql in [
        "CREATE TABLE parents (id BIGINT PRIMARY KEY)",
        "CREATE TABLE children (id BIGINT PRIMARY KEY, parent_id BIGINT NOT NULL REFERENCES parents (id), name TEXT NOT NULL)",
        "CREATE INDEX children_name ON children (name, id)",
        "CREATE UNIQUE INDEX children_parent_name ON children (parent_id, name)",
        "INSERT INTO parents (id) VALUES (1), (2)",
    ] {
        tx.execute(sql, &[]).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// The table's indexes and foreign keys, as the engine describes them.
async fn schema(tx: &mut Tx) -> Vec<String> {
    let sql = match tx.backend() {
        Backend::Sqlite => {
            "SELECT name || ': ' || COALESCE(sql, '') AS d FROM sqlite_master WHERE tbl_name = 'children' AND type = 'index'
             UNION ALL SELECT \"table\" || '.' || \"from\" AS d FROM pragma_foreign_key_list('children') ORDER BY d"
        }
        Backend::Postgres => {
            "SELECT indexdef AS d FROM pg_indexes WHERE tablename = 'children'
             UNION ALL SELECT conname || ': ' || pg_get_constraintdef(oid) AS d FROM pg_constraint
             WHERE conrelid = 'children'::regclass AND contype = 'f' ORDER BY d"
        }
    };
    tx.fetch_all(sql, &[]).await.unwrap().iter().map(|r| r.text("d").unwrap()).collect()
}

#[tokio::test]
async fn what_is_set_aside_comes_back_as_it_was_and_unique_indexes_hold_throughout() {
    let app = TestApp::empty().await;
    make_tables(&app.db).await;
    let mut tx = app.db.begin().await.unwrap();
    let before = schema(&mut tx).await;
    assert!(before.iter().any(|d| d.contains("children_name")), "{before:?}");
    // This transaction is dropped without restoring: it rolls back, indexes and all.
    let _rolled_back = tx.set_aside(&["children"]).await.unwrap();
    let during = schema(&mut tx).await;
    assert!(!during.iter().any(|d| d.contains("children_name")), "the secondary index is dropped: {during:?}");
    assert!(during.iter().any(|d| d.contains("children_parent_name")), "the unique index stays: {during:?}");
    tx.execute("INSERT INTO children (id, parent_id, name) VALUES (1, 1, '甲'), (2, 2, '甲')", &[]).await.unwrap();
    let twice = tx.execute("INSERT INTO children (id, parent_id, name) VALUES (3, 1, '甲')", &[]).await;
    assert!(twice.is_err(), "a duplicate is refused while the indexes are set aside");
    drop(tx);

    let mut tx = app.db.begin().await.unwrap();
    let set_aside_again = tx.set_aside(&["children"]).await.unwrap();
    tx.execute("INSERT INTO children (id, parent_id, name) VALUES (1, 1, '甲'), (2, 2, '甲')", &[]).await.unwrap();
    tx.restore(set_aside_again).await.unwrap();
    assert_eq!(schema(&mut tx).await, before);
    tx.commit().await.unwrap();
    let by_name = app.db.fetch_all("SELECT id FROM children WHERE name = '甲' ORDER BY id", &[]).await.unwrap();
    assert_eq!(by_name.len(), 2);
}

#[tokio::test]
async fn a_row_that_breaks_a_foreign_key_fails_the_load_and_nothing_stays() {
    let app = TestApp::empty().await;
    make_tables(&app.db).await;
    let mut tx = app.db.begin().await.unwrap();
    let before = schema(&mut tx).await;
    let set_aside = tx.set_aside(&["children"]).await.unwrap();
    // PostgreSQL takes the row and refuses the key when it is added back;
    // SQLite checks the row as it comes.
    let inserted = tx.execute("INSERT INTO children (id, parent_id, name) VALUES (1, 99, '乙')", &[]).await;
    let failed = match inserted {
        Err(_) => true,
        Ok(_) => tx.restore(set_aside).await.is_err(),
    };
    assert!(failed, "a child of no parent fails the load");
    drop(tx);
    let mut tx = app.db.begin().await.unwrap();
    assert_eq!(schema(&mut tx).await, before);
    assert_eq!(app.db.scalar_i64("SELECT COUNT(*) AS n FROM children", &[]).await.unwrap(), 0);
}
