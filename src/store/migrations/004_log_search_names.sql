-- The names the full-text index got for each row (soul, account, key, joined
-- with U+001F), so retention can remove a row's index entry exactly: a
-- contentless FTS5 table forgets an entry only when told its old values.
-- Rows written before this migration have none; retention leaves their
-- index entries (searches join usage_logs, so they match nothing).
ALTER TABLE usage_logs ADD COLUMN search_names TEXT;
