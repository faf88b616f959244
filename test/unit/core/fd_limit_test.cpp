#include <limits>

#include <gtest/gtest.h>

#include "core/fd_limit.hpp"

using namespace oh;

TEST(FdLimit, ConnectionsKeepHalfOfTheRestForUpstreamSockets) {
  // ulimit -n 256: 64 reserved, 96 clients, 96 upstream sockets.
  EXPECT_EQ(fd_limit::connection_cap(10'000, 256, 64), 96u);
  EXPECT_EQ(fd_limit::connection_cap(10'000, 1'048'576, 64), 10'000u);
}

TEST(FdLimit, CapIsNeverZeroNorAboveTheConfiguredValue) {
  EXPECT_EQ(fd_limit::connection_cap(10'000, 10, 64), 1u);
  EXPECT_EQ(fd_limit::connection_cap(50, 256, 64), 50u);
  EXPECT_EQ(
    fd_limit::connection_cap(7, std::numeric_limits<uint64_t>::max(), 64), 7u);
}

TEST(FdLimit, RaisingGivesAtLeastTheSoftLimitThereWas) {
  auto now = fd_limit::raise_to_hard();
  EXPECT_GE(now, 16u);
  EXPECT_EQ(fd_limit::raise_to_hard(), now); // idempotent
}
