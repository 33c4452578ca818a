//! A job queue in a Postgres-backed worker library's style (tests/apps/job_queue, migrated
//! with sqlx's bookkeeping): a worker takes the oldest due job of its queue with
//! `SELECT ... FOR UPDATE SKIP LOCKED` and `LIMIT 1`, marks it locked with `UPDATE jobs SET
//! ... WHERE id = $1` in the same transaction, runs it, then `DELETE`s it, or puts it back
//! for another attempt, or moves it to `dead_jobs` once its attempts are used up.
//! Concurrent workers must each take different jobs.

use std::sync::Arc;

use shale_tests::{ClientExt, TestServer, within};
use tokio::sync::Barrier;
use tokio_postgres::Client;

use super::sqlx_app::{migrations, revert_all, run};
use super::{app_dir, relations};

/// The next due job of a queue, not held by another worker; the two orders PostgreSQL
/// accepts for the locking clause and LIMIT.
const TAKE: [&str; 2] = [
    "SELECT id, kind, payload::text, attempts, max_attempts FROM jobs \
     WHERE queue = $1 AND run_at <= now() AND locked_at IS NULL \
     ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
    "SELECT id, kind, payload::text, attempts, max_attempts FROM jobs \
     WHERE queue = $1 AND run_at <= now() AND locked_at IS NULL \
     ORDER BY run_at, id FOR UPDATE SKIP LOCKED LIMIT 1",
];

#[derive(Debug)]
struct Job {
    id: i64,
    kind: String,
    payload: String,
    /// Counting this one.
    attempt: i32,
    max_attempts: i32,
}

/// Takes a job: the locking SELECT, then the job marked as this worker's, committed.
/// `hold` runs between the two, the row lock held (the concurrent test meets the other
/// workers there).
async fn take(client: &Client, take: &str, queue: &str, worker: &str, hold: Option<&Barrier>) -> Option<Job> {
    client.run("BEGIN").await;
    let row = client.query_opt(take, &[&queue]).await.expect("take a job");
    if let Some(barrier) = hold {
        // A worker that failed never arrives: fail rather than wait for ever.
        within(barrier.wait(), "the other workers' first jobs").await;
    }
    let Some(row) = row else {
        client.run("COMMIT").await;
        return None;
    };
    let id: i64 = row.get(0);
    let marked = client
        .execute("UPDATE jobs SET locked_at = now(), locked_by = $2, attempts = attempts + 1 WHERE id = $1", &[&id, &worker])
        .await
        .expect("mark the job taken");
    assert_eq!(marked, 1);
    client.run("COMMIT").await;
    Some(Job { id, kind: row.get(1), payload: row.get(2), attempt: row.get::<_, i32>(3) + 1, max_attempts: row.get(4) })
}

/// A job done: gone from the queue.
async fn complete(client: &Client, job: &Job, worker: &str) {
    let deleted = client.execute("DELETE FROM jobs WHERE id = $1 AND locked_by = $2", &[&job.id, &worker]).await.expect("complete");
    assert_eq!(deleted, 1, "job {} was this worker's", job.id);
}

/// A job failed: back in the queue (`locked_by` keeps the last worker's name), or dead once
/// its attempts are used up.
async fn fail(client: &Client, job: &Job, error: &str) {
    if job.attempt < job.max_attempts {
        let n = client
            .execute(
                "UPDATE jobs SET locked_at = NULL, last_error = $2, run_at = now() WHERE id = $1",
                &[&job.id, &error],
            )
            .await
            .expect("retry later");
        assert_eq!(n, 1);
        return;
    }
    client.run("BEGIN").await;
    client
        .execute(
            "INSERT INTO dead_jobs (id, queue, kind, payload, last_error) SELECT id, queue, kind, payload, $2 FROM jobs WHERE id = $1",
            &[&job.id, &error],
        )
        .await
        .expect("bury the job");
    client.execute("DELETE FROM jobs WHERE id = $1", &[&job.id]).await.expect("remove the job");
    client.run("COMMIT").await;
}

/// One worker draining queue `mail`: what it ran, in order.
async fn drain(client: &Client) -> Vec<String> {
    let mut ran = Vec::new();
    while let Some(job) = take(client, TAKE[0], "mail", "worker-1", None).await {
        ran.push(format!("{} {} {} #{}", job.id, job.kind, job.payload, job.attempt));
        if job.kind == "explode" {
            fail(client, &job, "boom").await;
        } else {
            complete(client, &job, "worker-1").await;
        }
    }
    ran
}

const ENQUEUE: &str = r#"
    INSERT INTO jobs (queue, kind, payload, run_at, max_attempts) VALUES
      ('mail', 'welcome', '{"to": "ann@example.com"}', now(), 3),
      ('mail', 'welcome', '{"to": "bob@example.com"}', now() + interval '1 hour', 3),
      ('mail', 'explode', '{}', now(), 2),
      ('reports', 'daily', '{"day": "2024-04-01"}', now(), 3),
      ('mail', 'digest', '{"n": 2, "for": ["ann", "bob"]}', now() - interval '1 minute', 3)
"#;

#[tokio::test]
async fn job_queue_up_one_worker_down_and_up_again() {
    let (_server, client) = TestServer::start_with_client().await;
    let migrations = migrations(&app_dir("job_queue").join("migrations"));
    run(&client, &migrations).await;
    assert_eq!(
        relations(&client).await,
        [
            "_sqlx_migrations r",
            "_sqlx_migrations_pkey i",
            "dead_jobs r",
            "dead_jobs_pkey i",
            "jobs r",
            "jobs_id_seq S",
            "jobs_pkey i",
            "jobs_queue_run_at_idx i"
        ]
    );
    client.run(ENQUEUE).await;
    // The oldest due job first; the scheduled one and the other queue's stay; the failing
    // one is retried until its attempts are used up.
    assert_eq!(
        drain(&client).await,
        [
            r#"5 digest {"n": 2, "for": ["ann", "bob"]} #1"#,
            r#"1 welcome {"to": "ann@example.com"} #1"#,
            "3 explode {} #1",
            "3 explode {} #2"
        ]
    );
    assert_eq!(
        client.lines("SELECT id, queue, attempts, locked_at IS NULL, run_at > now() FROM jobs ORDER BY id").await,
        ["2|mail|0|t|t", "4|reports|0|t|f"]
    );
    assert_eq!(client.lines("SELECT id, kind, payload::text, last_error FROM dead_jobs").await, ["3|explode|{}|boom"]);

    revert_all(&client, &migrations).await;
    assert_eq!(relations(&client).await, ["_sqlx_migrations r", "_sqlx_migrations_pkey i"]);
    run(&client, &migrations).await;
    client.run(ENQUEUE).await;
    assert_eq!(drain(&client).await.len(), 4);
}

/// Four workers drain a queue of 40 jobs, taking them with `take`. Each worker's first job
/// is taken while every worker holds its row lock: they must all be different.
async fn four_workers(take_sql: &'static str) {
    const JOBS: usize = 40;
    let server = TestServer::start().await;
    let client = server.client().await;
    run(&client, &migrations(&app_dir("job_queue").join("migrations"))).await;
    let values: Vec<String> = (1..=JOBS).map(|n| format!("('mail', 'send', '{{\"n\": {n}}}')")).collect();
    client.run(&format!("INSERT INTO jobs (queue, kind, payload) VALUES {}", values.join(", "))).await;

    let barrier = Arc::new(Barrier::new(4));
    let mut workers = Vec::new();
    for w in 0..4 {
        let client = server.client().await;
        let barrier = barrier.clone();
        workers.push(tokio::spawn(async move {
            let name = format!("worker-{w}");
            let mut ran = Vec::new();
            let mut hold = Some(barrier.as_ref());
            while let Some(job) = take(&client, take_sql, "mail", &name, hold.take()).await {
                assert_eq!(job.attempt, 1, "{job:?} was taken before");
                complete(&client, &job, &name).await;
                ran.push(job.id);
            }
            ran
        }));
    }
    let mut firsts = Vec::new();
    let mut all = Vec::new();
    for worker in workers {
        let ran = within(worker, "a worker").await.expect("worker");
        firsts.push(*ran.first().expect("every worker got a first job"));
        all.extend(ran);
    }
    firsts.sort();
    firsts.dedup();
    assert_eq!(firsts.len(), 4, "the first jobs taken at the same time: {firsts:?}");
    all.sort();
    assert_eq!(all, (1..=JOBS as i64).collect::<Vec<_>>(), "each job ran exactly once");
    assert_eq!(client.value("SELECT count(*) FROM jobs").await, "0");
}

#[tokio::test]
async fn job_queue_four_workers_take_distinct_jobs() {
    four_workers(TAKE[0]).await;
}

#[tokio::test]
async fn job_queue_four_workers_take_distinct_jobs_locking_before_limit() {
    four_workers(TAKE[1]).await;
}

#[tokio::test]
async fn job_queue_takes_a_job_in_one_statement() {
    let (_server, client) = TestServer::start_with_client().await;
    run(&client, &migrations(&app_dir("job_queue").join("migrations"))).await;
    client.run(ENQUEUE).await;
    // Take and mark in one UPDATE, the job chosen by a locking subquery.
    let next = "UPDATE jobs SET locked_at = now(), locked_by = $2, attempts = attempts + 1 \
                WHERE id = (SELECT id FROM jobs WHERE queue = $1 AND run_at <= now() AND locked_at IS NULL \
                            ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
                RETURNING id, kind, attempts";
    let row = client.query_one(next, &[&"mail", &"w"]).await.expect("take");
    assert_eq!((row.get::<_, i64>(0), row.get::<_, String>(1), row.get::<_, i32>(2)), (5, "digest".into(), 1));
    let row = client.query_one(next, &[&"mail", &"w"]).await.expect("take");
    assert_eq!(row.get::<_, i64>(0), 1);
    // Take and remove in one DELETE (at-most-once delivery).
    let pop = "DELETE FROM jobs WHERE id = (SELECT id FROM jobs WHERE queue = $1 AND run_at <= now() AND locked_at IS NULL \
               ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, kind";
    let row = client.query_one(pop, &[&"mail"]).await.expect("pop");
    assert_eq!((row.get::<_, i64>(0), row.get::<_, String>(1)), (3, "explode".into()));
    assert!(client.query_opt(pop, &[&"mail"]).await.expect("pop").is_none());
    assert_eq!(client.lines("SELECT id, locked_by FROM jobs ORDER BY id").await, ["1|w", "2|NULL", "4|NULL", "5|w"]);
}
