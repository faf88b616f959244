#include "providers/translation.hpp"

#include "core/error_render.hpp"
#include "core/json_schema.hpp"
#include "providers/anthropic/encode.hpp"
#include "providers/anthropic/ingress.hpp"
#include "providers/chatgpt/translate.hpp"
#include "providers/claude/translate.hpp"
#include "providers/gemini/translate.hpp"
#include "providers/ollama/translate.hpp"
#include "providers/openai/encode.hpp"
#include "providers/openai/ingress.hpp"
#include "providers/openai/translate.hpp"

namespace oh::providers {

namespace {

wire wire_of(const call_input& in) {
  auto w = wire_for_type(in.account_type).value_or(wire::openai);
  if (in.subscription && w == wire::openai
      && in.account_type != "openai_compatible")
    return wire::chatgpt;
  return w;
}

/// Gemini through a Google subscription: Code Assist's wrapped wire.
bool code_assist(const call_input& in) {
  return in.subscription && wire_of(in) == wire::gemini;
}

decode_context decode_ctx(const call_input& in) {
  return decode_context{in.request_id, in.model};
}

answer_context answer_ctx(const call_input& in) {
  answer_context ctx;
  ctx.id
    = (in.client == dialect::anthropic ? "msg_" : "chatcmpl-") + in.request_id;
  ctx.created = in.created;
  ctx.model = in.model;
  ctx.include_usage = in.include_usage;
  return ctx;
}

expected<canonical_request> canonical_of(const call_input& in) {
  if (in.client == dialect::anthropic)
    return anthropic::to_canonical(*in.body, in.soul, in.model,
                                   in.account_type);
  return openai::to_canonical(*in.body, in.soul, in.model, in.account_type);
}

std::unique_ptr<stream_decoder> decoder_for(const call_input& in) {
  auto ctx = decode_ctx(in);
  switch (wire_of(in)) {
    case wire::claude:
      return claude::make_decoder(ctx);
    case wire::gemini:
      return code_assist(in) ? gemini::make_code_assist_decoder(ctx)
                             : gemini::make_decoder(ctx);
    case wire::ollama:
      return ollama::make_decoder(ctx);
    case wire::chatgpt:
      return chatgpt::make_decoder(ctx);
    case wire::openai:
      break;
  }
  return openai::make_decoder(ctx);
}

expected<event_list> decode_whole(const call_input& in, std::string_view body) {
  auto ctx = decode_ctx(in);
  switch (wire_of(in)) {
    case wire::claude:
      return claude::decode_response(body, ctx);
    case wire::gemini:
      return code_assist(in) ? gemini::decode_code_assist_response(body, ctx)
                             : gemini::decode_response(body, ctx);
    case wire::ollama:
      return ollama::decode_response(body, ctx);
    case wire::chatgpt:
      return chatgpt::decode_response(body, ctx);
    case wire::openai:
      break;
  }
  return openai::decode_response(body, ctx);
}

const char* cut_short = "the provider ended the stream before it finished";

/// The text blocks of an answer, joined (what a schema is checked against).
std::string answer_text(const answer& a) {
  std::string out;
  for (auto& b : a.blocks)
    if (b.what == answer::block::kind::text)
      out += b.text;
  return out;
}

/// Adds `"_openhinge":{"schema_valid":…}` to a JSON object's text, before
/// its closing brace (Anthropic-dialect answers carry nothing else of ours).
void splice_verdict(std::string& object_json, bool valid) {
  auto end = object_json.find_last_of('}');
  if (end == std::string::npos)
    return;
  std::string add = std::string{",\"_openhinge\":{\"schema_valid\":"}
                    + (valid ? "true" : "false") + "}";
  object_json.insert(end, add);
}

/// OpenAI clients in front of openai accounts: the relay of SPEC §10.
class openai_relay final : public stream_translator {
public:
  explicit openai_relay(const call_input& in)
    : relay_("chatcmpl-" + in.request_id, in.include_usage) {}

  step on_event(const sse_event& ev) override {
    auto s = relay_.on_data(ev.data);
    return step{std::move(s.bytes), s.content, std::move(s.error)};
  }
  step on_end() override {
    if (!relay_.saw_finish())
      return step{{}, false, std::string{cut_short}};
    return step{relay_.finish(), false, std::nullopt};
  }
  std::string model() const override {
    return relay_.model();
  }
  std::string finish_reason() const override {
    return relay_.finish_reason();
  }
  token_usage usage() const override {
    return relay_.usage();
  }

private:
  openai::stream_relay relay_;
};

/// Facts of a stream read through a decoder.
struct stream_facts {
  std::string model;
  std::string finish_reason;
  token_usage usage;

  void note(const canonical_event& e) {
    using k = canonical_event::kind;
    if (e.what == k::start && !e.model.empty())
      model = e.model;
    else if (e.what == k::usage)
      usage = e.usage;
    else if (e.what == k::finish)
      finish_reason = e.reason;
  }
};

/// Anthropic clients in front of Claude: every event forwarded as it came;
/// the decoder only watches (usage, finish, the commit point).
class claude_relay final : public stream_translator {
public:
  explicit claude_relay(const call_input& in)
    : decoder_(claude::make_decoder(decode_ctx(in))) {
    facts_.model = in.model;
  }

  step on_event(const sse_event& ev) override {
    step out;
    event_list events;
    decoder_->on_event(ev, events);
    for (auto& e : events) {
      if (e.what == canonical_event::kind::error) {
        out.error = e.text;
        return out;
      }
      out.content = out.content || is_content(e);
      facts_.note(e);
    }
    auto name = ev.event;
    if (name.empty())
      if (auto doc = json::parse(ev.data); doc && doc->IsObject())
        name = json::get_string(*doc, "type").value_or("message");
    // The name is the upstream's bytes (the data passed json::parse in the
    // decoder): nothing it sends may make our stream invalid UTF-8, and a
    // `type` read from JSON may hold a line break that would end the field.
    out.bytes = "event: ";
    for (char c : json::sanitize_utf8(name))
      out.bytes.push_back(c == '\r' || c == '\n' ? ' ' : c);
    out.bytes += '\n';
    // Data of several lines (JSON may break anywhere) goes back as several
    // `data:` fields; one field would end at the first line break.
    std::string_view data{ev.data};
    for (;;) {
      auto nl = data.find('\n');
      out.bytes += "data: ";
      out.bytes += data.substr(0, nl);
      out.bytes += '\n';
      if (nl == std::string_view::npos)
        break;
      data.remove_prefix(nl + 1);
    }
    out.bytes += '\n';
    return out;
  }
  step on_end() override {
    if (!decoder_->finished())
      return step{{}, false, std::string{cut_short}};
    return {};
  }
  std::string model() const override {
    return facts_.model;
  }
  std::string finish_reason() const override {
    return facts_.finish_reason;
  }
  token_usage usage() const override {
    return facts_.usage;
  }

private:
  std::unique_ptr<stream_decoder> decoder_;
  stream_facts facts_;
};

/// Every other pair: upstream events → canonical events → client events.
template<class Encoder>
class translated final : public stream_translator {
public:
  explicit translated(const call_input& in)
    : decoder_(decoder_for(in)), encoder_(answer_ctx(in)) {
    facts_.model = in.model;
  }

  step on_event(const sse_event& ev) override {
    event_list events;
    decoder_->on_event(ev, events);
    return encode(events);
  }
  step on_end() override {
    event_list events;
    decoder_->on_end(events);
    auto out = encode(events);
    if (out.error)
      return out;
    if (!decoder_->finished())
      return step{{}, false, std::string{cut_short}};
    encoder_.end(out.bytes);
    return out;
  }
  std::string model() const override {
    return facts_.model;
  }
  std::string finish_reason() const override {
    return facts_.finish_reason;
  }
  token_usage usage() const override {
    return facts_.usage;
  }

private:
  step encode(const event_list& events) {
    step out;
    for (auto& e : events) {
      if (e.what == canonical_event::kind::error) {
        out.error = e.text;
        return out;
      }
      out.content = out.content || is_content(e);
      facts_.note(e);
      encoder_.on(e, out.bytes);
    }
    return out;
  }

  std::unique_ptr<stream_decoder> decoder_;
  Encoder encoder_;
  stream_facts facts_;
};

/// A stream whose answer is checked against a response schema (SPEC §5.4):
/// reads the text back from the client's own events (the same for every
/// pair) and puts the verdict on the final event: an OpenAI chunk with
/// empty `choices` before `[DONE]`, or `_openhinge` in Anthropic's
/// `message_delta`.
class schema_checked final : public stream_translator {
public:
  schema_checked(std::unique_ptr<stream_translator> inner, const call_input& in,
                 std::string schema)
    : inner_(std::move(inner)), schema_(std::move(schema)), client_(in.client),
      id_("chatcmpl-" + in.request_id), created_(in.created) {}

  step on_event(const sse_event& ev) override {
    auto s = inner_->on_event(ev);
    s.bytes = rewrite(s.bytes);
    return s;
  }
  step on_end() override {
    auto s = inner_->on_end();
    s.bytes = rewrite(s.bytes);
    return s;
  }
  std::string model() const override {
    return inner_->model();
  }
  std::string finish_reason() const override {
    return inner_->finish_reason();
  }
  token_usage usage() const override {
    return inner_->usage();
  }

private:
  /// Decided once, when the event that carries it comes: the text is
  /// complete by then. Empty: no verdict (an empty answer).
  const std::string& verdict_json() {
    if (!verdict_) {
      auto v = json_schema::check_text(schema_, text_);
      verdict_ = v ? (*v ? "true" : "false") : "";
    }
    return *verdict_;
  }

  /// Reads the text out of each event and adds the verdict where it goes.
  std::string rewrite(const std::string& bytes) {
    if (bytes.empty())
      return bytes;
    std::string out;
    out.reserve(bytes.size());
    size_t pos = 0;
    while (pos < bytes.size()) {
      size_t end = bytes.find("\n\n", pos);
      end = end == std::string::npos ? bytes.size() : end + 2;
      std::string_view event{bytes.data() + pos, end - pos};
      pos = end;
      auto data_at = event.find("data: ");
      if (data_at == std::string_view::npos) {
        out += event;
        continue;
      }
      auto data = event.substr(data_at + 6);
      while (!data.empty() && data.back() == '\n')
        data.remove_suffix(1);
      if (data == "[DONE]" && !verdict_json().empty()) {
        out += "data: {\"id\":";
        json::append_quoted(out, id_);
        out += ",\"object\":\"chat.completion.chunk\",\"created\":"
               + std::to_string(created_) + ",\"model\":";
        json::append_quoted(out, inner_->model());
        out += ",\"choices\":[],\"_openhinge\":{\"schema_valid\":"
               + verdict_json() + "}}\n\n";
        out += event;
        continue;
      }
      auto doc = json::parse(data);
      if (!doc || !doc->IsObject()) {
        out += event;
        continue;
      }
      if (client_ == dialect::openai) {
        if (auto* choices = json::find(*doc, "choices");
            choices && choices->IsArray() && !choices->Empty())
          if (auto* delta = json::find((*choices)[0], "delta"))
            text_ += json::get_string(*delta, "content").value_or("");
        out += event;
        continue;
      }
      auto type = json::get_string(*doc, "type").value_or("");
      if (type == "content_block_delta") {
        if (auto* delta = json::find(*doc, "delta");
            delta
            && json::get_string(*delta, "type").value_or("") == "text_delta")
          text_ += json::get_string(*delta, "text").value_or("");
        out += event;
      } else if (type == "message_delta" && !verdict_json().empty()) {
        // The last event with a body: the verdict goes in it.
        std::string head{event.substr(0, data_at + 6)};
        std::string body{data};
        // Before the object's closing brace: a relayed Claude event may
        // end in whitespace after it.
        body.insert(body.find_last_of('}'), ",\"_openhinge\":{\"schema_valid\":"
                                              + verdict_json() + "}");
        out += head + body + "\n\n";
      } else {
        out += event;
      }
    }
    return out;
  }

  std::unique_ptr<stream_translator> inner_;
  std::string schema_;
  dialect client_;
  std::string id_;
  int64_t created_;
  std::string text_;
  std::optional<std::string> verdict_;
};

void add_header(upstream_request& req, std::string name, std::string value) {
  req.headers.emplace_back(std::move(name), std::move(value));
}

/// A subscription's bearer and the client identity its vendor requires
/// (docs/subscriptions.md).
void add_subscription_headers(upstream_request& req, const call_input& in,
                              wire w) {
  add_header(req, "authorization", "Bearer " + in.access_token);
  switch (w) {
    case wire::claude: {
      std::string version = claude::api_version;
      std::string_view client_beta;
      if (in.client == dialect::anthropic && in.http != nullptr) {
        if (auto v = in.http->header("anthropic-version"); v && !v->empty())
          version = std::string{*v};
        if (auto beta = in.http->header("anthropic-beta"); beta)
          client_beta = *beta;
      }
      add_header(req, "anthropic-version", version);
      add_header(req, "anthropic-beta", claude::subscription_beta(client_beta));
      add_header(req, "user-agent", claude::oauth_user_agent);
      add_header(req, "x-app", "cli");
      break;
    }
    case wire::chatgpt:
      if (!in.chatgpt_account_id.empty())
        add_header(req, "chatgpt-account-id", in.chatgpt_account_id);
      break;
    case wire::gemini:
      add_header(req, "user-agent", gemini::code_assist_user_agent);
      add_header(req, "x-goog-api-client", gemini::code_assist_api_client);
      break;
    case wire::openai:
    case wire::ollama:
      break;
  }
}

/// Content type, accept and the vendor's auth headers.
void add_headers(upstream_request& req, const call_input& in, wire w,
                 const char* accept) {
  add_header(req, "content-type", "application/json");
  add_header(req, "accept", accept);
  if (in.subscription) {
    add_subscription_headers(req, in, w);
    return;
  }
  switch (w) {
    case wire::chatgpt:
    case wire::openai:
    case wire::ollama:
      if (!in.api_key.empty())
        add_header(req, "authorization", "Bearer " + in.api_key);
      break;
    case wire::claude: {
      add_header(req, "x-api-key", in.api_key);
      std::string version = claude::api_version;
      if (in.client == dialect::anthropic && in.http != nullptr) {
        if (auto v = in.http->header("anthropic-version"); v && !v->empty())
          version = std::string{*v};
        if (auto beta = in.http->header("anthropic-beta"); beta)
          add_header(req, "anthropic-beta", std::string{*beta});
      }
      add_header(req, "anthropic-version", version);
      break;
    }
    case wire::gemini:
      add_header(req, "x-goog-api-key", in.api_key);
      break;
  }
}

/// `_openhinge` as a JSON object.
std::string facts_json(const gateway_facts& facts) {
  std::string out = "{\"request_id\":";
  json::append_quoted(out, facts.request_id);
  out += ",\"soul\":";
  if (facts.soul)
    json::append_quoted(out, *facts.soul);
  else
    out += "null";
  out += ",\"provider\":";
  json::append_quoted(out, facts.provider);
  out += ",\"provider_type\":";
  json::append_quoted(out, facts.provider_type);
  out += ",\"cost_cents\":";
  out += json::to_string(json::value(facts.cost_cents));
  if (!facts.attempts_json.empty())
    out += ",\"attempts\":" + facts.attempts_json;
  if (!facts.fallback_attempts_json.empty())
    out += ",\"fallback_attempts\":" + facts.fallback_attempts_json;
  if (facts.schema_valid)
    out += std::string{",\"schema_valid\":"}
           + (*facts.schema_valid ? "true" : "false");
  out += ",\"dropped_params\":[";
  for (size_t i = 0; i < facts.dropped_params.size(); ++i) {
    if (i > 0)
      out += ",";
    json::append_quoted(out, facts.dropped_params[i]);
  }
  return out + "]}";
}

} // namespace

std::optional<wire> wire_for_type(std::string_view type) {
  if (type == "openai" || type == "openai_compatible")
    return wire::openai;
  if (type == "claude")
    return wire::claude;
  if (type == "gemini")
    return wire::gemini;
  if (type == "ollama")
    return wire::ollama;
  return std::nullopt;
}

bool is_relay(const call_input& in) {
  auto w = wire_of(in);
  return (in.client == dialect::openai && w == wire::openai)
         || (in.client == dialect::anthropic && w == wire::claude);
}

expected<prepared_call> prepare_call(const call_input& in) {
  prepared_call call;
  auto& req = call.request;
  std::string url;
  std::string body;
  auto w = wire_of(in);
  if (is_relay(in)) {
    if (w == wire::openai) {
      openai::upstream_options opts;
      opts.model = in.model;
      opts.stream = in.stream;
      opts.compatible = in.account_type == "openai_compatible";
      body = openai::build_upstream_body(*in.body, in.soul, opts);
      url = openai::chat_url(in.base_url);
    } else {
      body = claude::build_relay_body(*in.body, in.soul, in.model);
      if (in.subscription)
        body = claude::subscription_body(body, in.system_user_merge);
      url = claude::messages_url(in.base_url);
    }
  } else {
    auto canonical = canonical_of(in);
    if (!canonical)
      return canonical.error();
    auto& r = *canonical;
    r.stream = in.stream;
    expected<std::string> built = std::string{};
    switch (w) {
      case wire::claude:
        built = claude::build_body(r);
        if (built && in.subscription)
          built = claude::subscription_body(*built, in.system_user_merge);
        url = claude::messages_url(in.base_url);
        break;
      case wire::gemini:
        built = gemini::build_body(r);
        if (built && in.subscription) {
          built = gemini::wrap_for_code_assist(*built, in.model, in.project_id);
          url = gemini::code_assist_url(in.base_url, in.stream);
        } else {
          url = gemini::generate_url(in.base_url, in.model, in.stream);
        }
        break;
      case wire::chatgpt:
        built = chatgpt::build_body(r);
        url = chatgpt::responses_url(in.base_url);
        break;
      case wire::ollama:
        built = ollama::build_body(r);
        url = ollama::chat_url(in.base_url);
        call.frame = framing::ndjson;
        break;
      case wire::openai:
        built = openai::build_body(r, in.account_type == "openai_compatible");
        url = openai::chat_url(in.base_url);
        break;
    }
    if (!built)
      return built.error();
    body = std::move(*built);
    call.dropped = std::move(r.dropped);
  }
  auto parsed = parse_url(url);
  if (!parsed)
    return fail(errc::upstream_failed,
                "bad base_url: " + parsed.error().message);
  req.url = std::move(*parsed);
  req.body = std::move(body);
  // The Codex backend streams whatever the client asked for.
  bool streamed = in.stream || w == wire::chatgpt;
  add_headers(req, in, w,
              !streamed                    ? "application/json"
              : call.frame == framing::sse ? "text/event-stream"
                                           : "application/x-ndjson");
  return call;
}

std::optional<prepared_call> prepare_count_tokens(const call_input& in) {
  if (wire_of(in) != wire::claude)
    return std::nullopt;
  auto relay
    = json::parse(claude::build_relay_body(*in.body, in.soul, in.model));
  if (!relay)
    return std::nullopt;
  // count_tokens refuses the generation-only fields.
  json::document body;
  body.SetObject();
  auto& a = body.GetAllocator();
  for (auto& m : relay->GetObject()) {
    std::string_view name{m.name.GetString(), m.name.GetStringLength()};
    if (name == "model" || name == "messages" || name == "system"
        || name == "tools" || name == "tool_choice" || name == "thinking"
        || name == "mcp_servers")
      body.AddMember(json::value{m.name, a}, json::value{m.value, a}, a);
  }
  auto url = parse_url(claude::messages_url(in.base_url) + "/count_tokens");
  if (!url)
    return std::nullopt;
  prepared_call call;
  call.request.url = std::move(*url);
  call.request.body = json::to_string(body);
  add_headers(call.request, in, wire::claude, "application/json");
  return call;
}

int64_t estimate_input_tokens(const json::value& body, const soul_edits* soul) {
  // About four bytes of text per token for English prose and code; the
  // answer says it is an estimate.
  size_t bytes = soul != nullptr ? soul->system_prompt.size() : 0;
  for (auto* name : {"system", "messages", "tools"})
    if (auto* v = json::find(body, name))
      bytes += json::to_string(*v).size();
  return static_cast<int64_t>((bytes + 3) / 4);
}

namespace {

std::unique_ptr<stream_translator> plain_translator(const call_input& in) {
  if (is_relay(in)) {
    if (in.client == dialect::openai)
      return std::make_unique<openai_relay>(in);
    return std::make_unique<claude_relay>(in);
  }
  if (in.client == dialect::anthropic)
    return std::make_unique<translated<anthropic::event_encoder>>(in);
  return std::make_unique<translated<openai::chunk_encoder>>(in);
}

} // namespace

std::unique_ptr<stream_translator>
make_stream_translator(const call_input& in) {
  auto plain = plain_translator(in);
  if (auto schema = applied_schema(in); !schema.empty())
    return std::make_unique<schema_checked>(std::move(plain), in,
                                            std::move(schema));
  return plain;
}

unsigned effective_status(std::string_view type, unsigned status,
                          std::string_view body) {
  if (status == 400 && wire_for_type(type) == wire::gemini
      && (body.find("API_KEY_INVALID") != std::string_view::npos
          || body.find("API key not valid") != std::string_view::npos))
    return 401;
  return status;
}

expected<parsed_answer> read_answer(const call_input& in,
                                    std::string_view body) {
  parsed_answer out;
  if (is_relay(in) && in.client == dialect::openai) {
    auto c = openai::parse_completion(body);
    if (!c)
      return c.error();
    out.model = c->model;
    out.finish_reason = c->finish_reason;
    out.usage = c->usage;
    out.upstream = std::make_shared<json::document>(std::move(c->doc));
    return out;
  }
  auto events = decode_whole(in, body);
  if (!events)
    return events.error();
  auto a = std::make_shared<answer>(accumulate(*events));
  if (a->error)
    return fail(errc::upstream_failed, *a->error);
  out.model = a->model;
  out.finish_reason = a->finish_reason;
  out.usage = a->usage;
  out.assembled = std::move(a);
  return out;
}

std::string applied_schema(const call_input& in) {
  if (in.body != nullptr && in.client == dialect::openai)
    if (auto* rf = json::find(*in.body, "response_format")) {
      // The client chose a format: only its own schema applies.
      if (json::get_string(*rf, "type").value_or("") == "json_schema")
        if (auto* js = json::find(*rf, "json_schema"))
          if (auto* schema = json::find(*js, "schema"))
            return json::to_string(*schema);
      return {};
    }
  if (in.body != nullptr && in.client == dialect::openai)
    if (auto* rs = json::find(*in.body, "response_schema");
        rs && rs->IsObject())
      return json::to_string(*rs); // the original's own field
  return in.soul != nullptr ? in.soul->response_schema : std::string{};
}

expected<std::string> render_answer(const call_input& in, std::string_view body,
                                    parsed_answer& parsed,
                                    gateway_facts facts) {
  if (auto schema = applied_schema(in); !schema.empty()) {
    std::string text;
    if (parsed.upstream) {
      auto& doc = *parsed.upstream;
      if (auto* choices = json::find(doc, "choices");
          choices && choices->IsArray() && !choices->Empty())
        if (auto* msg = json::find((*choices)[0], "message"))
          text = json::get_string(*msg, "content").value_or("");
    } else if (parsed.assembled) {
      text = answer_text(*parsed.assembled);
    }
    facts.schema_valid = json_schema::check_text(schema, text);
  }
  if (is_relay(in) && in.client == dialect::anthropic) {
    // Claude's own message, unchanged but for the verdict.
    std::string out{body};
    if (facts.schema_valid)
      splice_verdict(out, *facts.schema_valid);
    return out;
  }
  if (parsed.upstream) {
    openai::completion c;
    c.doc = std::move(*parsed.upstream);
    c.body_size = body.size();
    openai::gateway_facts f;
    f.request_id = facts.request_id;
    f.soul = facts.soul;
    f.provider = facts.provider;
    f.provider_type = facts.provider_type;
    f.cost_cents = facts.cost_cents;
    f.attempts_json = facts.attempts_json;
    f.fallback_attempts_json = facts.fallback_attempts_json;
    f.schema_valid = facts.schema_valid;
    return openai::render_completion(c, f);
  }
  if (!parsed.assembled)
    return fail(errc::internal, "render_answer without a parsed answer");
  auto& a = *parsed.assembled;
  if (in.client == dialect::anthropic) {
    auto out = anthropic::render_answer(a, answer_ctx(in));
    if (facts.schema_valid)
      splice_verdict(out, *facts.schema_valid);
    return out;
  }
  auto out = openai::render_answer(a, answer_ctx(in));
  // Splice `_openhinge` in before the closing brace.
  out.pop_back();
  out += ",\"_openhinge\":" + facts_json(facts) + "}";
  return out;
}

} // namespace oh::providers
