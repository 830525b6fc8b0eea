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
