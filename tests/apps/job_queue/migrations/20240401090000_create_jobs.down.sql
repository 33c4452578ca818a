DROP TABLE dead_jobs;
DROP INDEX jobs_queue_run_at_idx;
DROP TABLE jobs;
