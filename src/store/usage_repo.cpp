#include "store/usage_repo.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "store/statement.hpp"

namespace oh::store {

void usage_repo::configure_writer(database& db) {
  db.exec("PRAGMA wal_autocheckpoint=10000");
}

void usage_repo::insert_batch(const std::vector<usage_row>& rows) {
  if (rows.empty())
    return;
  transaction tx{db_};
  statement log{db_,
                "INSERT INTO usage_logs (request_id, client_request_id,"
                " created_at, api_key_id, soul_id, soul_version, provider_id,"
                " provider_type, endpoint, stream, model_requested, model,"
                " status, http_status, error_code, error_message, input_tokens,"
                " output_tokens, cache_read_tokens, cache_write_tokens,"
                " reasoning_tokens, cost_micros, cost_cents, latency_ms,"
                " ttft_ms, attempts, client_ip, user_agent, search_names)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
                " ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24,"
                " ?25, ?26, ?27, ?28, ?29)"};
  std::string names;
  statement fts{db_, "INSERT INTO usage_logs_fts (rowid, model, error_message,"
                     " soul_name, provider_name, key_name)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"};
  statement daily{db_,
                  "INSERT INTO cost_daily (date, api_key_id, soul_id,"
                  " provider_id, total_requests, total_input_tokens,"
                  " total_output_tokens, total_cost_micros, total_cost_cents)"
                  " VALUES (?1, ?2, ?3, ?4, ?9, ?5, ?6, ?7, ?8)"
                  " ON CONFLICT (date, api_key_id, soul_id, provider_id)"
                  " DO UPDATE SET total_requests = total_requests + ?9,"
                  " total_input_tokens = total_input_tokens + ?5,"
                  " total_output_tokens = total_output_tokens + ?6,"
                  " total_cost_micros = total_cost_micros + ?7,"
                  " total_cost_cents = total_cost_cents + ?8"};
  statement usage{
    db_, "INSERT INTO usage_daily (dimension, date, value, requests, errors,"
         " input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,"
         " reasoning_tokens, cost_micros) VALUES (?1, ?2, ?3, ?6, ?7, ?8, ?9,"
         " ?10, ?11, ?12, ?13) ON CONFLICT (dimension, date, value)"
         " DO UPDATE SET requests = requests + ?6,"
         " errors = errors + ?7, input_tokens = input_tokens + ?8,"
         " output_tokens = output_tokens + ?9,"
         " cache_read_tokens = cache_read_tokens + ?10,"
         " cache_write_tokens = cache_write_tokens + ?11,"
         " reasoning_tokens = reasoning_tokens + ?12,"
         " cost_micros = cost_micros + ?13"};
  statement touch{db_, "UPDATE api_keys SET last_used_at = ?2,"
                       " total_requests = total_requests + ?3 WHERE id = ?1"};
  // The rollup and the keys' counters move once per group, not per row:
  // a batch holds many rows of the same key and day.
  struct rollup {
    int64_t requests = 0;
    int64_t input = 0;
    int64_t output = 0;
    int64_t micros = 0;
    double cents = 0;
  };
  // Keys and binds are views into `rows`, which outlive every statement
  // here: a row's texts are read in place, not copied per insert.
  auto text_or_empty = [](const std::optional<std::string>& v) {
    // "" rather than a null view: SQLite binds a null pointer as NULL.
    return v ? std::string_view{*v} : std::string_view{""};
  };
  std::map<std::tuple<std::string_view, std::string_view, std::string_view,
                      std::string_view>,
           rollup>
    days;
  std::map<std::string_view, std::pair<int64_t, std::string_view>> keys;
  struct model_rollup {
    int64_t requests = 0;
    int64_t errors = 0;
    token_usage tokens;
    int64_t micros = 0;
  };
  // (dimension, date, value): one total per day for each key, soul,
  // account and model.
  std::map<std::tuple<const char*, std::string_view, std::string_view>,
           model_rollup>
    by_model;
  for (auto& r : rows) {
    double cents = static_cast<double>(r.cost_micros) / 10'000.0;
    log.reset();
    log.bind_borrowed(1, r.request_id)
      .bind_borrowed(2, r.client_request_id)
      .bind_borrowed(3, r.created_at)
      .bind_borrowed(4, r.api_key_id)
      .bind_borrowed(5, r.soul_id)
      .bind(6, r.soul_version)
      .bind_borrowed(7, r.provider_id)
      .bind_borrowed(8, r.provider_type)
      .bind_borrowed(9, r.endpoint)
      .bind(10, r.stream)
      .bind_borrowed(11, r.model_requested)
      .bind_borrowed(12, r.model)
      .bind_borrowed(13, r.status)
      .bind(14, r.http_status)
      .bind_borrowed(15, r.error_code)
      .bind_borrowed(16, r.error_message)
      .bind(17, r.tokens.input)
      .bind(18, r.tokens.output)
      .bind(19, r.tokens.cache_read)
      .bind(20, r.tokens.cache_write)
      .bind(21, r.tokens.reasoning)
      .bind(22, r.cost_micros)
      .bind(23, cents)
      .bind(24, r.latency_ms)
      .bind(25, r.ttft_ms)
      .bind_borrowed(26, r.attempts_json)
      .bind_borrowed(27, r.client_ip)
      .bind_borrowed(28, r.user_agent);
    names.assign(r.soul_name)
      .append(1, name_separator)
      .append(r.provider_name)
      .append(1, name_separator)
      .append(r.key_name);
    log.bind_borrowed(29, names);
    log.run();
    int64_t rowid = db_.last_insert_rowid();
    fts.reset();
    fts.bind(1, rowid)
      .bind_borrowed(2, r.model ? text_or_empty(r.model)
                                : text_or_empty(r.model_requested))
      .bind_borrowed(3, text_or_empty(r.error_message))
      .bind_borrowed(4, r.soul_name)
      .bind_borrowed(5, r.provider_name)
      .bind_borrowed(6, r.key_name)
      .run();
    // The rollup keys use '' for "none": SQLite treats NULLs as distinct in
    // UNIQUE constraints, which would defeat the upsert.
    auto& day = days[{std::string_view{r.created_at}.substr(0, 10),
                      text_or_empty(r.api_key_id), text_or_empty(r.soul_id),
                      text_or_empty(r.provider_id)}];
    day.requests += 1;
    day.input += r.tokens.input;
    day.output += r.tokens.output;
    day.micros += r.cost_micros;
    day.cents += cents;
    auto date = std::string_view{r.created_at}.substr(0, 10);
    for (auto [dimension, value] :
         {std::pair{"key", text_or_empty(r.api_key_id)},
          std::pair{"soul", text_or_empty(r.soul_id)},
          std::pair{"provider", text_or_empty(r.provider_id)},
          std::pair{"model", r.model ? text_or_empty(r.model)
                                     : text_or_empty(r.model_requested)}}) {
      auto& m = by_model[{dimension, date, value}];
      m.requests += 1;
      m.errors += r.status != "success" ? 1 : 0;
      m.tokens.input += r.tokens.input;
      m.tokens.output += r.tokens.output;
      m.tokens.cache_read += r.tokens.cache_read;
      m.tokens.cache_write += r.tokens.cache_write;
      m.tokens.reasoning += r.tokens.reasoning;
      m.micros += r.cost_micros;
    }
    if (r.admitted && r.api_key_id) {
      auto& k = keys[*r.api_key_id];
      k.first += 1;
      k.second = std::max(k.second, std::string_view{r.created_at});
    }
  }
  for (auto& [group, sum] : days) {
    auto& [date, key, soul, provider] = group;
    daily.reset();
    daily.bind(1, date)
      .bind(2, key)
      .bind(3, soul)
      .bind(4, provider)
      .bind(5, sum.input)
      .bind(6, sum.output)
      .bind(7, sum.micros)
      .bind(8, sum.cents)
      .bind(9, sum.requests)
      .run();
  }
  for (auto& [group, sum] : by_model) {
    auto& [dimension, date, value] = group;
    usage.reset();
    usage.bind(1, dimension)
      .bind(2, date)
      .bind(3, value)
      .bind(6, sum.requests)
      .bind(7, sum.errors)
      .bind(8, sum.tokens.input)
      .bind(9, sum.tokens.output)
      .bind(10, sum.tokens.cache_read)
      .bind(11, sum.tokens.cache_write)
      .bind(12, sum.tokens.reasoning)
      .bind(13, sum.micros)
      .run();
  }
  for (auto& [id, use] : keys) {
    touch.reset();
    touch.bind(1, id).bind(2, use.second).bind(3, use.first).run();
  }
  tx.commit();
}

prune_result usage_repo::prune_before(std::string_view cutoff,
                                      int64_t max_rows) {
  prune_result out;
  transaction tx{db_};
  statement old{db_, "SELECT id, COALESCE(model, model_requested, ''),"
                     " COALESCE(error_message, ''), search_names"
                     " FROM usage_logs WHERE created_at < ?1"
                     " ORDER BY created_at LIMIT ?2"};
  old.bind(1, cutoff).bind(2, max_rows + 1);
  statement forget{db_, "INSERT INTO usage_logs_fts (usage_logs_fts, rowid,"
                        " model, error_message, soul_name, provider_name,"
                        " key_name) VALUES ('delete', ?1, ?2, ?3, ?4, ?5, ?6)"};
  statement remove{db_, "DELETE FROM usage_logs WHERE id = ?1"};
  while (old.step()) {
    if (out.deleted == max_rows) {
      out.more = true;
      break;
    }
    int64_t id = old.int64(0);
    if (auto names = old.opt_text(3)) {
      // The index entry goes with the row, told the values it was given.
      auto first = names->find(name_separator);
      auto second = names->find(name_separator, first + 1);
      if (first != std::string::npos && second != std::string::npos) {
        forget.reset();
        forget.bind(1, id)
          .bind(2, old.text(1))
          .bind(3, old.text(2))
          .bind(4, names->substr(0, first))
          .bind(5, names->substr(first + 1, second - first - 1))
          .bind(6, names->substr(second + 1))
          .run();
      } else {
        out.index_entries_left += 1;
      }
    } else {
      out.index_entries_left += 1; // written before the names were kept
    }
    remove.reset();
    remove.bind(1, id).run();
    out.deleted += 1;
  }
  tx.commit();
  return out;
}

int64_t usage_repo::count() {
  statement st{db_, "SELECT COUNT(*) FROM usage_logs"};
  st.step();
  return st.int64(0);
}

} // namespace oh::store
