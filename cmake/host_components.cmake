# Adds the platform-free components (domain, application) to a host (non-ESP-IDF) CMake build.
# Included by host_tests/ and simulator/; safe to include from both in one build.
include_guard(GLOBAL)
get_filename_component(IRRIGATION_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
if(NOT TARGET domain)
    add_subdirectory(${IRRIGATION_ROOT}/components/domain ${CMAKE_BINARY_DIR}/components/domain)
endif()
if(NOT TARGET application)
    add_subdirectory(${IRRIGATION_ROOT}/components/application ${CMAKE_BINARY_DIR}/components/application)
endif()
