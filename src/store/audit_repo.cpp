#include "store/audit_repo.hpp"

#include "core/clock.hpp"
#include "store/statement.hpp"

namespace oh::store {

void audit_repo::record(const std::string& actor, const std::string& action,
                        const std::string& target_type,
                        const std::string& target_id,
                        const std::string& detail_json) {
  statement st{db_, "INSERT INTO admin_audit(created_at, actor, action,"
                    " target_type, target_id, detail)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"};
  st.bind(1, clock::now_iso())
    .bind(2, actor)
    .bind(3, action)
    .bind(4, target_type)
    .bind(5, target_id)
    .bind(6, detail_json)
    .run();
}

int64_t audit_repo::count() {
  statement st{db_, "SELECT COUNT(*) FROM admin_audit"};
  st.step();
  return st.int64(0);
}

std::vector<audit_repo::entry> audit_repo::page(int64_t before, int64_t limit) {
  statement st{db_, "SELECT id, created_at, actor, action, target_type,"
                    " COALESCE(target_id, ''), detail FROM admin_audit"
                    " WHERE ?1 = 0 OR id < ?1 ORDER BY id DESC LIMIT ?2"};
  st.bind(1, before).bind(2, limit);
  std::vector<entry> out;
  while (st.step())
    out.push_back({st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4),
                   st.text(5), st.text(6)});
  return out;
}

} // namespace oh::store
