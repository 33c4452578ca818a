DROP INDEX IF EXISTS entries_account_id_created_at_idx;
DROP TABLE IF EXISTS entries;
DROP TABLE IF EXISTS transfers;
