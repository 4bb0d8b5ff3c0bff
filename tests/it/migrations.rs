//! Migrations: every down.sql undoes its up.sql (up → down → up), and `src/db/schema.rs`, which
//! diesel generated from the migrations, matches the tables the backend under test really has.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use ghent::db::{self, AnyConnection, Backend, Manager};

use crate::helpers::*;

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

fn tables(conn: &mut AnyConnection) -> Vec<String> {
    let sql = match backend() {
        Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        Backend::Postgres => "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    };
    diesel::sql_query(sql)
        .load::<Name>(conn)
        .unwrap()
        .into_iter()
        .map(|n| n.name)
        .collect()
}

fn indexes(conn: &mut AnyConnection) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let sql = match backend() {
        Backend::Sqlite => "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'index'",
        Backend::Postgres => "SELECT COUNT(*) AS n FROM pg_indexes WHERE schemaname = 'public'",
    };
    diesel::sql_query(sql).get_result::<N>(conn).unwrap().n
}

#[test]
fn every_migration_can_be_reverted_and_applied_again() {
    let test_db = TestDb::unmigrated();
    let mut conn = Manager::new(&test_db.url).open().unwrap();
    let applied = db::run_migrations(&mut conn).unwrap();
    assert_eq!(applied, migration_count());
    let after_up = tables(&mut conn);
    let index_count = indexes(&mut conn);
    for t in [
        "events",
        "organizers",
        "talks",
        "slots",
        "proposals",
        "registrations",
        "mail_outbox",
        "jobs",
        "audit_log",
    ] {
        assert!(
            after_up.contains(&t.to_string()),
            "{t} missing: {after_up:?}"
        );
    }
    let reverted = db::revert_all_migrations(&mut conn).unwrap();
    assert_eq!(reverted, migration_count());
    let after_down = tables(&mut conn);
    assert_eq!(
        after_down,
        vec!["__diesel_schema_migrations".to_string()],
        "down.sql left tables behind"
    );
    assert_eq!(db::run_migrations(&mut conn).unwrap(), migration_count());
    assert_eq!(tables(&mut conn), after_up);
    assert_eq!(indexes(&mut conn), index_count);
}

/// Column name → (type, nullable) as schema.rs declares them.
fn schema_rs() -> BTreeMap<String, BTreeMap<String, (String, bool)>> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/db/schema.rs")).unwrap();
    let mut out = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut sql_name: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix("#[sql_name = \"") {
            sql_name = Some(name.trim_end_matches("\"]").to_string());
        } else if let Some(rest) = line.strip_suffix(") {") {
            if let Some((name, _pk)) = rest.split_once(" (") {
                current = Some(name.trim().to_string());
                out.insert(name.trim().to_string(), BTreeMap::new());
            }
        } else if let (Some(table), Some((col, ty))) =
            (&current, line.trim_end_matches(',').split_once(" -> "))
        {
            let (ty, nullable) = match ty.strip_prefix("Nullable<") {
                Some(inner) => (inner.trim_end_matches('>').to_string(), true),
                None => (ty.to_string(), false),
            };
            let col = sql_name.take().unwrap_or_else(|| col.trim().to_string());
            out.get_mut(table).unwrap().insert(col, (ty, nullable));
        } else if line == "}" {
            current = None;
        }
    }
    out
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    nullable: String,
}

fn diesel_type(sql_type: &str) -> String {
    match sql_type.to_ascii_lowercase().as_str() {
        "text" => "Text",
        "integer" => "Integer",
        "bigint" => "BigInt",
        "boolean" => "Bool",
        "timestamp" | "timestamp without time zone" => "Timestamp",
        "blob" | "bytea" => "Binary",
        other => panic!("unexpected column type {other}"),
    }
    .to_string()
}

/// The material library's full-text index differs per backend (an FTS5 virtual table and its
/// shadow tables on SQLite, a table with a tsvector on PostgreSQL) and is kept out of schema.rs.
fn is_index_table(name: &str) -> bool {
    name == "material_index" || name.starts_with("material_index_")
}

#[test]
fn schema_rs_matches_the_migrated_database() {
    let test_db = TestDb::new();
    let mut conn = Manager::new(&test_db.url).open().unwrap();
    let columns: Vec<Column> = match backend() {
        Backend::Sqlite => {
            let mut all = Vec::new();
            for t in tables(&mut conn).into_iter().filter(|t| t != "__diesel_schema_migrations" && !is_index_table(t)) {
                #[derive(QueryableByName)]
                struct Info {
                    #[diesel(sql_type = Text)]
                    name: String,
                    #[diesel(sql_type = Text, column_name = "type")]
                    ty: String,
                    #[diesel(sql_type = diesel::sql_types::Integer)]
                    notnull: i32,
                }
                for c in diesel::sql_query(format!("PRAGMA table_info({t})")).load::<Info>(&mut conn).unwrap() {
                    all.push(Column { table_name: t.clone(), column_name: c.name, data_type: c.ty, nullable: if c.notnull == 1 { "NO".into() } else { "YES".into() } });
                }
            }
            all
        }
        Backend::Postgres => diesel::sql_query(
            "SELECT table_name::text AS table_name, column_name::text AS column_name, data_type::text AS data_type, is_nullable::text AS nullable \
             FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
        )
        .load::<Column>(&mut conn)
        .unwrap()
        .into_iter()
        .filter(|c| !is_index_table(&c.table_name))
        .collect(),
    };
    let mut actual: BTreeMap<String, BTreeMap<String, (String, bool)>> = BTreeMap::new();
    for c in columns {
        actual.entry(c.table_name).or_default().insert(
            c.column_name,
            (diesel_type(&c.data_type), c.nullable == "YES"),
        );
    }
    let declared = schema_rs();
    assert_eq!(
        declared.keys().collect::<Vec<_>>(),
        actual.keys().collect::<Vec<_>>(),
        "tables differ"
    );
    for (table, cols) in &declared {
        assert_eq!(
            cols, &actual[table],
            "columns of {table} differ between schema.rs and the migrations"
        );
    }
}

/// Every column (table, name, type, nullability) and index name: what a migration changes.
fn shape(conn: &mut AnyConnection) -> Vec<String> {
    let sqls: &[&str] = match backend() {
        Backend::Sqlite => &[
            "SELECT m.name || '.' || p.name || ' ' || p.type || ' ' || p.\"notnull\" AS name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY 1",
            "SELECT 'index ' || name AS name FROM sqlite_master WHERE type = 'index' ORDER BY 1",
        ],
        Backend::Postgres => &[
            "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable AS name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1",
            "SELECT 'index ' || indexname AS name FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
        ],
    };
    sqls.iter()
        .flat_map(|sql| diesel::sql_query(*sql).load::<Name>(conn).unwrap())
        .map(|n| n.name)
        // diesel's own bookkeeping table appears with the first migration run.
        .filter(|n| !n.contains("__diesel_schema_migrations"))
        .collect()
}

/// Applies the next migration (`up`) or reverts the last one; false when there was none.
fn step(conn: &mut AnyConnection, up: bool) -> bool {
    use diesel_migrations::MigrationHarness;
    fn go<C: MigrationHarness<B>, B: diesel::backend::Backend>(
        c: &mut C,
        source: impl Fn() -> diesel_migrations::EmbeddedMigrations,
        up: bool,
    ) -> bool {
        if up {
            !c.pending_migrations(source()).unwrap().is_empty()
                && c.run_next_migration(source()).is_ok()
        } else {
            !c.applied_migrations().unwrap().is_empty() && c.revert_last_migration(source()).is_ok()
        }
    }
    match conn {
        AnyConnection::Sqlite(c) => go(c, || db::SQLITE_MIGRATIONS, up),
        AnyConnection::Postgresql(c) => go(c, || db::POSTGRES_MIGRATIONS, up),
    }
}

#[test]
fn each_down_sql_restores_exactly_the_schema_before_its_up_sql() {
    let test_db = TestDb::unmigrated();
    let mut conn = Manager::new(&test_db.url).open().unwrap();
    // The shape before each migration, applied one by one…
    let mut before = vec![shape(&mut conn)];
    while step(&mut conn, true) {
        before.push(shape(&mut conn));
    }
    assert_eq!(
        before.len(),
        migration_count() + 1,
        "one shape per migration, and the empty one"
    );
    assert!(
        before[6].contains(&"registrations.kind TEXT 1".to_string())
            || before[6].contains(&"registrations.kind text NO".to_string()),
        "the sixth migration adds registrations.kind"
    );
    assert!(
        before[7].contains(&"registrations.token_generation INTEGER 1".to_string())
            || before[7].contains(&"registrations.token_generation integer NO".to_string()),
        "the seventh migration adds registrations.token_generation: {:?}",
        before[7]
    );
    // …is the shape after reverting them one by one, from the last.
    let mut n = before.len() - 1;
    while step(&mut conn, false) {
        n -= 1;
        let now = shape(&mut conn);
        let left: Vec<_> = now.iter().filter(|x| !before[n].contains(x)).collect();
        let lost: Vec<_> = before[n].iter().filter(|x| !now.contains(x)).collect();
        assert!(
            left.is_empty() && lost.is_empty(),
            "reverting migration {} left {left:?} behind and lost {lost:?}",
            n + 1
        );
    }
    assert_eq!(n, 0);
}
