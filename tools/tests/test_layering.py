"""The layering check: no platform header in components/domain or components/application."""

from pathlib import Path

import pytest

from irrigation_tools import layering


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def violations(root):
    return [(v.path.relative_to(root).as_posix(), v.line, v.header) for v in layering.check_tree(root)]


@pytest.fixture
def tree(tmp_path):
    write(tmp_path, "components/domain/include/domain/retry.h", "#include <stdint.h>\n#include <stdbool.h>\n")
    write(tmp_path, "components/domain/src/retry.c", '#include "domain/retry.h"\n#include <string.h>\n')
    write(tmp_path, "components/application/src/app.c", '#include "application/app.h"\n#include "domain/retry.h"\n')
    return tmp_path


def test_clean_tree_passes(tree):
    assert violations(tree) == []


@pytest.mark.parametrize(
    "header",
    ["esp_log.h", "freertos/FreeRTOS.h", "pthread.h", "unistd.h", "sys/socket.h", "MQTTAsync.h", "microhttpd.h",
     "sdkconfig.h", "cmocka.h"],
)
def test_platform_header_in_domain_is_reported_with_its_line(tree, header):
    write(tree, "components/domain/src/bad.c", f"#include <stdint.h>\n\n#include <{header}>\n")
    assert violations(tree) == [("components/domain/src/bad.c", 3, header)]


def test_platform_header_in_application_is_reported(tree):
    write(tree, "components/application/include/application/app.h", '#include "esp_err.h"\n')
    assert violations(tree) == [("components/application/include/application/app.h", 1, "esp_err.h")]


def test_domain_must_not_include_application(tree):
    write(tree, "components/domain/src/up.c", '#include "application/app.h"\n')
    assert violations(tree) == [("components/domain/src/up.c", 1, "application/app.h")]


def test_includes_in_comments_are_ignored(tree):
    text = "/* #include <esp_log.h>\n#include <pthread.h> */\n// #include <unistd.h>\n"
    write(tree, "components/domain/src/c.c", text)
    assert violations(tree) == []


def test_spacing_after_hash_does_not_hide_an_include(tree):
    write(tree, "components/domain/src/s.c", "#  include   <pthread.h>\n")
    assert violations(tree) == [("components/domain/src/s.c", 1, "pthread.h")]


def test_private_header_of_the_same_component_is_allowed(tree):
    write(tree, "components/domain/src/json_internal.h", "#include <stddef.h>\n")
    write(tree, "components/domain/src/json.c", '#include "json_internal.h"\n')
    assert violations(tree) == []


def test_main_reports_each_violation_and_fails(tree, capsys):
    write(tree, "components/domain/src/bad.c", "#include <esp_timer.h>\n")
    assert layering.main([str(tree)]) == 1
    out = capsys.readouterr().out
    assert "components/domain/src/bad.c:1: includes esp_timer.h: the domain layer" in out


def test_main_passes_on_a_clean_tree(tree, capsys):
    assert layering.main([str(tree)]) == 0
    assert "layering: ok" in capsys.readouterr().out
