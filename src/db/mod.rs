//! The database: the backend picked from the URL at run time (SQLite or PostgreSQL behind one
//! diesel `MultiConnection`), an r2d2 pool, and the migrations embedded in the binary.
//!
//! On SQLite every connection runs in WAL mode with a busy timeout and foreign keys on, and all
//! writes go through one writer connection: SQLite allows one writer at a time anyway, and
//! queueing writers in the pool avoids "database is locked" errors under load.

pub mod of_event;
pub mod schema;
pub mod text_enum;
pub(crate) use of_event::of_event;
pub(crate) use text_enum::text_enum;

use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// Migrations for each backend, compiled into the binary.
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
/// See [`SQLITE_MIGRATIONS`].
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// One connection to either backend; all query code is written against this type.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    /// A PostgreSQL connection.
    Postgresql(PgConnection),
    /// A SQLite connection.
    Sqlite(SqliteConnection),
}

/// Which database engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Backend {
    /// `postgres://` and `postgresql://` mean PostgreSQL; anything else is a SQLite path.
    pub fn from_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// The SQLite file path a URL names (`sqlite://path`, `sqlite:path` or a bare path).
pub fn sqlite_path(url: &str) -> PathBuf {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    PathBuf::from(path)
}

/// A database failure outside of a query: connecting, pooling, migrating.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database could not be reached or opened.
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    /// A query failed.
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    /// No pooled connection became free in time, or the pool could not open one.
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::PoolError),
    /// Migrations failed.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// The SQLite file's folder could not be created.
    #[error("cannot create the database folder {path}: {source}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Opens connections of the backend named by the URL. Unlike `AnyConnection::establish`,
/// which tries every backend and keeps none of their errors, this reports the real error.
#[derive(Debug, Clone)]
pub struct Manager {
    url: String,
    backend: Backend,
}

impl Manager {
    /// A manager for `url`.
    pub fn new(url: &str) -> Manager {
        Manager {
            url: url.to_string(),
            backend: Backend::from_url(url),
        }
    }

    /// Opens one connection, set up for Ghent (SQLite pragmas).
    pub fn open(&self) -> Result<AnyConnection, DbError> {
        match self.backend {
            Backend::Postgres => Ok(AnyConnection::Postgresql(PgConnection::establish(
                &self.url,
            )?)),
            Backend::Sqlite => {
                let path = sqlite_path(&self.url);
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                // WAL lets readers run beside the writer; busy_timeout waits for a lock instead
                // of failing; foreign keys are off by default in SQLite.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                )?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, r2d2::Error> {
        self.open().map_err(|e| match e {
            DbError::Connect(c) => r2d2::Error::ConnectionError(c),
            DbError::Query(q) => r2d2::Error::QueryError(q),
            other => r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(
                other.to_string(),
            )),
        })
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut AnyConnection) -> bool {
        false
    }
}

/// A pooled connection.
pub type Conn = PooledConnection<Manager>;

/// The pools of one database: `read` for queries, `write` for changes (a single connection on
/// SQLite, the same pool on PostgreSQL).
#[derive(Clone)]
pub struct Db {
    read: Pool<Manager>,
    write: Pool<Manager>,
    backend: Backend,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.backend)
            .finish()
    }
}

impl Db {
    /// Connects (creating the SQLite file and its folder if needed) and builds the pools.
    pub fn connect(url: &str, pool_size: u32) -> Result<Db, DbError> {
        let backend = Backend::from_url(url);
        if backend == Backend::Sqlite {
            let path = sqlite_path(url);
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|source| DbError::Folder {
                    path: dir.to_path_buf(),
                    source,
                })?;
            }
        }
        let manager = Manager::new(url);
        // Open one connection first so a wrong URL gives its real error, not a pool timeout.
        drop(manager.open()?);
        let build = |size: u32| {
            Pool::builder()
                .max_size(size)
                .min_idle(Some(1))
                .connection_timeout(Duration::from_secs(30))
                .test_on_check_out(false)
                .build(manager.clone())
        };
        let read = build(pool_size)?;
        let write = match backend {
            Backend::Sqlite => build(1)?,
            Backend::Postgres => read.clone(),
        };
        Ok(Db {
            read,
            write,
            backend,
        })
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection for reading.
    pub fn read(&self) -> Result<Conn, DbError> {
        Ok(self.read.get()?)
    }

    /// The connection for writing (transactions that change rows).
    pub fn write(&self) -> Result<Conn, DbError> {
        Ok(self.write.get()?)
    }

    /// Applies pending migrations; returns how many ran.
    pub fn migrate(&self) -> Result<usize, DbError> {
        let mut conn = self.write()?;
        run_migrations(&mut conn)
    }
}

/// Applies pending migrations on one connection; returns how many ran.
pub fn run_migrations(conn: &mut AnyConnection) -> Result<usize, DbError> {
    let applied = match conn {
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        AnyConnection::Postgresql(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
    };
    applied.map_err(|e| DbError::Migration(e.to_string()))
}

/// Reverts every migration (used by the up → down → up test and nothing else).
pub fn revert_all_migrations(conn: &mut AnyConnection) -> Result<usize, DbError> {
    let reverted = match conn {
        AnyConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        AnyConnection::Postgresql(c) => c
            .revert_all_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
    };
    reverted.map_err(|e| DbError::Migration(e.to_string()))
}

/// Runs `f` in a transaction that takes the write lock before it reads anything. On SQLite a
/// transaction that reads and then writes cannot wait for another connection's write lock (it
/// fails with "database is locked"); one whose first statement writes waits (busy_timeout). So
/// on SQLite the transaction starts with a write that changes nothing. On PostgreSQL it is an
/// ordinary transaction. Nested calls become savepoints, as with `Connection::transaction`.
pub fn write_transaction<T, E>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    conn.transaction(|conn| {
        if let AnyConnection::Sqlite(sqlite) = conn {
            // Takes SQLite's RESERVED (write) lock now, deletes nothing.
            sqlite.batch_execute("DELETE FROM jobs WHERE 0")?;
        }
        f(conn)
    })
}

/// A new random primary key.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// True when a diesel error is a unique-constraint violation (e.g. a slug already taken).
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_comes_from_the_url_scheme() {
        assert_eq!(Backend::from_url("postgres://x@h/db"), Backend::Postgres);
        assert_eq!(Backend::from_url("postgresql://x@h/db"), Backend::Postgres);
        assert_eq!(
            Backend::from_url("sqlite://data/g.sqlite3"),
            Backend::Sqlite
        );
        assert_eq!(Backend::from_url("data/g.sqlite3"), Backend::Sqlite);
        assert_eq!(
            sqlite_path("sqlite://data/g.sqlite3"),
            PathBuf::from("data/g.sqlite3")
        );
        assert_eq!(
            sqlite_path("sqlite:///tmp/g.db"),
            PathBuf::from("/tmp/g.db")
        );
    }
}
