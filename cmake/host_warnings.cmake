# Compiler flags for every host build: C11, warnings as errors, and the optional sanitizer and coverage
# passes selected with -DIRRIGATION_SANITIZE=ON / -DIRRIGATION_COVERAGE=ON (never both).
include_guard(GLOBAL)
set(CMAKE_C_STANDARD 11)
set(CMAKE_C_STANDARD_REQUIRED ON)
set(CMAKE_C_EXTENSIONS OFF)
add_compile_options(-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes)
option(IRRIGATION_SANITIZE "Build with AddressSanitizer + UndefinedBehaviorSanitizer" OFF)
option(IRRIGATION_COVERAGE "Build with gcov instrumentation" OFF)
if(IRRIGATION_SANITIZE AND IRRIGATION_COVERAGE)
    message(FATAL_ERROR "IRRIGATION_SANITIZE and IRRIGATION_COVERAGE are separate passes")
endif()
if(IRRIGATION_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g)
    add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
endif()
if(IRRIGATION_COVERAGE)
    # Atomic counters: tests with several threads (the simulator's, the executor's) otherwise race on the
    # counters and gcov reports negative branch counts, which gcovr refuses (GCC bug 68080).
    add_compile_options(--coverage -fprofile-update=atomic -O0 -g)
    add_link_options(--coverage)
endif()
