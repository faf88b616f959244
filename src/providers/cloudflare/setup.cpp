#include "providers/cloudflare/setup.hpp"

namespace oh::providers::cloudflare {

const std::vector<std::string>& setup_step_names() {
  static const std::vector<std::string> names{"zone", "tunnel", "ingress",
                                              "dns", "token"};
  return names;
}

const json::value* zone_for(const json::value& zones,
                            const std::string& hostname) {
  const json::value* best = nullptr;
  size_t best_length = 0;
  if (!zones.IsArray())
    return nullptr;
  for (auto& z : zones.GetArray()) {
    auto name = json::get_string(z, "name").value_or("");
    if (name.empty())
      continue;
    bool covers
      = hostname == name
        || (hostname.size() > name.size() && hostname.ends_with("." + name));
    if (covers && name.size() > best_length) {
      best = &z;
      best_length = name.size();
    }
  }
  return best;
}

std::string ingress_config(const std::string& hostname, uint16_t public_port) {
  std::string out = R"({"config":{"ingress":[{"hostname":)";
  json::append_quoted(out, hostname);
  out += R"(,"service":"http://127.0.0.1:)" + std::to_string(public_port)
         + R"("},{"service":"http_status:404"}]}})";
  return out;
}

std::string outcome_json(const setup_outcome& o) {
  std::string out = "{\"ok\":";
  out += o.ok ? "true" : "false";
  out += ",\"steps\":[";
  for (size_t i = 0; i < o.steps.size(); ++i) {
    if (i > 0)
      out += ",";
    out += "{\"step\":";
    json::append_quoted(out, o.steps[i].name);
    out += ",\"status\":";
    json::append_quoted(out, o.steps[i].status);
    out += ",\"detail\":";
    json::append_quoted(out, o.steps[i].detail);
    out += "}";
  }
  out += "],\"created\":[";
  for (size_t i = 0; i < o.created.size(); ++i) {
    if (i > 0)
      out += ",";
    json::append_quoted(out, o.created[i]);
  }
  out += "]";
  auto field = [&](const char* name, const std::string& v) {
    out += ",\"";
    out += name;
    out += "\":";
    if (v.empty())
      out += "null";
    else
      json::append_quoted(out, v);
  };
  field("account_id", o.account_id);
  field("zone_id", o.zone_id);
  field("zone_name", o.zone_name);
  field("tunnel_id", o.tunnel_id);
  field("tunnel_name", o.tunnel_name);
  field("dns_record_id", o.dns_record_id);
  return out + "}";
}

namespace {

/// One run: each step calls the next from its answer's callback.
class setup_run : public std::enable_shared_from_this<setup_run> {
public:
  setup_run(std::shared_ptr<const api> client, setup_request request,
            std::function<void(setup_outcome)> done)
    : client_(std::move(client)), req_(std::move(request)),
      done_(std::move(done)) {
    out_.tunnel_name = req_.tunnel_name;
  }

  void start() {
    auto self = shared_from_this();
    client_->list("/zones", "", [self](api_result r) {
      self->on_zones(std::move(r));
    });
  }

private:
  void step(const std::string& name, const std::string& status,
            const std::string& detail) {
    out_.steps.push_back({name, status, detail});
  }

  /// Ends the run at `name` with `why`; later steps are reported skipped.
  void fail_at(const std::string& name, const std::string& why) {
    step(name, "failed", why);
    bool after = false;
    for (auto& n : setup_step_names()) {
      if (after)
        step(n, "skipped", "");
      after = after || n == name;
    }
    out_.ok = false;
    finish();
  }

  void finish() {
    auto done = std::move(done_);
    done(std::move(out_));
  }

  static std::string why(const api_result& r) {
    return r.code != 0
             ? r.error + " (Cloudflare code " + std::to_string(r.code) + ")"
             : r.error;
  }

  std::string account_path() const {
    return "/accounts/" + query_value(out_.account_id) + "/cfd_tunnel";
  }

  void on_zones(api_result r) {
    if (!r.ok) {
      fail_at("zone", "listing the zones failed: " + why(r));
      return;
    }
    auto* zone = zone_for(*r.result, req_.hostname);
    if (zone == nullptr) {
      std::string names;
      if (r.result->IsArray())
        for (auto& z : r.result->GetArray())
          names += (names.empty() ? "" : ", ")
                   + json::get_string(z, "name").value_or("?");
      fail_at("zone", "no zone this token can reach holds " + req_.hostname
                        + (names.empty() ? " (the token sees no zone)"
                                         : " (zones: " + names + ")"));
      return;
    }
    out_.zone_id = json::get_string(*zone, "id").value_or("");
    out_.zone_name = json::get_string(*zone, "name").value_or("");
    if (auto* account = json::find(*zone, "account");
        account && account->IsObject())
      out_.account_id = json::get_string(*account, "id").value_or("");
    if (out_.zone_id.empty() || out_.account_id.empty()) {
      fail_at("zone",
              "the zone " + out_.zone_name + " came without its id or account");
      return;
    }
    step("zone", "found",
         out_.zone_name + " (account " + out_.account_id + ")");
    auto self = shared_from_this();
    client_->list(account_path(),
                  "is_deleted=false&name=" + query_value(req_.tunnel_name),
                  [self](api_result t) {
                    self->on_tunnels(std::move(t));
                  });
  }

  void on_tunnels(api_result r) {
    if (!r.ok) {
      fail_at("tunnel", "listing the tunnels failed: " + why(r));
      return;
    }
    const json::value* found = nullptr;
    if (r.result->IsArray())
      for (auto& t : r.result->GetArray()) {
        auto id = json::get_string(t, "id").value_or("");
        auto name = json::get_string(t, "name").value_or("");
        // The tunnel of an earlier run first, else the one of this name.
        if (!req_.tunnel_id.empty() && id == req_.tunnel_id) {
          found = &t;
          break;
        }
        if (name == req_.tunnel_name && found == nullptr)
          found = &t;
      }
    if (found != nullptr) {
      out_.tunnel_id = json::get_string(*found, "id").value_or("");
      out_.tunnel_name = json::get_string(*found, "name").value_or("");
      step("tunnel", "found", out_.tunnel_name + " (" + out_.tunnel_id + ")");
      put_ingress();
      return;
    }
    std::string body = "{\"name\":";
    json::append_quoted(body, req_.tunnel_name);
    body += ",\"config_src\":\"cloudflare\"}";
    auto self = shared_from_this();
    client_->call("POST", account_path(), body, [self](api_result c) {
      self->on_tunnel_created(std::move(c));
    });
  }

  void on_tunnel_created(api_result r) {
    if (!r.ok || !r.result->IsObject()) {
      fail_at("tunnel",
              "creating the tunnel " + req_.tunnel_name + " failed: " + why(r));
      return;
    }
    out_.tunnel_id = json::get_string(*r.result, "id").value_or("");
    out_.tunnel_name
      = json::get_string(*r.result, "name").value_or(req_.tunnel_name);
    out_.created.push_back("tunnel " + out_.tunnel_name + " (" + out_.tunnel_id
                           + ")");
    step("tunnel", "created", out_.tunnel_name + " (" + out_.tunnel_id + ")");
    put_ingress();
  }

  std::string tunnel_path() const {
    return account_path() + "/" + query_value(out_.tunnel_id);
  }

  void put_ingress() {
    auto self = shared_from_this();
    client_->call("GET", tunnel_path() + "/configurations", {},
                  [self](api_result current) {
                    self->on_current_ingress(std::move(current));
                  });
  }

  void on_current_ingress(api_result current) {
    auto wanted = ingress_config(req_.hostname, req_.public_port);
    if (current.ok && current.result && current.result->IsObject()) {
      // Unchanged when the stored ingress is exactly ours.
      if (auto* cfg = json::find(*current.result, "config")) {
        auto want = json::parse(wanted);
        if (want
            && json::to_string(*cfg) == json::to_string((*want)["config"])) {
          step("ingress", "unchanged", ingress_detail());
          find_dns();
          return;
        }
      }
    }
    auto self = shared_from_this();
    client_->call(
      "PUT", tunnel_path() + "/configurations", wanted, [self](api_result r) {
        if (!r.ok) {
          self->fail_at("ingress", "writing the ingress failed: " + why(r));
          return;
        }
        self->step("ingress", "updated", self->ingress_detail());
        self->find_dns();
      });
  }

  std::string ingress_detail() const {
    return req_.hostname + " → http://127.0.0.1:"
           + std::to_string(req_.public_port) + ", everything else 404";
  }

  std::string cname_target() const {
    return out_.tunnel_id + ".cfargotunnel.com";
  }

  void find_dns() {
    auto self = shared_from_this();
    client_->list("/zones/" + query_value(out_.zone_id) + "/dns_records",
                  "name=" + query_value(req_.hostname), [self](api_result r) {
                    self->on_dns(std::move(r));
                  });
  }

  void on_dns(api_result r) {
    if (!r.ok) {
      fail_at("dns", "listing the DNS records failed: " + why(r));
      return;
    }
    const json::value* cname = nullptr;
    if (r.result->IsArray())
      for (auto& rec : r.result->GetArray()) {
        if (json::get_string(rec, "name").value_or("") != req_.hostname)
          continue;
        auto type = json::get_string(rec, "type").value_or("");
        if (type == "CNAME") {
          cname = &rec;
          continue;
        }
        if (type == "A" || type == "AAAA") {
          // Someone else's record: never replaced behind their back.
          fail_at("dns", req_.hostname + " already has an " + type
                           + " record; remove it in Cloudflare or choose "
                             "another hostname");
          return;
        }
      }
    std::string body = R"({"type":"CNAME","name":)";
    json::append_quoted(body, req_.hostname);
    body += ",\"content\":";
    json::append_quoted(body, cname_target());
    body += R"(,"proxied":true,"ttl":1})";
    auto records = "/zones/" + query_value(out_.zone_id) + "/dns_records";
    auto self = shared_from_this();
    if (cname != nullptr) {
      out_.dns_record_id = json::get_string(*cname, "id").value_or("");
      auto* proxied = json::find(*cname, "proxied");
      if (json::get_string(*cname, "content").value_or("") == cname_target()
          && proxied && proxied->IsBool() && proxied->GetBool()) {
        step("dns", "unchanged",
             "CNAME " + req_.hostname + " → " + cname_target() + " (proxied)");
        fetch_token();
        return;
      }
      client_->call("PATCH", records + "/" + query_value(out_.dns_record_id),
                    body, [self](api_result u) {
                      if (!u.ok) {
                        self->fail_at("dns",
                                      "updating the CNAME failed: " + why(u));
                        return;
                      }
                      self->step("dns", "updated",
                                 "CNAME " + self->req_.hostname + " → "
                                   + self->cname_target() + " (proxied)");
                      self->fetch_token();
                    });
      return;
    }
    client_->call("POST", records, body, [self](api_result c) {
      if (!c.ok || !c.result->IsObject()) {
        self->fail_at("dns", "creating the CNAME failed: " + why(c));
        return;
      }
      self->out_.dns_record_id = json::get_string(*c.result, "id").value_or("");
      self->out_.created.push_back("CNAME " + self->req_.hostname);
      self->step("dns", "created",
                 "CNAME " + self->req_.hostname + " → " + self->cname_target()
                   + " (proxied)");
      self->fetch_token();
    });
  }

  void fetch_token() {
    auto self = shared_from_this();
    client_->call("GET", tunnel_path() + "/token", {}, [self](api_result r) {
      if (!r.ok || !r.result->IsString() || r.result->GetStringLength() == 0) {
        self->fail_at(
          "token", "fetching the tunnel's run token failed: "
                     + (r.ok ? std::string{"no token in the answer"} : why(r)));
        return;
      }
      self->out_.tunnel_token = r.result->GetString();
      self->step("token", "done", "run token fetched (kept encrypted)");
      self->out_.ok = true;
      self->finish();
    });
  }

  std::shared_ptr<const api> client_;
  setup_request req_;
  std::function<void(setup_outcome)> done_;
  setup_outcome out_;
};

} // namespace

void run_setup(std::shared_ptr<const api> client, setup_request request,
               std::function<void(setup_outcome)> done) {
  auto run = std::make_shared<setup_run>(std::move(client), std::move(request),
                                         std::move(done));
  run->start();
}

} // namespace oh::providers::cloudflare
