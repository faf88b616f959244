#pragma once

// Beast's basic_parser as the gateway compiles it (src/providers/
// asio_impl.cpp): the parser's own definitions without Beast's assertions,
// one of which is wrong (boostorg/beast#2861); every header they use keeps
// its assertions. The fuzz build compiles Beast header-only, so the
// definitions arrive with basic_parser.hpp, included last.

#include <boost/asio/buffer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http/detail/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/verb.hpp>
#define BOOST_DISABLE_ASSERTS
#include <boost/assert.hpp>
#include <boost/beast/http/basic_parser.hpp>
#undef BOOST_DISABLE_ASSERTS
#include <boost/assert.hpp>
