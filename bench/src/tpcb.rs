//! pgbench's TPC-B-like workload on tables made with plain SQL: the four tables, created
//! with `CREATE TABLE` and filled with multi-row `INSERT ... VALUES` (no `COPY`, no
//! `pgbench -i`), the transaction script, and the check that every balance adds up.

use tokio_postgres::{Client, Error};

/// The scale: 1 branch, 10 tellers and 100,000 accounts per unit.
pub const SCALE: u32 = 1;

/// pgbench's built-in `tpcb-like` script. pgbench reads `:scale` from the tables only for
/// its built-in scripts: give it `-s SCALE` with this one.
pub const SCRIPT: &str = "\
\\set aid random(1, 100000 * :scale)
\\set bid random(1, 1 * :scale)
\\set tid random(1, 10 * :scale)
\\set delta random(-5000, 5000)
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
UPDATE pgbench_tellers SET tbalance = tbalance + :delta WHERE tid = :tid;
UPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = :bid;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (:tid, :bid, :aid, :delta, CURRENT_TIMESTAMP);
END;
";

const TABLES: &str = "\
CREATE TABLE pgbench_branches (bid int PRIMARY KEY, bbalance int, filler char(88));
CREATE TABLE pgbench_tellers (tid int PRIMARY KEY, bid int, tbalance int, filler char(84));
CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84));
CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22));
";

/// Rows per INSERT statement while loading accounts.
const BATCH: u32 = 1000;

/// Creates the four tables and fills them for [`SCALE`] as `pgbench -i` does: zero
/// balances, branch and teller fillers NULL, account fillers blank.
pub async fn create_and_load(client: &Client) -> Result<(), Error> {
    client.batch_execute(TABLES).await?;
    let branches: Vec<String> = (1..=SCALE).map(|b| format!("({b}, 0)")).collect();
    client.batch_execute(&format!("INSERT INTO pgbench_branches (bid, bbalance) VALUES {}", branches.join(", "))).await?;
    let tellers: Vec<String> = (1..=10 * SCALE).map(|t| format!("({t}, {}, 0)", (t - 1) / 10 + 1)).collect();
    client.batch_execute(&format!("INSERT INTO pgbench_tellers (tid, bid, tbalance) VALUES {}", tellers.join(", "))).await?;
    let accounts = 100_000 * SCALE;
    for start in (1..=accounts).step_by(BATCH as usize) {
        let rows: Vec<String> =
            (start..start + BATCH).map(|a| format!("({a}, {}, 0, '')", (a - 1) / 100_000 + 1)).collect();
        client.batch_execute(&format!("INSERT INTO pgbench_accounts VALUES {}", rows.join(", "))).await?;
    }
    Ok(())
}

/// The sums of the balances of accounts, tellers and branches and of the history's deltas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Balances {
    pub accounts: i64,
    pub tellers: i64,
    pub branches: i64,
    pub history: i64,
    /// Rows in pgbench_history: one per committed transaction.
    pub history_rows: i64,
}

impl Balances {
    /// Reads the sums (each statement on its own: nothing may be running).
    pub async fn read(client: &Client) -> Result<Balances, Error> {
        let number = |sql: &'static str| async move {
            let messages = client.simple_query(sql).await?;
            let value = messages.iter().find_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(row) => Some(row.get(0).unwrap_or("NULL").to_string()),
                _ => None,
            });
            let value = value.unwrap_or_else(|| panic!("{sql}: no row"));
            Ok::<i64, Error>(value.parse().unwrap_or_else(|_| panic!("{sql}: not a number: {value}")))
        };
        Ok(Balances {
            accounts: number("SELECT coalesce(sum(abalance), 0) FROM pgbench_accounts").await?,
            tellers: number("SELECT coalesce(sum(tbalance), 0) FROM pgbench_tellers").await?,
            branches: number("SELECT coalesce(sum(bbalance), 0) FROM pgbench_branches").await?,
            history: number("SELECT coalesce(sum(delta), 0) FROM pgbench_history").await?,
            history_rows: number("SELECT count(*) FROM pgbench_history").await?,
        })
    }

    /// Whether every transaction added its delta to an account, a teller, a branch and the
    /// history, or did none of that.
    pub fn consistent(&self) -> bool {
        self.accounts == self.history && self.tellers == self.history && self.branches == self.history
    }
}
