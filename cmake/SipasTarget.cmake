# Options every target of the project's own code gets: strict warnings and the
# module-path include root (#include "questionnaires/questionnaire.hpp").
function(sipas_target_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wpedantic -Wshadow
                                           -Wnon-virtual-dtor -Wold-style-cast)
  # GCC 12 reports std::string concatenation at -O3 as overlapping memcpy, a
  # known false positive inside libstdc++ (GCC bug 105651).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
endfunction()

function(sipas_library name)
  add_library(${name} STATIC ${ARGN})
  add_library(sipas::${name} ALIAS ${name})
  sipas_target_options(${name})
endfunction()

# sipas_precompile(target header...): headers that many files of the target
# include, parsed once for the target instead of once a file. Only third-party
# headers, so a file still has to include what it uses of the project. Not
# with a compiler launcher (ccache cannot cache a file built with a
# precompiled header, and its cache already skips the parsing).
function(sipas_precompile target)
  if(SIPAS_PCH AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    target_precompile_headers(${target} PRIVATE ${ARGN})
  endif()
endfunction()
