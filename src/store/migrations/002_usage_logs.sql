-- The request log (SPEC §8), its full-text index and the daily cost rollup.

CREATE TABLE usage_logs (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id         TEXT NOT NULL,
  client_request_id  TEXT,
  created_at         TEXT NOT NULL,
  api_key_id         TEXT,
  soul_id            TEXT,
  soul_version       INTEGER,
  provider_id        TEXT,
  provider_type      TEXT,
  endpoint           TEXT NOT NULL DEFAULT 'chat',
  stream             INTEGER NOT NULL DEFAULT 0,
  model_requested    TEXT,
  model              TEXT,
  status             TEXT NOT NULL
                     CHECK (status IN ('success','error','cancelled','rate_limited',
                                       'budget_exceeded','denied')),
  http_status        INTEGER,
  error_code         TEXT,
  error_message      TEXT,
  input_tokens       INTEGER NOT NULL DEFAULT 0,
  output_tokens      INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens  INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens   INTEGER NOT NULL DEFAULT 0,
  cost_micros        INTEGER NOT NULL DEFAULT 0,
  cost_cents         REAL NOT NULL DEFAULT 0,
  latency_ms         INTEGER NOT NULL DEFAULT 0,
  ttft_ms            INTEGER,
  attempts           TEXT NOT NULL DEFAULT '[]',
  client_ip          TEXT,
  user_agent         TEXT
);
CREATE INDEX idx_usage_created ON usage_logs(created_at);
CREATE INDEX idx_usage_request ON usage_logs(request_id);
CREATE INDEX idx_usage_key ON usage_logs(api_key_id, created_at);
CREATE INDEX idx_usage_soul ON usage_logs(soul_id, created_at);
CREATE INDEX idx_usage_provider ON usage_logs(provider_id, created_at);
CREATE INDEX idx_usage_status ON usage_logs(status, created_at);
CREATE INDEX idx_usage_model ON usage_logs(model, created_at);

-- Contentless FTS5 index keyed by usage_logs.id (the writer inserts both).
CREATE VIRTUAL TABLE usage_logs_fts USING fts5(
  model, error_message, soul_name, provider_name, key_name, content=''
);

CREATE TABLE cost_daily (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  date                TEXT NOT NULL,
  api_key_id          TEXT,
  soul_id             TEXT,
  provider_id         TEXT,
  total_requests      INTEGER NOT NULL DEFAULT 0,
  total_input_tokens  INTEGER NOT NULL DEFAULT 0,
  total_output_tokens INTEGER NOT NULL DEFAULT 0,
  total_cost_micros   INTEGER NOT NULL DEFAULT 0,
  total_cost_cents    REAL NOT NULL DEFAULT 0,
  UNIQUE (date, api_key_id, soul_id, provider_id)
);
CREATE INDEX idx_cost_daily_date ON cost_daily(date);
CREATE INDEX idx_cost_daily_key ON cost_daily(api_key_id, date);
