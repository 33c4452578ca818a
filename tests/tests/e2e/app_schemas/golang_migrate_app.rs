//! A bank in golang-migrate's style (tests/apps/golang_migrate_bank): numbered
//! `NNNNNN_name.up.sql` / `.down.sql` files, each sent as one script, the state in
//! `schema_migrations (version bigint, dirty boolean)` set before (dirty) and after (clean)
//! each step; up, down and up again, a failing migration that leaves the database dirty
//! until `migrate force`; then the queries sqlc would generate for it (`RETURNING *`).

use std::path::Path;

use shale_tests::{ClientExt, TestServer, within};
use tokio_postgres::Client;
use tokio_postgres::types::Type;
use tokio_postgres::error::DbError;

use super::{app_dir, constraint_count, db_error, described, file_names, key_constraints, read, relations, tables};

struct Migration {
    version: i64,
    up: String,
    down: String,
}

fn migrations(dir: &Path) -> Vec<Migration> {
    file_names(dir)
        .iter()
        .filter_map(|name| name.strip_suffix(".up.sql"))
        .map(|stem| Migration {
            version: stem.split_once('_').expect("NNNNNN_name").0.parse().expect("a numeric version"),
            up: read(&dir.join(format!("{stem}.up.sql"))),
            down: read(&dir.join(format!("{stem}.down.sql"))),
        })
        .collect()
}

/// golang-migrate's advisory lock key for the database.
const LOCK_KEY: i64 = 1_300_613_013;

/// The driver's set-up: under the lock, the version table if it is missing.
async fn lock(client: &Client) {
    // The parameter's type given in Parse (as lib/pq's callers get it from the Go value);
    // left to the server, see `super::parameter_types_are_inferred_as_postgresql_does`.
    let lock = client.prepare_typed("SELECT pg_advisory_lock($1)", &[Type::INT8]).await.expect("prepare the lock");
    client.execute(&lock, &[&LOCK_KEY]).await.expect("lock");
    let exists: i64 = client
        .query_one(
            "SELECT COUNT(1) FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2 LIMIT 1",
            &[&"public", &"schema_migrations"],
        )
        .await
        .expect("look for the version table")
        .get(0);
    if exists == 0 {
        client
            .run("CREATE TABLE IF NOT EXISTS \"schema_migrations\" (version bigint not null primary key, dirty boolean not null)")
            .await;
    }
}

async fn unlock(client: &Client) {
    let unlock = client.prepare_typed("SELECT pg_advisory_unlock($1)", &[Type::INT8]).await.expect("prepare the unlock");
    client.execute(&unlock, &[&LOCK_KEY]).await.expect("unlock");
}

/// The recorded version and whether it is dirty.
async fn version(client: &Client) -> Option<(i64, bool)> {
    let row = client.query_opt("SELECT version, dirty FROM \"schema_migrations\" LIMIT 1", &[]).await.expect("version");
    row.map(|row| (row.get(0), row.get(1)))
}

/// The driver's SetVersion: the table emptied and the version written, in a transaction
/// (no version: the table left empty, unless dirty).
async fn set_version(client: &Client, version: Option<i64>, dirty: bool) {
    client.run("BEGIN").await;
    client.run("TRUNCATE \"schema_migrations\"").await;
    if version.is_some() || dirty {
        client
            .execute(
                "INSERT INTO \"schema_migrations\" (version, dirty) VALUES ($1, $2)",
                &[&version.unwrap_or(-1), &dirty],
            )
            .await
            .expect("set the version");
    }
    client.run("COMMIT").await;
}

/// The refusal of a dirty database, or the error of the migration that failed (the
/// database then dirty at its version).
#[derive(Debug)]
enum Failure {
    Dirty(i64),
    Failed(i64, DbError),
}

/// `migrate up`: every migration above the current version, in order.
async fn up(client: &Client, migrations: &[Migration]) -> Result<(), Failure> {
    lock(client).await;
    let result = async {
        let current = match version(client).await {
            Some((v, true)) => return Err(Failure::Dirty(v)),
            Some((v, false)) => v,
            None => -1,
        };
        for migration in migrations.iter().filter(|m| m.version > current) {
            set_version(client, Some(migration.version), true).await;
            if let Err(e) = client.batch_execute(&migration.up).await {
                let db = e.as_db_error().cloned().unwrap_or_else(|| panic!("migration {}: {e:?}", migration.version));
                return Err(Failure::Failed(migration.version, db));
            }
            set_version(client, Some(migration.version), false).await;
        }
        Ok(())
    }
    .await;
    unlock(client).await;
    result
}

/// `migrate down -all`: every applied migration's down file, newest first, each step
/// recording the version it goes down to.
async fn down(client: &Client, migrations: &[Migration]) {
    lock(client).await;
    let (current, dirty) = version(client).await.expect("a version to go down from");
    assert!(!dirty, "dirty database");
    let applied: Vec<&Migration> = migrations.iter().filter(|m| m.version <= current).collect();
    for (i, migration) in applied.iter().enumerate().rev() {
        let target = i.checked_sub(1).map(|before| applied[before].version);
        set_version(client, target, true).await;
        client.run(&migration.down).await;
        set_version(client, target, false).await;
    }
    unlock(client).await;
}

/// `migrate force V`: the version set clean, nothing run.
async fn force(client: &Client, to: i64) {
    lock(client).await;
    set_version(client, Some(to), false).await;
    unlock(client).await;
}

const SCHEMA: [&str; 23] = [
    "accounts r",
    "accounts_customer_id_currency_key i",
    "accounts_id_seq S",
    "accounts_pkey i",
    "customers r",
    "customers_email_key i",
    "customers_id_seq S",
    "customers_pkey i",
    "entries r",
    "entries_account_id_created_at_idx i",
    "entries_id_seq S",
    "entries_pkey i",
    "exchange_rates r",
    "exchange_rates_as_of_idx i",
    "exchange_rates_pkey i",
    "schema_migrations r",
    "schema_migrations_pkey i",
    "transfers r",
    "transfers_from_account_id_idx i",
    "transfers_from_account_id_to_account_id_idx i",
    "transfers_id_seq S",
    "transfers_pkey i",
    "transfers_to_account_id_idx i",
];

/// What the migrations declare, as the catalogs show it.
async fn assert_schema(client: &Client) {
    assert_eq!(relations(client).await, SCHEMA);
    assert_eq!(
        key_constraints(client).await,
        [
            "accounts accounts_customer_id_currency_key UNIQUE",
            "accounts accounts_customer_id_fkey FOREIGN KEY",
            "accounts accounts_pkey PRIMARY KEY",
            "customers customers_email_key UNIQUE",
            "customers customers_pkey PRIMARY KEY",
            "entries entries_account_id_fkey FOREIGN KEY",
            "entries entries_pkey PRIMARY KEY",
            "entries entries_transfer_id_fkey FOREIGN KEY",
            "exchange_rates exchange_rates_pkey PRIMARY KEY",
            "schema_migrations schema_migrations_pkey PRIMARY KEY",
            "transfers transfers_from_account_id_fkey FOREIGN KEY",
            "transfers transfers_pkey PRIMARY KEY",
            "transfers transfers_to_account_id_fkey FOREIGN KEY"
        ]
    );
    assert_eq!(client.lines(CHECKS).await, ["exchange_rates|exchange_rates_rate_positive", "transfers|transfers_amount_check"]);
}

/// The CHECK constraints of the bank (pg_get_constraintdef: see
/// `golang_migrate_bank_check_constraints_read_back_as_postgresql_deparses_them`).
const CHECKS: &str = "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'c' \
                      AND conrelid IN ('transfers'::regclass, 'exchange_rates'::regclass) ORDER BY conname";

/// Opens an account: sqlc's `CreateAccount :one` (`RETURNING *`).
async fn open_account(client: &Client, customer: i64, currency: &str, balance: i64) -> i64 {
    let row = client
        .query_one(
            "INSERT INTO accounts (customer_id, currency, balance) VALUES ($1, $2, $3) RETURNING *",
            &[&customer, &currency, &balance],
        )
        .await
        .unwrap_or_else(|e| panic!("open an account: {e}"));
    assert_eq!(row.len(), 5);
    assert_eq!((row.get::<_, i64>("customer_id"), row.get::<_, String>("currency"), row.get::<_, i64>("balance")), (customer, currency.to_string(), balance));
    row.get("id")
}

/// sqlc's `TransferTx`: the transfer, an entry on each side and both balances, in one
/// transaction; the balances updated in id order so that two opposite transfers cannot
/// deadlock.
async fn transfer(client: &Client, from: i64, to: i64, amount: i64) -> Result<i64, tokio_postgres::Error> {
    client.batch_execute("BEGIN").await?;
    let result = async {
        let transfer: i64 = client
            .query_one(
                "INSERT INTO transfers (from_account_id, to_account_id, amount) VALUES ($1, $2, $3) RETURNING *",
                &[&from, &to, &amount],
            )
            .await?
            .get("id");
        for (account, delta) in [(from, -amount), (to, amount)] {
            client
                .query_one(
                    "INSERT INTO entries (account_id, transfer_id, amount) VALUES ($1, $2, $3) RETURNING *",
                    &[&account, &transfer, &delta],
                )
                .await?;
        }
        let mut sides = [(from, -amount), (to, amount)];
        sides.sort();
        for (account, delta) in sides {
            client
                .query_one("UPDATE accounts SET balance = balance + $2 WHERE id = $1 RETURNING *", &[&account, &delta])
                .await?;
        }
        client.batch_execute("COMMIT").await?;
        Ok(transfer)
    }
    .await;
    if result.is_err() {
        let _ = client.batch_execute("ROLLBACK").await;
    }
    result
}

async fn bank_queries(client: &Client) {
    let customer = |name: &'static str, email: &'static str| async move {
        let row = client
            .query_one("INSERT INTO customers (full_name, email) VALUES ($1, $2) RETURNING *", &[&name, &email])
            .await
            .expect("a customer");
        assert_eq!(row.get::<_, String>("email"), email);
        row.get::<_, i64>("id")
    };
    assert_eq!(customer("Grace", "grace@bank.example").await, 1);
    assert_eq!(customer("Linus", "linus@bank.example").await, 2);
    assert_eq!(open_account(client, 1, "EUR", 1000).await, 1);
    assert_eq!(open_account(client, 1, "USD", 50).await, 2);
    assert_eq!(open_account(client, 2, "EUR", 10).await, 3);
    let e = db_error(
        client.execute("INSERT INTO accounts (customer_id, currency) VALUES ($1, $2)", &[&1i64, &"EUR"]).await,
        "a second EUR account",
    );
    assert_eq!(
        described(&e),
        (
            "23505",
            "duplicate key value violates unique constraint \"accounts_customer_id_currency_key\"",
            Some("Key (customer_id, currency)=(1, EUR) already exists.")
        )
    );
    let e = db_error(client.execute("INSERT INTO accounts (customer_id, currency) VALUES ($1, $2)", &[&7i64, &"EUR"]).await, "no customer");
    assert_eq!((e.code().code(), e.message()), ("23503", "insert or update on table \"accounts\" violates foreign key constraint \"accounts_customer_id_fkey\""));

    assert_eq!(transfer(client, 1, 3, 300).await.expect("transfer"), 1);
    assert_eq!(transfer(client, 3, 1, 20).await.expect("transfer"), 2);
    let e = db_error(transfer(client, 1, 3, 0).await, "an empty transfer");
    assert_eq!((e.code().code(), e.message()), ("23514", "new row for relation \"transfers\" violates check constraint \"transfers_amount_check\""));
    let e = db_error(transfer(client, 1, 99, 5).await, "to no account");
    assert_eq!(e.code().code(), "23503");
    assert_eq!(client.lines("SELECT id, balance FROM accounts ORDER BY id").await, ["1|720", "2|50", "3|290"]);
    // sqlc's `ListEntries :many`.
    let rows = client
        .query("SELECT * FROM entries WHERE account_id = $1 ORDER BY id LIMIT $2 OFFSET $3", &[&1i64, &10i64, &0i64])
        .await
        .expect("entries");
    let entries: Vec<(i64, Option<i64>)> = rows.iter().map(|r| (r.get("amount"), r.get("transfer_id"))).collect();
    assert_eq!(entries, [(-300, Some(1)), (20, Some(2))]);
    // Every balance is its opening amount plus its entries.
    assert_eq!(
        client
            .lines(
                "SELECT a.id, a.balance - coalesce(sum(e.amount), 0) FROM accounts a \
                 LEFT JOIN entries e ON e.account_id = a.id GROUP BY a.id, a.balance ORDER BY a.id"
            )
            .await,
        ["1|1000", "2|50", "3|10"]
    );
    // An account with transfers stays (NO ACTION); one without goes with its entries.
    client.expect_sqlstate("DELETE FROM accounts WHERE id = 3", "23503").await;
    client.run("INSERT INTO entries (account_id, amount) VALUES (2, 5)").await;
    assert_eq!(client.execute("DELETE FROM accounts WHERE id = $1", &[&2i64]).await.expect("close"), 1);
    assert_eq!(client.value("SELECT count(*) FROM entries WHERE account_id = 2").await, "0");

    // Exchange rates: the latest per pair; the key is the pair and the day.
    client
        .run(
            "INSERT INTO exchange_rates (base, quote, as_of, rate) VALUES
               ('EUR', 'USD', '2024-03-01', 1.0852), ('EUR', 'USD', '2024-03-04', 1.0841),
               ('USD', 'EUR', '2024-03-04', 0.92242)",
        )
        .await;
    // (Without the alias: `a_cast_column_can_be_ordered_by_its_source`.)
    let latest = client
        .query_one(
            "SELECT rate::text, as_of::text AS day FROM exchange_rates WHERE base = $1 AND quote = $2 ORDER BY as_of DESC LIMIT 1",
            &[&"EUR", &"USD"],
        )
        .await
        .expect("latest rate");
    assert_eq!((latest.get::<_, String>(0), latest.get::<_, String>(1)), ("1.08410000".to_string(), "2024-03-04".to_string()));
    client
        .expect_error(
            "INSERT INTO exchange_rates VALUES ('EUR', 'USD', '2024-03-01', 1.09)",
            "23505",
            "duplicate key value violates unique constraint \"exchange_rates_pkey\"",
        )
        .await;
    client
        .expect_error(
            "INSERT INTO exchange_rates VALUES ('EUR', 'GBP', '2024-03-01', 0)",
            "23514",
            "new row for relation \"exchange_rates\" violates check constraint \"exchange_rates_rate_positive\"",
        )
        .await;
}

#[tokio::test]
async fn golang_migrate_bank_up_queries_down_and_up_again() {
    let (_server, client) = TestServer::start_with_client().await;
    let migrations = migrations(&app_dir("golang_migrate_bank").join("migrations"));
    up(&client, &migrations).await.expect("migrate up");
    assert_eq!(version(&client).await, Some((3, false)));
    // Nothing left to do.
    up(&client, &migrations).await.expect("migrate up again");
    assert_schema(&client).await;
    bank_queries(&client).await;

    down(&client, &migrations).await;
    assert_eq!(version(&client).await, None);
    assert_eq!(relations(&client).await, ["schema_migrations r", "schema_migrations_pkey i"]);
    assert_eq!(tables(&client).await, ["schema_migrations BASE TABLE"]);
    assert_eq!(constraint_count(&client).await, "1");

    up(&client, &migrations).await.expect("migrate up after down");
    assert_schema(&client).await;
    bank_queries(&client).await;
}

#[tokio::test]
async fn golang_migrate_bank_a_failed_migration_leaves_the_database_dirty() {
    let (_server, client) = TestServer::start_with_client().await;
    let mut all = migrations(&app_dir("golang_migrate_bank").join("migrations"));
    all.push(Migration {
        version: 4,
        up: "CREATE TABLE audit_log (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now());
             CREATE INDEX audit_log_actor_idx ON audit_log (actor);"
            .into(),
        down: "DROP TABLE IF EXISTS audit_log;".into(),
    });
    match up(&client, &all).await {
        Err(Failure::Failed(4, e)) => assert_eq!((e.code().code(), e.message()), ("42703", "column \"actor\" does not exist")),
        other => panic!("migration 4 must fail: {other:?}"),
    }
    assert_eq!(version(&client).await, Some((4, true)));
    // The script was one implicit transaction: its first statement is undone too.
    client.expect_error("SELECT * FROM audit_log", "42P01", "relation \"audit_log\" does not exist").await;
    assert!(matches!(up(&client, &all).await, Err(Failure::Dirty(4))));
    // The operator fixes it by hand, then goes down from the last good version.
    force(&client, 3).await;
    assert_eq!(version(&client).await, Some((3, false)));
    down(&client, &all).await;
    assert_eq!(relations(&client).await, ["schema_migrations r", "schema_migrations_pkey i"]);
    up(&client, &all[..3]).await.expect("migrate up");
    assert_schema(&client).await;
}

/// Four workers move money both ways between the same two accounts. Each transfer's
/// foreign-key checks share-lock both accounts (PostgreSQL's FOR KEY SHARE) and its balance
/// updates, in id order, lock them for update without touching their keys (FOR NO KEY
/// UPDATE), which does not conflict with those shares: in PostgreSQL no transfer ever
/// deadlocks or fails, and the books balance.
#[tokio::test]
async fn golang_migrate_bank_concurrent_transfers_keep_the_books_balanced() {
    let server = TestServer::start().await;
    let client = server.client().await;
    up(&client, &migrations(&app_dir("golang_migrate_bank").join("migrations"))).await.expect("migrate up");
    client
        .run(
            "INSERT INTO customers (full_name, email) VALUES ('A', 'a@bank.example'), ('B', 'b@bank.example');
             INSERT INTO accounts (customer_id, currency, balance) VALUES (1, 'EUR', 1000), (2, 'EUR', 1000)",
        )
        .await;
    let mut workers = Vec::new();
    for worker in 0..4i64 {
        let client = server.client().await;
        workers.push(tokio::spawn(async move {
            for n in 0..10 {
                let (from, to) = if (worker + n) % 2 == 0 { (1, 2) } else { (2, 1) };
                if let Err(e) = transfer(&client, from, to, worker + 1).await {
                    panic!("transfer {n} of worker {worker}: {}", e.as_db_error().map_or(e.to_string(), |db| format!("{} {}", db.code().code(), db.message())));
                }
            }
        }));
    }
    for worker in workers {
        within(worker, "a transfer worker").await.expect("worker");
    }
    assert_eq!(client.value("SELECT count(*) FROM transfers").await, "40");
    assert_eq!(client.value("SELECT sum(balance) FROM accounts").await, "2000");
    assert_eq!(
        client
            .lines(
                "SELECT a.id, a.balance - coalesce(sum(e.amount), 0) FROM accounts a \
                 LEFT JOIN entries e ON e.account_id = a.id GROUP BY a.id, a.balance ORDER BY a.id"
            )
            .await,
        ["1|1000", "2|1000"]
    );
}

/// A migration that adds a column with a CHECK to a table with foreign keys, and drops it
/// on the way down.
const ACCOUNT_STATUS_UP: &str = "
    ALTER TABLE accounts ADD COLUMN status varchar(10) NOT NULL DEFAULT 'open'
        CONSTRAINT accounts_status_check CHECK (status IN ('open', 'frozen', 'closed'));
    CREATE INDEX accounts_status_idx ON accounts (status);
";
const ACCOUNT_STATUS_DOWN: &str = "
    DROP INDEX IF EXISTS accounts_status_idx;
    ALTER TABLE accounts DROP COLUMN IF EXISTS status;
";

#[tokio::test]
async fn golang_migrate_bank_adds_and_drops_a_column_of_a_table_with_foreign_keys() {
    let (_server, client) = TestServer::start_with_client().await;
    let mut all = migrations(&app_dir("golang_migrate_bank").join("migrations"));
    all.push(Migration { version: 4, up: ACCOUNT_STATUS_UP.into(), down: ACCOUNT_STATUS_DOWN.into() });
    up(&client, &all).await.expect("migrate up");
    client.run("INSERT INTO customers (full_name, email) VALUES ('A', 'a@bank.example'); INSERT INTO accounts (customer_id, currency) VALUES (1, 'EUR')").await;
    assert_eq!(client.lines("SELECT id, status FROM accounts").await, ["1|open"]);
    client.expect_sqlstate("UPDATE accounts SET status = 'gone'", "23514").await;
    down(&client, &all).await;
    assert_eq!(relations(&client).await, ["schema_migrations r", "schema_migrations_pkey i"]);
    up(&client, &all).await.expect("migrate up again");
}

#[tokio::test]
async fn golang_migrate_bank_reads_the_account_for_update() {
    let server = TestServer::start().await;
    let client = server.client().await;
    up(&client, &migrations(&app_dir("golang_migrate_bank").join("migrations"))).await.expect("migrate up");
    client
        .run(
            "INSERT INTO customers (full_name, email) VALUES ('A', 'a@bank.example');
             INSERT INTO accounts (customer_id, currency, balance) VALUES (1, 'EUR', 100)",
        )
        .await;
    // sqlc's `GetAccountForUpdate`: the row locked until the transaction ends; another
    // session's update of the balance waits for it.
    client.run("BEGIN").await;
    let row = client
        .query_one("SELECT * FROM accounts WHERE id = $1 LIMIT 1 FOR NO KEY UPDATE", &[&1i64])
        .await
        .expect("read for update");
    assert_eq!(row.get::<_, i64>("balance"), 100);
    let other = server.client().await;
    let waiting = shale_tests::Background::start(other, "UPDATE accounts SET balance = balance + 1 WHERE id = 1");
    assert!(waiting.still_running_after(std::time::Duration::from_millis(300)).await, "the update must wait for the lock");
    client.run("UPDATE accounts SET balance = balance - 30 WHERE id = 1; COMMIT").await;
    let (_other, result) = waiting.finish().await;
    result.expect("the waiting update");
    assert_eq!(client.value("SELECT balance FROM accounts WHERE id = 1").await, "71");
}

/// The test helper of a Go service: every table emptied and the ids restarted.
#[tokio::test]
async fn golang_migrate_bank_test_reset_restarts_identities() {
    let (_server, client) = TestServer::start_with_client().await;
    up(&client, &migrations(&app_dir("golang_migrate_bank").join("migrations"))).await.expect("migrate up");
    bank_queries(&client).await;
    client.run("TRUNCATE entries, transfers, accounts, customers, exchange_rates RESTART IDENTITY").await;
    bank_queries(&client).await;
    // Imported accounts keep their numbers; new ones are numbered above them.
    client.run("TRUNCATE entries, transfers, accounts, customers RESTART IDENTITY CASCADE").await;
    client.run("INSERT INTO customers (full_name, email) VALUES ('A', 'a@bank.example')").await;
    client.run("INSERT INTO accounts (id, customer_id, currency) VALUES (500, 1, 'EUR'), (501, 1, 'USD')").await;
    client.run("ALTER SEQUENCE accounts_id_seq RESTART WITH 1000").await;
    assert_eq!(open_account(&client, 1, "GBP", 0).await, 1000);
}

#[tokio::test]
async fn golang_migrate_bank_check_constraints_read_back_as_postgresql_deparses_them() {
    let (_server, client) = TestServer::start_with_client().await;
    up(&client, &migrations(&app_dir("golang_migrate_bank").join("migrations"))).await.expect("migrate up");
    assert_eq!(
        client
            .lines("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'c' AND conrelid IN ('transfers'::regclass, 'exchange_rates'::regclass) ORDER BY conname")
            .await,
        ["exchange_rates_rate_positive|CHECK ((rate > (0)::numeric))", "transfers_amount_check|CHECK ((amount > 0))"]
    );
}

#[tokio::test]
async fn golang_migrate_bank_violation_details_write_dates_and_numerics_as_postgresql_does() {
    let (_server, client) = TestServer::start_with_client().await;
    up(&client, &migrations(&app_dir("golang_migrate_bank").join("migrations"))).await.expect("migrate up");
    client.run("INSERT INTO exchange_rates VALUES ('EUR', 'USD', '2024-03-01', 1.0852)").await;
    let e = client.error("INSERT INTO exchange_rates VALUES ('EUR', 'USD', '2024-03-01', 1.09)").await;
    assert_eq!(e.detail(), Some("Key (base, quote, as_of)=(EUR, USD, 2024-03-01) already exists."));
    let e = client.error("INSERT INTO exchange_rates VALUES ('EUR', 'GBP', '2024-03-01', 0)").await;
    assert_eq!(e.detail(), Some("Failing row contains (EUR, GBP, 2024-03-01, 0.00000000)."));
}
