"""Downloads against a loopback server the test controls: every failure ends cleanly."""

from __future__ import annotations

import gzip
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cnncalc import data, download
from cnncalc.errors import DownloadError, UsageError

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
                elif mode == "ftp":
                    self.send_response(302)
                    self.send_header("Location", "ftp://127.0.0.1:9/x.gz")
                    self.end_headers()
                elif mode == "loop":
                    self.send_response(302)
                    self.send_header("Location", self.path)
                    self.end_headers()
                elif mode == "stall":
                    time.sleep(1.5)
                    self.send_error(503)
                elif mode in ("loris", "endless", "liar"):
                    self.send_response(200)
                    if mode == "loris":
                        self.send_header("Content-Length", str(len(body)))
                    elif mode == "liar":
                        self.send_header("Content-Length", str(50 * 2**30))
                    self.end_headers()
                    try:
                        if mode == "loris":  # a byte at a time, each well within the timeout
                            for i in range(40):
                                self.wfile.write(body[i:i + 1])
                                self.wfile.flush()
                                time.sleep(0.25)
                        else:  # endless (or far beyond what it announced)
                            block = bytes(1 << 16)
                            for _ in range(4096):
                                self.wfile.write(block)
                    except OSError:
                        pass  # the client hung up, as it should
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
    return download.download(dest, mirrors=(f"{server.url}/{mode}/",), timeout=0.5, retries=2,
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
    ("loop", "redirect"), ("stall", "timed out"), ("ftp", "not an http(s) URL"),
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
        download.download(tmp_path / "d", mirrors=("http://127.0.0.1:9/",), timeout=0.5,
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
    download.download(tmp_path / "d", mirrors=(f"{server.url}/404/", f"{server.url}/ok/"),
                  timeout=0.5, retries=1, backoff=0, checksums=sums)
    assert not data.missing_files(tmp_path / "d")


def test_cli_download_via_env_mirror(served: tuple[Server, dict[str, str]], tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from cnncalc.cli import app

    server, _ = served
    monkeypatch.setenv(download.ENV_MIRROR, f"{server.url}/bad/")
    result = CliRunner().invoke(app, ["data", "download", "--data-dir", str(tmp_path / "d")])
    # The official checksums never match the synthetic files: a clear failure, exit 1.
    assert result.exit_code == 1 and "checksum mismatch" in result.stderr
    assert no_files(tmp_path / "d")


def test_slow_loris_ends_at_the_deadline(served: tuple[Server, dict[str, str]],
                                         tmp_path: Path) -> None:
    server, sums = served
    start = time.monotonic()
    with pytest.raises(DownloadError, match="deadline"):
        fetch(server, sums, tmp_path / "d", "loris", deadline=1.0)
    # a byte every 0.25 s never trips the 0.5 s read timeout; the overall deadline stops it
    assert time.monotonic() - start < 2.5
    assert no_files(tmp_path / "d")


def test_deadline_from_the_environment(served: tuple[Server, dict[str, str]], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    server, sums = served
    monkeypatch.setenv(download.ENV_DEADLINE, "0.8")
    start = time.monotonic()
    with pytest.raises(DownloadError, match="deadline"):
        fetch(server, sums, tmp_path / "d", "loris")
    assert time.monotonic() - start < 2.5
    monkeypatch.setenv(download.ENV_DEADLINE, "soon")
    with pytest.raises(UsageError, match="must be seconds"):
        fetch(server, sums, tmp_path / "d", "ok")


def test_endless_body_stops_at_the_files_size(served: tuple[Server, dict[str, str]],
                                              tmp_path: Path) -> None:
    server, sums = served
    with pytest.raises(DownloadError, match=r"more than the .* bytes the file has"):
        fetch(server, sums, tmp_path / "d", "endless")
    assert no_files(tmp_path / "d")


def test_lying_content_length_refused_before_reading(served: tuple[Server, dict[str, str]],
                                                     tmp_path: Path) -> None:
    server, sums = served
    with pytest.raises(DownloadError, match="announces 53,687,091,200 bytes"):
        fetch(server, sums, tmp_path / "d", "liar")
    assert no_files(tmp_path / "d")


def test_published_sizes_cap_mnist() -> None:
    # The published size of each MNIST .gz, from the dataset's page; others: the gzip bound.
    assert download.download_cap("mnist", "train-images-idx3-ubyte") == 9_912_422
    raw = 16 + 60_000 * 784
    bound = raw + 5 * (raw // 65_535 + 1) + 1024  # deflate stored blocks: 5 bytes per 64 KiB
    assert download.download_cap("kmnist", "train-images-idx3-ubyte") == bound


@pytest.mark.parametrize("url", ["http://[::1", "ftp://host/", "not a url", "http://:80/"])
def test_malformed_mirror_is_a_usage_error(tmp_path: Path, url: str) -> None:
    with pytest.raises(UsageError):
        download.download(tmp_path / "d", mirrors=(url,), retries=1)


def test_leftover_part_files_are_cleaned(served: tuple[Server, dict[str, str]],
                                         tmp_path: Path) -> None:
    server, sums = served
    dest = tmp_path / "d"
    dest.mkdir()
    dead = dest / ".train-images-idx3-ubyte.gz.part-999999999"
    alive = dest / ".t10k-images-idx3-ubyte.gz.part-1"  # pid 1 is alive: its download goes on
    dead.write_bytes(b"x" * 100)
    alive.write_bytes(b"x")
    fetch(server, sums, dest, "ok")
    assert not dead.exists() and alive.exists()
    assert not data.missing_files(dest)
