-- Background jobs: a worker takes the oldest due job of its queue that no other worker
-- holds, marks it locked, runs it, then deletes it (or puts it back with a delay).
CREATE TABLE jobs (
    id BIGSERIAL PRIMARY KEY,
    queue TEXT NOT NULL DEFAULT 'default',
    kind TEXT NOT NULL,
    payload JSONB NOT NULL DEFAULT '{}',
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 3,
    run_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    locked_at TIMESTAMPTZ,
    locked_by TEXT,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX jobs_queue_run_at_idx ON jobs (queue, run_at);

-- Jobs that used up their attempts, kept for inspection.
CREATE TABLE dead_jobs (
    id BIGINT PRIMARY KEY,
    queue TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload JSONB NOT NULL,
    last_error TEXT,
    died_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
