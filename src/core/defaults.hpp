#pragma once

#include <cstddef>
#include <cstdint>

// Built-in defaults: the lowest rank of configuration (SPEC §2).
namespace oh::defaults {

inline constexpr const char* host = "127.0.0.1";
inline constexpr uint16_t port = 3700;
inline constexpr const char* data_dir = "./data";
inline constexpr const char* db_file = "openhinge.db";
inline constexpr const char* encryption_key_file = "encryption.key";
inline constexpr const char* admin_token_file = "admin.token";
inline constexpr const char* port_file = "port";
inline constexpr const char* config_file = "./config/openhinge.json";

inline constexpr size_t max_body_bytes = 8 * 1024 * 1024;
inline constexpr size_t max_header_bytes = 16 * 1024;
inline constexpr size_t max_connections = 10'000;

// Server-side read timeouts (SPEC §3).
inline constexpr uint32_t header_timeout_ms = 10'000;
inline constexpr uint32_t body_idle_timeout_ms = 30'000;
inline constexpr uint32_t keepalive_idle_timeout_ms = 60'000;
inline constexpr uint32_t write_timeout_ms = 30'000;
// A request's head and body must arrive within this, however steadily the
// bytes trickle (the idle timeouts alone let one byte per 29 s hold a
// socket for ever).
inline constexpr uint32_t request_timeout_ms = 120'000;

// Upstream answers are bounded too (SPEC §3): a whole non-streamed answer,
// and one SSE event or NDJSON line of a stream.
inline constexpr uint64_t max_upstream_body_bytes = 32ull * 1024 * 1024;
inline constexpr uint64_t max_upstream_event_bytes = 4ull * 1024 * 1024;
// Descriptors kept back from client connections: upstream sockets, the
// database and its WAL, the log, the listener (src/main.cpp).
inline constexpr uint64_t fd_reserve = 64;

// Upstream timeouts per account (SPEC §6.4).
inline constexpr uint32_t connect_timeout_ms = 5'000;
inline constexpr uint32_t timeout_ms = 120'000;
inline constexpr uint32_t stream_timeout_ms = 60'000;
inline constexpr uint32_t idle_timeout_ms = 60'000;
inline constexpr uint32_t max_stream_ms = 1'800'000;
inline constexpr uint32_t stream_heartbeat_s = 10;

// How often freed heap memory goes back to the system (core/memory_trim).
inline constexpr uint32_t memory_trim_interval_ms = 10'000;

inline constexpr uint32_t drain_seconds = 30;
inline constexpr uint32_t max_attempts = 3;
inline constexpr uint32_t breaker_failures = 5;
inline constexpr uint32_t breaker_cooldown_s = 30;
inline constexpr uint32_t health_interval_s = 60;
inline constexpr uint32_t log_retention_days = 90;

// API keys.
inline constexpr int64_t rate_limit_rpm = 60;
inline constexpr size_t key_prefix_length = 12;

// How long an admin call may wait for the store and registry actors.
inline constexpr uint32_t admin_call_timeout_ms = 10'000;

} // namespace oh::defaults
