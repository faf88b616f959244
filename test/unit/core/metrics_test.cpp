#include <gtest/gtest.h>

#include "core/metrics.hpp"

using namespace oh::metrics;

TEST(Metrics, RendersCountersGaugesAndHistogramsInTextFormat) {
  registry reg;
  auto& c = reg.counter("t_requests_total", "Requests.");
  c.add({{"status", "200"}, {"provider", "a\"b"}});
  c.add({{"status", "200"}, {"provider", "a\"b"}}, 2);
  auto& g = reg.gauge("t_open", "Open.");
  g.set({}, 3);
  auto& h = reg.histogram("t_seconds", "Latency.", {0.1, 1});
  h.observe({{"p", "x"}}, 0.05);
  h.observe({{"p", "x"}}, 0.5);
  h.observe({{"p", "x"}}, 5);
  reg.computed("t_rss", "RSS.", "gauge", [] {
    return std::vector<std::pair<labels, double>>{{{}, 42}};
  });
  auto text = reg.render();
  EXPECT_NE(text.find("# TYPE t_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find(R"(t_requests_total{status="200",provider="a\"b"} 3)"),
            std::string::npos)
    << text;
  EXPECT_NE(text.find("t_open 3\n"), std::string::npos);
  EXPECT_NE(text.find(R"(t_seconds_bucket{p="x",le="0.1"} 1)"),
            std::string::npos)
    << text;
  EXPECT_NE(text.find(R"(t_seconds_bucket{p="x",le="1"} 2)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(t_seconds_bucket{p="x",le="+Inf"} 3)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(t_seconds_count{p="x"} 3)"), std::string::npos);
  EXPECT_NE(text.find("t_rss 42\n"), std::string::npos);
}

TEST(Metrics, UnknownModelsAreBoundedToOther) {
  EXPECT_EQ(bounded("gpt-4o", true), "gpt-4o");
  EXPECT_EQ(bounded("anything-a-client-invents", false), "other");
}

TEST(Metrics, UpdatesFromViewsOfTemporariesLandInOneSeries) {
  registry reg;
  auto& c = reg.counter("t_total", "T.");
  for (int i = 0; i < 3; ++i) {
    std::string provider = "acct";
    c.add({{"status", std::to_string(200)}, {"provider", provider}});
  }
  auto& g = reg.gauge("t_gauge", "G.");
  g.add({{"k", "v"}}, 2);
  g.add({{"k", "v"}}, -1);
  auto text = reg.render();
  EXPECT_NE(text.find(R"(t_total{status="200",provider="acct"} 3)"),
            std::string::npos)
    << text;
  EXPECT_NE(text.find(R"(t_gauge{k="v"} 1)"), std::string::npos) << text;
  EXPECT_EQ(render_labels(label_list{{"a", "x\ny"}}), "{a=\"x\\ny\"}");
}
