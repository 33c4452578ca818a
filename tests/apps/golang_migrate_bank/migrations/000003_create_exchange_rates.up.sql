CREATE TABLE IF NOT EXISTS exchange_rates (
    base char(3) NOT NULL,
    quote char(3) NOT NULL,
    as_of date NOT NULL,
    rate numeric(18, 8) NOT NULL CONSTRAINT exchange_rates_rate_positive CHECK (rate > 0),
    PRIMARY KEY (base, quote, as_of)
);

CREATE INDEX IF NOT EXISTS exchange_rates_as_of_idx ON exchange_rates (as_of DESC);
