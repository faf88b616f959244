-- Daily totals per key, soul, account and model (SPEC §8 cost reports), one
-- row per day and value of each dimension: a report over 30 days reads
-- about 30 × (number of keys, souls, accounts or models) rows, never the
-- log. '' is "none". Filled from the log once; kept by the log writer.
CREATE TABLE usage_daily (
  dimension          TEXT NOT NULL CHECK (dimension IN ('key','soul','provider','model')),
  date               TEXT NOT NULL,
  value              TEXT NOT NULL DEFAULT '',
  requests           INTEGER NOT NULL DEFAULT 0,
  errors             INTEGER NOT NULL DEFAULT 0,
  input_tokens       INTEGER NOT NULL DEFAULT 0,
  output_tokens      INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens  INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens   INTEGER NOT NULL DEFAULT 0,
  cost_micros        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (dimension, date, value)
) WITHOUT ROWID;

INSERT INTO usage_daily
SELECT 'key', substr(created_at, 1, 10), COALESCE(api_key_id, ''), COUNT(*),
       SUM(status != 'success'), SUM(input_tokens), SUM(output_tokens),
       SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens),
       SUM(cost_micros)
FROM usage_logs GROUP BY 2, 3;
INSERT INTO usage_daily
SELECT 'soul', substr(created_at, 1, 10), COALESCE(soul_id, ''), COUNT(*),
       SUM(status != 'success'), SUM(input_tokens), SUM(output_tokens),
       SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens),
       SUM(cost_micros)
FROM usage_logs GROUP BY 2, 3;
INSERT INTO usage_daily
SELECT 'provider', substr(created_at, 1, 10), COALESCE(provider_id, ''),
       COUNT(*), SUM(status != 'success'), SUM(input_tokens),
       SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens),
       SUM(reasoning_tokens), SUM(cost_micros)
FROM usage_logs GROUP BY 2, 3;
INSERT INTO usage_daily
SELECT 'model', substr(created_at, 1, 10), COALESCE(model, model_requested, ''),
       COUNT(*), SUM(status != 'success'), SUM(input_tokens),
       SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens),
       SUM(reasoning_tokens), SUM(cost_micros)
FROM usage_logs GROUP BY 2, 3;
