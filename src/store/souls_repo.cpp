#include "store/souls_repo.hpp"

#include "core/json.hpp"
#include "store/statement.hpp"

namespace oh::store {

namespace {

constexpr const char* columns
  = "id, name, slug, description, system_prompt, provider_id, fallback_chain,"
    " model, temperature, max_tokens, response_schema, strict_chain, version,"
    " is_enabled, created_at, updated_at";

soul_record read_row(const statement& st) {
  soul_record r;
  r.id = st.text(0);
  r.name = st.text(1);
  r.slug = st.text(2);
  r.description = st.opt_text(3);
  r.system_prompt = st.text(4);
  r.provider_id = st.opt_text(5);
  r.fallback_chain = ids_from_json(st.text(6));
  r.model = st.opt_text(7);
  r.temperature = st.opt_real(8);
  r.max_tokens = st.opt_int64(9);
  r.response_schema = st.opt_text(10);
  r.strict_chain = st.int64(11) != 0;
  r.version = st.int64(12);
  r.is_enabled = st.int64(13) != 0;
  r.created_at = st.text(14);
  r.updated_at = st.text(15);
  return r;
}

void bind_all(statement& st, const soul_record& r) {
  st.bind(1, r.id)
    .bind(2, r.name)
    .bind(3, r.slug)
    .bind(4, r.description)
    .bind(5, r.system_prompt)
    .bind(6, r.provider_id)
    .bind(7, ids_to_json(r.fallback_chain))
    .bind(8, r.model)
    .bind(9, r.temperature)
    .bind(10, r.max_tokens)
    .bind(11, r.response_schema)
    .bind(12, r.strict_chain)
    .bind(13, r.version)
    .bind(14, r.is_enabled)
    .bind(15, r.created_at)
    .bind(16, r.updated_at);
}

} // namespace

std::string ids_to_json(const std::vector<std::string>& ids) {
  std::string out = "[";
  for (auto& id : ids) {
    if (out.size() > 1)
      out.push_back(',');
    json::append_quoted(out, id);
  }
  out.push_back(']');
  return out;
}

std::vector<std::string> ids_from_json(const std::string& text) {
  std::vector<std::string> out;
  auto doc = json::parse(text);
  if (!doc || !doc->IsArray())
    return out;
  for (auto& v : doc->GetArray())
    if (v.IsString())
      out.emplace_back(v.GetString(), v.GetStringLength());
  return out;
}

std::vector<soul_record> souls_repo::list() {
  statement st{db_, std::string{"SELECT "} + columns
                      + " FROM souls ORDER BY name, id"};
  std::vector<soul_record> out;
  while (st.step())
    out.push_back(read_row(st));
  return out;
}

std::optional<soul_record> souls_repo::get_where(const char* where,
                                                 const std::string& value) {
  statement st{db_, std::string{"SELECT "} + columns + " FROM souls WHERE "
                      + where + " = ?1"};
  st.bind(1, value);
  if (!st.step())
    return std::nullopt;
  return read_row(st);
}

std::optional<soul_record> souls_repo::get(const std::string& id) {
  return get_where("id", id);
}

std::optional<soul_record> souls_repo::get_by_slug(const std::string& slug) {
  return get_where("slug", slug);
}

void souls_repo::insert(const soul_record& r) {
  statement st{db_, std::string{"INSERT INTO souls ("} + columns
                      + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                        " ?11, ?12, ?13, ?14, ?15, ?16)"};
  bind_all(st, r);
  st.run();
}

void souls_repo::update(const soul_record& r) {
  statement st{db_, "UPDATE souls SET name = ?2, slug = ?3, description = ?4,"
                    " system_prompt = ?5, provider_id = ?6,"
                    " fallback_chain = ?7, model = ?8, temperature = ?9,"
                    " max_tokens = ?10, response_schema = ?11,"
                    " strict_chain = ?12, version = ?13, is_enabled = ?14,"
                    " created_at = ?15, updated_at = ?16 WHERE id = ?1"};
  bind_all(st, r);
  st.run();
}

bool souls_repo::remove(const std::string& id) {
  statement st{db_, "DELETE FROM souls WHERE id = ?1"};
  st.bind(1, id).run();
  return db_.changes() > 0;
}

std::vector<std::string>
souls_repo::bound_to_provider(const std::string& provider_id) {
  statement st{db_, "SELECT id FROM souls WHERE provider_id = ?1"
                    " OR EXISTS (SELECT 1 FROM json_each(fallback_chain)"
                    " WHERE value = ?1)"};
  st.bind(1, provider_id);
  std::vector<std::string> out;
  while (st.step())
    out.push_back(st.text(0));
  return out;
}

} // namespace oh::store
