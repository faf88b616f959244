// Feeds every golden transcript (test/golden/README.md) through the
// translation layer: the upstream request it builds, the client answer it
// renders, and for streams the bytes the production exchange relays (framing
// compared byte for byte, in-band errors as the exchange writes them), the
// same whatever byte boundary the upstream bytes are split at.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <rapidjson/prettywriter.h>

#include "core/error_render.hpp"
#include "core/http_message.hpp"
#include "core/json.hpp"
#include "providers/anthropic/ingress.hpp"
#include "providers/chat_exchange.hpp"
#include "providers/openai/translate.hpp"
#include "providers/translation.hpp"

namespace {

namespace fs = std::filesystem;
using namespace oh;
using namespace oh::providers;

const fs::path golden_dir = fs::path{OH_SOURCE_DIR} / "test" / "golden";

std::vector<std::string> golden_files() {
  std::vector<std::string> out;
  for (auto& e : fs::recursive_directory_iterator(golden_dir))
    if (e.is_regular_file() && e.path().extension() == ".json")
      out.push_back(fs::relative(e.path(), golden_dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_text(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string pretty(const json::value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w{buf};
  v.Accept(w);
  return buf.GetString();
}

/// Compares JSON values (object member order does not matter).
::testing::AssertionResult same_json(const json::value& expected,
                                     const json::value& actual) {
  if (expected == actual)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected:\n"
                                       << pretty(expected) << "\nactual:\n"
                                       << pretty(actual);
}

/// One transcript, loaded, with the call input it describes.
struct transcript {
  json::document doc;
  json::document client_body;
  http_request http;
  soul_edits soul;
  call_input in;

  bool has(const char* name) const {
    return doc.HasMember(name);
  }
  const json::value& operator[](const char* name) const {
    return doc[name];
  }
};

std::unique_ptr<transcript> load(const std::string& file) {
  auto t = std::make_unique<transcript>();
  auto text = read_text(golden_dir / file);
  t->doc.Parse(text.c_str(), text.size());
  if (t->doc.HasParseError())
    return nullptr;
  auto& d = t->doc;
  t->client_body.CopyFrom(d["client_request"], t->client_body.GetAllocator());
  auto& in = t->in;
  in.client = std::string_view{d["ingress"].GetString()} == "anthropic"
                ? dialect::anthropic
                : dialect::openai;
  in.body = &t->client_body;
  in.http = &t->http;
  in.account_type = d["provider"].GetString();
  in.base_url = "http://up";
  in.api_key = "test-key";
  in.model = d["model"].GetString();
  if (auto* soul = json::find(d, "soul"); soul && soul->IsObject()) {
    t->soul.system_prompt
      = json::get_string(*soul, "system_prompt").value_or("");
    if (auto* v = json::find(*soul, "temperature"))
      t->soul.temperature = v->GetDouble();
    if (auto* v = json::find(*soul, "max_tokens"))
      t->soul.max_tokens = v->GetInt64();
    in.soul = &t->soul;
  }
  if (auto* s = json::find(t->client_body, "stream"); s && s->IsBool())
    in.stream = s->GetBool();
  if (auto* so = json::find(t->client_body, "stream_options");
      so && so->IsObject())
    if (auto* u = json::find(*so, "include_usage"); u && u->IsBool())
      in.include_usage = u->GetBool();
  if (auto* auth = json::find(d, "auth"); auth && auth->IsObject()) {
    // A subscription account (docs/subscriptions.md).
    in.subscription = true;
    in.api_key.clear();
    in.access_token = json::get_string(*auth, "token").value_or("");
    in.chatgpt_account_id = json::get_string(*auth, "account_id").value_or("");
    in.project_id = json::get_string(*auth, "project_id").value_or("");
    in.system_user_merge
      = json::get_string(*auth, "system_mode").value_or("") == "user_merge";
  }
  if (auto* h = json::find(d, "client_headers"); h && h->IsObject())
    for (auto& m : h->GetObject())
      t->http.headers.emplace_back(m.name.GetString(), m.value.GetString());
  in.request_id = "req1";
  in.created = 1'700'000'000;
  return t;
}

/// The client side of a replayed exchange: what a connection would send.
class recording_sink final : public response_sink {
public:
  std::string bytes;
  bool began = false;
  bool ended = false;
  int responses = 0;
  void respond(http_response) override {
    ++responses;
  }
  void begin_stream(http_response head) override {
    EXPECT_FALSE(began) << "a second stream head";
    EXPECT_EQ(head.status, 200);
    began = true;
  }
  void write(std::string piece) override {
    EXPECT_TRUE(began) << "bytes before the stream head";
    EXPECT_FALSE(ended) << "bytes after the end of the stream";
    bytes += piece;
  }
  void end_stream() override {
    EXPECT_FALSE(ended) << "the stream ended twice";
    ended = true;
  }
  size_t backlog() const override {
    return 0;
  }
  void on_drain(std::function<void()>) override {}
  void on_cancel(std::function<void()>) override {}
};

class recording_observer final : public exchange_observer {
public:
  int finished = 0;
  exchange_outcome outcome;
  void on_commit() override {}
  void on_finished(exchange_outcome o) override {
    ++finished;
    outcome = std::move(o);
  }
};

struct replayed {
  std::string bytes; // what the client received
  bool began = false;
  bool ended = false;
  exchange_outcome outcome;
};

/// Replays the upstream bytes, split at `cut`, through the production
/// exchange (chat_exchange.cpp): the translator, the commit point and the
/// in-band error the client gets when the upstream fails mid-stream.
replayed replay_stream(const transcript& t, framing frame, std::string_view raw,
                       size_t cut) {
  chat_exchange_spec spec;
  spec.stream = true;
  spec.translator = make_stream_translator(t.in);
  spec.frame = frame;
  spec.client_dialect = t.in.client;
  spec.stream_head.status = 200;
  auto sink = std::make_shared<recording_sink>();
  auto observer = std::make_shared<recording_observer>();
  auto handler = make_chat_exchange_handler(std::move(spec), sink, observer);
  handler->on_head(200, {});
  for (auto piece : {raw.substr(0, cut), raw.substr(cut)})
    if (!piece.empty())
      handler->on_body(piece);
  handler->on_end();
  EXPECT_EQ(observer->finished, 1) << "the exchange must end exactly once";
  EXPECT_EQ(sink->responses, 0);
  return {sink->bytes, sink->began, sink->ended, std::move(observer->outcome)};
}

/// The framing of client SSE bytes with every data payload but `[DONE]`
/// replaced by `…`: event lines, `data: ` spacing, blank lines and the end.
std::string framing_of(const std::string& bytes) {
  std::string out;
  size_t pos = 0;
  while (pos < bytes.size()) {
    auto nl = bytes.find('\n', pos);
    if (nl == std::string::npos) {
      out += bytes.substr(pos) + "<no newline at the end>";
      break;
    }
    std::string_view line{bytes.data() + pos, nl - pos};
    if (line.starts_with("data: ") && line != "data: [DONE]")
      out += "data: …\n";
    else
      out += std::string{line} + "\n";
    pos = nl + 1;
  }
  return out;
}

/// The framing `expected_events` stand for, in the dialect's exact form.
std::string expected_framing(const json::value& events, dialect d) {
  std::string out;
  for (auto& e : events.GetArray()) {
    if (e.IsString() && std::string_view{e.GetString()} == "[DONE]")
      out += "data: [DONE]\n\n";
    else if (d == dialect::anthropic)
      out += std::string{"event: "} + json::get_string(e, "event").value_or("?")
             + "\ndata: …\n\n";
    else
      out += "data: …\n\n";
  }
  return out;
}

/// Client SSE bytes → the `expected_events` shape.
json::document client_events(const std::string& bytes, dialect d) {
  json::document events;
  events.SetArray();
  auto& a = events.GetAllocator();
  sse_parser parser;
  auto on_event = [&](sse_event& ev) {
    json::value item;
    if (ev.data == "[DONE]") {
      item.SetString("[DONE]", a);
    } else {
      json::document data(&a);
      data.Parse(ev.data.c_str(), ev.data.size());
      if (data.HasParseError()) {
        item.SetString(ev.data.c_str(), a);
      } else if (d == dialect::anthropic) {
        item.SetObject();
        item.AddMember("event", json::value{ev.event.c_str(), a}, a);
        item.AddMember("data", json::value{data, a}, a);
      } else {
        item.CopyFrom(data, a);
      }
    }
    events.PushBack(item, a);
  };
  parser.feed(bytes, on_event);
  parser.finish(on_event);
  return events;
}

/// The error object of an in-band error event, if `v` is one.
json::value* error_object(json::value& v) {
  if (!v.IsObject())
    return nullptr;
  json::value* data = &v;
  if (auto it = v.FindMember("data"); it != v.MemberEnd())
    data = &it->value;
  if (!data->IsObject())
    return nullptr;
  auto it = data->FindMember("error");
  return it != data->MemberEnd() && it->value.IsObject() ? &it->value : nullptr;
}

class golden : public ::testing::TestWithParam<std::string> {};

TEST_P(golden, translates_both_ways) {
  auto t = load(GetParam());
  ASSERT_TRUE(t) << GetParam() << " is not JSON";
  auto& in = t->in;

  auto invalid = in.client == dialect::anthropic
                   ? anthropic::validate_request(t->client_body)
                   : openai::validate_request(t->client_body);
  ASSERT_FALSE(invalid) << invalid->message;

  auto call = prepare_call(in);
  if (t->has("expected_status")) {
    ASSERT_FALSE(call) << "the request should have been refused";
    auto status = call.error().status != 0 ? call.error().status
                                           : status_for(call.error().code);
    EXPECT_EQ(status, (*t)["expected_status"].GetUint());
    if (t->has("expected_param")) {
      EXPECT_EQ(call.error().field, (*t)["expected_param"].GetString());
    }
    return;
  }
  ASSERT_TRUE(call) << call.error().message;

  // The upstream request.
  EXPECT_EQ(call->request.url.target, (*t)["upstream_path"].GetString());
  auto sent = json::parse(call->request.body);
  ASSERT_TRUE(sent) << call->request.body;
  EXPECT_TRUE(same_json((*t)["upstream_request"], *sent));
  std::vector<std::string> expected_dropped;
  if (t->has("expected_dropped"))
    for (auto& v : (*t)["expected_dropped"].GetArray())
      expected_dropped.emplace_back(v.GetString());
  EXPECT_EQ(call->dropped, expected_dropped);
  if (t->has("upstream_headers"))
    for (auto& m : (*t)["upstream_headers"].GetObject()) {
      std::string name = m.name.GetString();
      auto sent_header
        = std::find_if(call->request.headers.begin(),
                       call->request.headers.end(), [&](auto& h) {
                         return h.first == name;
                       });
      ASSERT_NE(sent_header, call->request.headers.end()) << name;
      EXPECT_EQ(sent_header->second, m.value.GetString()) << name;
    }
  if (in.subscription)
    for (auto& h : call->request.headers) {
      // A subscription's bearer only: never a key header.
      EXPECT_NE(h.first, "x-api-key");
      EXPECT_NE(h.first, "x-goog-api-key");
    }

  if (!in.stream) {
    // The Codex backend always streams: its whole answer is SSE text.
    auto upstream = t->has("upstream_stream")
                      ? std::string{(*t)["upstream_stream"].GetString()}
                      : json::to_string((*t)["upstream_response"]);
    auto parsed = read_answer(in, upstream);
    ASSERT_TRUE(parsed) << parsed.error().message;
    gateway_facts facts;
    facts.request_id = "req1";
    auto body = render_answer(in, upstream, *parsed, facts);
    ASSERT_TRUE(body) << body.error().message;
    auto answer = json::parse(*body);
    ASSERT_TRUE(answer) << *body;
    answer->RemoveMember("_openhinge");
    EXPECT_TRUE(same_json((*t)["expected_response"], *answer));
    return;
  }

  std::string raw = (*t)["upstream_stream"].GetString();
  auto run = replay_stream(*t, call->frame, raw, raw.size());
  auto& whole = run.bytes;
  ASSERT_TRUE(run.began) << "nothing reached the client; the exchange said: "
                         << run.outcome.error_message;
  EXPECT_TRUE(run.ended) << "the stream did not end cleanly:\n" << whole;
  auto events = client_events(whole, in.client);
  json::document expected;
  expected.CopyFrom((*t)["expected_events"], expected.GetAllocator());
  EXPECT_EQ(framing_of(whole), expected_framing(expected, in.client))
    << "client bytes:\n"
    << whole;
  if (t->has("expected_error")) {
    // The upstream's own words reach the operator's log, never the client:
    // the client gets the gateway's in-band error (SPEC §4).
    std::string needle = (*t)["expected_error"].GetString();
    EXPECT_NE(run.outcome.error_message.find(needle), std::string::npos)
      << run.outcome.error_message;
    EXPECT_FALSE(run.outcome.completed);
    ASSERT_FALSE(events.Empty());
    bool found = false;
    for (auto& e : events.GetArray())
      if (auto* err = error_object(e)) {
        std::string message = json::get_string(*err, "message").value_or("");
        EXPECT_EQ(message.find(needle), std::string::npos)
          << "the upstream's message reached the client: " << message;
        EXPECT_FALSE(message.empty());
        err->RemoveMember("message");
        found = true;
      }
    EXPECT_TRUE(found) << "no in-band error in:\n" << whole;
    for (auto& e : expected.GetArray())
      if (auto* err = error_object(e))
        err->RemoveMember("message");
  } else {
    EXPECT_TRUE(run.outcome.completed) << run.outcome.error_message;
  }
  EXPECT_TRUE(same_json(expected, events)) << "client bytes:\n" << whole;

  // The same bytes whatever the split (stop at the first difference).
  for (size_t cut = 0; cut < raw.size(); ++cut) {
    auto split = replay_stream(*t, call->frame, raw, cut);
    if (split.bytes != whole) {
      ADD_FAILURE() << "split at byte " << cut << " changes the output:\n"
                    << split.bytes;
      break;
    }
  }
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.size() - 5);
  for (auto& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)))
      c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(transcripts, golden,
                         ::testing::ValuesIn(golden_files()), test_name);

TEST(golden_corpus, covers_the_matrix_with_sixty_transcripts) {
  auto files = golden_files();
  EXPECT_GE(files.size(), 60u);
  for (auto provider : {"claude", "openai", "gemini", "ollama"})
    for (auto ingress : {"openai-", "anthropic-"}) {
      auto prefix = std::string{provider} + "/" + ingress;
      auto n = std::count_if(files.begin(), files.end(), [&](auto& f) {
        return f.starts_with(prefix);
      });
      EXPECT_GE(n, 5) << prefix;
    }
}

TEST(golden_corpus, covers_each_subscription_wire_with_eight_transcripts) {
  auto files = golden_files();
  for (auto wire : {"claude-oauth/", "chatgpt/", "code-assist/"}) {
    for (auto ingress : {"openai-", "anthropic-"}) {
      auto prefix = std::string{wire} + ingress;
      auto n = std::count_if(files.begin(), files.end(), [&](auto& f) {
        return f.starts_with(prefix);
      });
      EXPECT_GE(n, 4) << prefix;
    }
  }
}

} // namespace
