DROP INDEX IF EXISTS exchange_rates_as_of_idx;
DROP TABLE IF EXISTS exchange_rates;
