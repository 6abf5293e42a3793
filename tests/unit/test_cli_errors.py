"""The command line reports wrong config and busy ports in one line, never with a traceback."""

import socket

import pytest

from pipeline.cli import main


def test_wrong_config_names_the_variable(monkeypatch, capsys):
    monkeypatch.setenv("VELORA_TOP_N_TRACKED", "lots")
    assert main(["demo", "--no-seed"]) == 2
    err = capsys.readouterr().err
    assert "VELORA_TOP_N_TRACKED" in err and "Traceback" not in err


def test_demo_refuses_a_busy_port(monkeypatch, capsys, tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        monkeypatch.setenv("VELORA_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("DAGSTER_PORT", str(port))
        assert main(["demo", "--no-seed"]) == 2
    err = capsys.readouterr().err
    assert f"Dagster UI (DAGSTER_PORT) port {port}" in err
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_demo_refuses_a_remote_api(monkeypatch, capsys):
    monkeypatch.setenv("VELORA_API_BASE_URL", "https://api.velora.tv")
    assert main(["demo"]) == 2
    assert "local twin" in capsys.readouterr().err


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "usage: velora" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["--help"], ["demo", "--help"]])
def test_help_exits_cleanly(argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
