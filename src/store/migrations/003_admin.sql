-- Dashboard sessions, the admin audit trail and OAuth flows in progress.

CREATE TABLE admin_sessions (
  id_hash    TEXT PRIMARY KEY,   -- SHA-256 of the session id
  csrf       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_seen  TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  ip         TEXT,
  user_agent TEXT
);

CREATE TABLE admin_audit (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at  TEXT NOT NULL,
  actor       TEXT NOT NULL,     -- "token" or "session:<id prefix>"
  action      TEXT NOT NULL,     -- create / update / delete / revoke / ...
  target_type TEXT NOT NULL,
  target_id   TEXT,
  detail      TEXT NOT NULL DEFAULT '{}'  -- changed field names, never values of secrets
);
CREATE INDEX idx_admin_audit_created ON admin_audit(created_at);

CREATE TABLE oauth_flows (
  id            TEXT PRIMARY KEY,
  provider_type TEXT NOT NULL,
  state         TEXT NOT NULL,
  verifier      TEXT NOT NULL,   -- sealed like credentials
  redirect_uri  TEXT NOT NULL,
  status        TEXT NOT NULL DEFAULT 'waiting',
  result        TEXT,
  created_at    TEXT NOT NULL,
  expires_at    TEXT NOT NULL
);
