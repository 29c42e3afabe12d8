"""Downloads against a loopback server the test controls: every failure ends cleanly."""

from __future__ import annotations

import gzip
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cnncalc import data
from cnncalc.errors import DownloadError

from .idx import write_mnist


class Server:
    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.hits: dict[str, int] = {}
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                mode, _, name = self.path.strip("/").partition("/")
                server.hits[mode] = server.hits.get(mode, 0) + 1
                body = server.files.get(name.removesuffix(".gz"), b"")
                if mode == "404":
                    self.send_error(404)
                elif mode == "500" or (mode == "flaky" and server.hits[mode] == 1):
                    self.send_error(500)
                elif mode == "loop":
                    self.send_response(302)
                    self.send_header("Location", self.path)
                    self.end_headers()
                elif mode == "stall":
                    time.sleep(1.5)
                    self.send_error(503)
                else:
                    if mode == "bad":
                        body = body[:-1] + bytes([body[-1] ^ 1])
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2] if mode == "trunc" else body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Server, dict[str, str]]]:
    src = tmp_path / "src"
    sums = write_mnist(src, gz=False)
    files = {p.name: gzip.compress(p.read_bytes(), mtime=0) for p in src.iterdir()}
    server = Server(files)
    yield server, sums
    server.close()


def fetch(server: Server, sums: dict[str, str], dest: Path, mode: str,
          **kw: object) -> list[Path]:
    return data.download(dest, mirrors=(f"{server.url}/{mode}/",), timeout=0.5, retries=2,
                         backoff=0.01, checksums=sums, **kw)  # type: ignore[arg-type]


def no_files(dest: Path) -> bool:
    return not dest.exists() or not any(dest.iterdir())


def test_download_verifies_and_loads(served: tuple[Server, dict[str, str]],
                                     tmp_path: Path) -> None:
    server, sums = served
    seen: list[str] = []
    got = fetch(server, sums, tmp_path / "d", "ok", progress=lambda n, d, t: seen.append(n))
    assert len(got) == 4 and len(data.load(tmp_path / "d").train_images) == 512
    assert set(seen) == {f"{n}.gz" for n in data.FILES}
    assert fetch(server, sums, tmp_path / "d", "ok") == []  # complete: nothing to do


@pytest.mark.parametrize(("mode", "message"), [
    ("404", "HTTP 404"), ("500", "HTTP 500"), ("trunc", "got"), ("bad", "checksum mismatch"),
    ("loop", "redirect"), ("stall", "timed out"),
])
def test_failures_leave_nothing_and_rerun_recovers(
        served: tuple[Server, dict[str, str]], tmp_path: Path, mode: str, message: str) -> None:
    server, sums = served
    dest = tmp_path / "d"
    with pytest.raises(DownloadError) as info:
        fetch(server, sums, dest, mode)
    assert message in str(info.value)
    assert no_files(dest), list(dest.iterdir())  # no partial file, no temp file left
    fetch(server, sums, dest, "ok")
    assert not data.missing_files(dest)


def test_connection_refused(tmp_path: Path, served: tuple[Server, dict[str, str]]) -> None:
    _, sums = served
    with pytest.raises(DownloadError, match="could not download"):
        data.download(tmp_path / "d", mirrors=("http://127.0.0.1:9/",), timeout=0.5,
                      retries=2, backoff=0.01, checksums=sums)
    assert no_files(tmp_path / "d")


def test_retry_with_backoff_recovers(served: tuple[Server, dict[str, str]],
                                     tmp_path: Path) -> None:
    server, sums = served
    waits: list[float] = []
    fetch(server, sums, tmp_path / "d", "flaky", sleep=waits.append)
    assert waits == [0.01]  # one 500, one backoff, then success
    assert not data.missing_files(tmp_path / "d")


def test_next_mirror_after_failure(served: tuple[Server, dict[str, str]], tmp_path: Path) -> None:
    server, sums = served
    data.download(tmp_path / "d", mirrors=(f"{server.url}/404/", f"{server.url}/ok/"),
                  timeout=0.5, retries=1, backoff=0, checksums=sums)
    assert not data.missing_files(tmp_path / "d")


def test_cli_download_via_env_mirror(served: tuple[Server, dict[str, str]], tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from cnncalc.cli import app

    server, _ = served
    monkeypatch.setenv(data.ENV_MIRROR, f"{server.url}/bad/")
    result = CliRunner().invoke(app, ["data", "download", "--data-dir", str(tmp_path / "d")])
    # The official checksums never match the synthetic files: a clear failure, exit 1.
    assert result.exit_code == 1 and "checksum mismatch" in result.stderr
    assert no_files(tmp_path / "d")
