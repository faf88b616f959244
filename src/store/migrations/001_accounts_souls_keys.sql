-- Provider accounts, souls, API keys and their bindings, settings.
-- Timestamps are UTC ISO-8601 with milliseconds (2026-11-25T11:44:01.123Z).

CREATE TABLE providers (
  id                TEXT PRIMARY KEY,
  name              TEXT NOT NULL,
  type              TEXT NOT NULL
                    CHECK (type IN ('claude','openai','gemini','ollama','openai_compatible')),
  base_url          TEXT,
  auth_mode         TEXT NOT NULL DEFAULT 'api_key'
                    CHECK (auth_mode IN ('api_key','oauth','borrowed')),
  config            TEXT NOT NULL DEFAULT '{}',
  credentials       TEXT NOT NULL DEFAULT '',   -- v2:<nonce>:<ct+tag>, never plain
  priority          INTEGER NOT NULL DEFAULT 0,
  is_enabled        INTEGER NOT NULL DEFAULT 1,
  health_status     TEXT NOT NULL DEFAULT 'unknown'
                    CHECK (health_status IN ('healthy','degraded','down','unknown')),
  last_health_check TEXT,
  models_json       TEXT NOT NULL DEFAULT '[]',
  token_expires_at  TEXT,
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL
);

CREATE TABLE souls (
  id              TEXT PRIMARY KEY,
  name            TEXT NOT NULL,
  slug            TEXT NOT NULL UNIQUE,
  description     TEXT,
  system_prompt   TEXT NOT NULL DEFAULT '',
  provider_id     TEXT REFERENCES providers(id) ON DELETE SET NULL,
  fallback_chain  TEXT NOT NULL DEFAULT '[]',
  model           TEXT,
  temperature     REAL,
  max_tokens      INTEGER,
  response_schema TEXT,
  strict_chain    INTEGER NOT NULL DEFAULT 0,
  version         INTEGER NOT NULL DEFAULT 1,
  is_enabled      INTEGER NOT NULL DEFAULT 1,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);

CREATE TABLE api_keys (
  id                   TEXT PRIMARY KEY,
  name                 TEXT NOT NULL,
  key_hash             TEXT NOT NULL UNIQUE,
  hash_algo            TEXT NOT NULL DEFAULT 'sha256' CHECK (hash_algo IN ('sha256','scrypt')),
  key_prefix           TEXT NOT NULL,
  last4                TEXT NOT NULL DEFAULT '',
  api_format           TEXT NOT NULL DEFAULT 'openai',
  rate_limit_rpm       INTEGER NOT NULL DEFAULT 60,
  rate_limit_tpm       INTEGER,
  max_concurrency      INTEGER,
  daily_budget_cents   INTEGER,
  monthly_budget_cents INTEGER,
  expires_at           TEXT,
  is_enabled           INTEGER NOT NULL DEFAULT 1,
  last_used_at         TEXT,
  total_requests       INTEGER NOT NULL DEFAULT 0,
  created_at           TEXT NOT NULL,
  updated_at           TEXT NOT NULL
);
CREATE INDEX idx_api_keys_prefix ON api_keys(key_prefix);

CREATE TABLE api_key_souls (
  api_key_id TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
  soul_id    TEXT NOT NULL REFERENCES souls(id) ON DELETE CASCADE,
  PRIMARY KEY (api_key_id, soul_id)
);
CREATE INDEX idx_api_key_souls_soul ON api_key_souls(soul_id);

CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
