-- Daily totals per key, soul, account and model (SPEC §8 cost reports):
-- what cost_daily has plus the model, errors and every token kind, so the
-- reports over 30 days read a few thousand rows, not the log. '' stands for
-- "none" (NULLs would defeat the primary key). Filled from the log once.
CREATE TABLE usage_daily (
  date               TEXT NOT NULL,
  api_key_id         TEXT NOT NULL DEFAULT '',
  soul_id            TEXT NOT NULL DEFAULT '',
  provider_id        TEXT NOT NULL DEFAULT '',
  model              TEXT NOT NULL DEFAULT '',
  requests           INTEGER NOT NULL DEFAULT 0,
  errors             INTEGER NOT NULL DEFAULT 0,
  input_tokens       INTEGER NOT NULL DEFAULT 0,
  output_tokens      INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens  INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens   INTEGER NOT NULL DEFAULT 0,
  cost_micros        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (date, api_key_id, soul_id, provider_id, model)
) WITHOUT ROWID;

INSERT INTO usage_daily
SELECT substr(created_at, 1, 10), COALESCE(api_key_id, ''),
       COALESCE(soul_id, ''), COALESCE(provider_id, ''),
       COALESCE(model, model_requested, ''), COUNT(*),
       SUM(status != 'success'), SUM(input_tokens), SUM(output_tokens),
       SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens),
       SUM(cost_micros)
FROM usage_logs GROUP BY 1, 2, 3, 4, 5;
