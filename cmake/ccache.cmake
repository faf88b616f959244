# ccache speeds up rebuilds on the 2-core machines; the sloppiness settings let
# it cache translation units that use a precompiled header.
find_program(OH_CCACHE ccache)
if(OH_CCACHE)
  set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env
      "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
      ${OH_CCACHE})
endif()
