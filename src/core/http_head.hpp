#pragma once

// The head (start line and header section) of an HTTP/1.1 message, written
// by hand: the server's complete responses and the upstream client's
// requests are sent as this head plus the body, two buffers in one write.
// Beast's serializer walks a chain of buffer views per header and showed up
// at ~5 % of the gateway's CPU (docs/performance.md); these are the only
// shapes the gateway sends.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oh::http_head {

using header_list = std::vector<std::pair<std::string, std::string>>;

/// `HTTP/1.1 <status> <reason>`, Content-Type, `headers`, Connection and
/// Content-Length (chunked when `content_length` is empty). Headers the
/// framing owns (Content-Length, Transfer-Encoding, Connection, Host) are
/// taken from the arguments, never from `headers`; of a name given twice the
/// last one is sent. `head_lines` (see append_line) follow `headers` as they
/// are.
std::string response(unsigned status, std::string_view content_type,
                     const header_list& headers, bool keep_alive,
                     std::optional<size_t> content_length,
                     std::string_view head_lines = {});

/// Appends `name: value\r\n`. CR, LF and NUL in either become spaces: a
/// value that carries client text (a dropped parameter's name) cannot start
/// a header of its own or split the response.
void append_line(std::string& out, std::string_view name,
                 std::string_view value);

/// `<method> <target> HTTP/1.1`, Host, `headers`, User-Agent (`user_agent`
/// unless `headers` has one) and Content-Length (for a body, or any
/// POST/PUT/PATCH), with the same rules for `headers` as response(). The
/// connection stays open (HTTP/1.1 default).
std::string request(std::string_view method, std::string_view target,
                    std::string_view host, std::string_view user_agent,
                    const header_list& headers, size_t body_length);

/// Whether a response with this status carries a body (not 1xx, 204, 304).
bool has_body(unsigned status);

/// The first transfer coding in a Transfer-Encoding value that is not
/// `chunked` (the only one we implement; RFC 9112 §6.1: 501), or "" when
/// every coding listed is chunked.
std::string_view unsupported_transfer_coding(std::string_view value);

/// The reason phrase of a status code ("OK", "Not Found", …).
std::string_view reason(unsigned status);

} // namespace oh::http_head
