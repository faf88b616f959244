#include "store/sessions_repo.hpp"

#include "store/statement.hpp"

namespace oh::store {

void sessions_repo::insert(const session_row& r) {
  statement st{db_, "INSERT OR REPLACE INTO admin_sessions (id_hash, csrf,"
                    " created_at, last_seen, expires_at, ip, user_agent)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"};
  st.bind(1, r.id_hash)
    .bind(2, r.csrf)
    .bind(3, r.created_at)
    .bind(4, r.last_seen)
    .bind(5, r.expires_at);
  if (r.ip)
    st.bind(6, *r.ip);
  else
    st.bind_null(6);
  if (r.user_agent)
    st.bind(7, *r.user_agent);
  else
    st.bind_null(7);
  st.run();
}

void sessions_repo::touch(const std::string& id_hash,
                          const std::string& last_seen,
                          const std::string& expires_at) {
  statement st{db_, "UPDATE admin_sessions SET last_seen = ?2,"
                    " expires_at = ?3 WHERE id_hash = ?1"};
  st.bind(1, id_hash).bind(2, last_seen).bind(3, expires_at).run();
}

void sessions_repo::remove(const std::string& id_hash) {
  statement st{db_, "DELETE FROM admin_sessions WHERE id_hash = ?1"};
  st.bind(1, id_hash).run();
}

void sessions_repo::remove_all_except(const std::string& keep) {
  statement st{db_, "DELETE FROM admin_sessions WHERE id_hash != ?1"};
  st.bind(1, keep).run();
}

std::vector<session_row> sessions_repo::live(const std::string& now_iso) {
  {
    statement gone{db_, "DELETE FROM admin_sessions WHERE expires_at <= ?1"};
    gone.bind(1, now_iso).run();
  }
  statement st{db_, "SELECT id_hash, csrf, created_at, last_seen, expires_at,"
                    " ip, user_agent FROM admin_sessions"};
  std::vector<session_row> out;
  while (st.step()) {
    session_row r;
    r.id_hash = st.text(0);
    r.csrf = st.text(1);
    r.created_at = st.text(2);
    r.last_seen = st.text(3);
    r.expires_at = st.text(4);
    if (!st.is_null(5))
      r.ip = st.text(5);
    if (!st.is_null(6))
      r.user_agent = st.text(6);
    out.push_back(std::move(r));
  }
  return out;
}

} // namespace oh::store
