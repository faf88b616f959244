// The one translation unit that compiles Boost.Asio and Boost.Beast
// (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION), so
// every other file only parses their declarations.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>

// Beast 1.81's chunked-body parser asserts that a last chunk ("0\r\n")
// waiting for its trailer comes back with at least 5 bytes, but a peer
// that sends the closing "\r\n" a byte at a time gives it 4: any build
// with assertions (Debug, the sanitizer runs) aborted on such a request or
// upstream answer (found by test/fuzz; boostorg/beast#2861, fixed in Boost
// 1.86). The code after the assertion handles it, as release builds show.
// So the parser's own definitions (basic_parser.ipp, where its two
// instantiations live) are compiled without Beast's assertions; every
// header they use is included first and keeps them.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#define BOOST_DISABLE_ASSERTS
#include <boost/assert.hpp>
// Set as src.hpp sets it: the file's explicit instantiations of the two
// parsers are made here, since src.hpp will find it already included.
#define BOOST_BEAST_SOURCE
#include <boost/beast/http/impl/basic_parser.ipp>
#undef BOOST_DISABLE_ASSERTS
#include <boost/assert.hpp>

#include <boost/beast/src.hpp>
