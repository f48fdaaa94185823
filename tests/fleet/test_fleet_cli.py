"""The command line: `fleet` is dispatched, the template build stays as it was."""

from __future__ import annotations

import pytest

from generator.cli import main


def test_fleet_help_names_options_and_exit_status(capsys):
    with pytest.raises(SystemExit) as done:
        main(["fleet", "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert "fleet [-h] --distributor-stack NAME" in text
    for words in ("--region", "--prefix", "--json", "--since", "exit status: 0", "|| exit 1"):
        assert words in text


def test_build_help_points_to_fleet(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "fleet --help" in capsys.readouterr().out


def test_bad_since_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as done:
        main(["fleet", "--distributor-stack", "x", "--since", "yesterday"])
    assert done.value.code == 2
    assert "not an ISO 8601 date or time: 'yesterday'" in capsys.readouterr().err


def test_stack_is_required(capsys):
    with pytest.raises(SystemExit) as done:
        main(["fleet"])
    assert done.value.code == 2
    assert "--distributor-stack" in capsys.readouterr().err


@pytest.mark.parametrize("rows", ["1", "100001", "ten"])
def test_query_rows_outside_what_start_query_takes_is_a_usage_error(capsys, rows):
    with pytest.raises(SystemExit) as done:
        main(["fleet", "--distributor-stack", "x", "--query-rows", rows])
    assert done.value.code == 2
    assert f"not a number from 2 to 100000: '{rows}'" in capsys.readouterr().err
