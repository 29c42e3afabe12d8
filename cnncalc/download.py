"""Downloading a dataset safely: mirrors, retries, an overall deadline and a byte cap."""

from __future__ import annotations

import hashlib
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .data import DEFAULT, get, max_count, missing_files, raw_size
from .errors import DownloadError, UsageError
from .files import open_new, write_reason

ENV_MIRROR = "CNNCALC_MNIST_MIRROR"  # a mirror base URL, for whichever dataset is fetched
ENV_DEADLINE = "CNNCALC_DOWNLOAD_DEADLINE"  # seconds for a whole download
DEADLINE = 900.0


def download_cap(dataset: str, name: str) -> int:
    """The most bytes a download of this .gz may take: its published size where known, else
    the largest gzip of the full-size file (deflate's stored blocks add 5 bytes per 64 KiB)."""
    known = get(dataset).gz_size.get(name)
    return known if known is not None else gz_bound(name)


def gz_bound(name: str) -> int:
    raw = raw_size(name, max_count(name))
    return raw + 5 * (raw // 65_535 + 1) + 1024


Progress = Callable[[str, int, int | None], None]  # (file name, bytes so far, total or None)


def check_mirror(base: str, origin: str) -> str:
    """A mirror base URL that urllib can open: http(s), a host, a well-formed address."""
    try:
        parts = urllib.parse.urlsplit(base)
        parts.port  # noqa: B018 - parsing the port raises on a malformed one
    except ValueError as e:
        raise UsageError(f"{origin} {base[:60]!r} is not a valid URL ({e})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{origin} {base[:60]!r} is not an http(s) URL",
                         "give a URL such as https://host/path/")
    return base


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) only: an ftp:// target would bypass these limits."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> urllib.request.Request | None:
        if urllib.parse.urlsplit(newurl).scheme not in ("http", "https"):
            raise DownloadError(f"{req.full_url}: redirects to {newurl[:60]!r}, not an "
                                "http(s) URL")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_HttpOnlyRedirects)


def _fetch(url: str, dest: Path, md5: str, cap: int, exact: bool, timeout: float,
           deadline: float, progress: Progress | None) -> None:
    """Download url into dest atomically: stream to a temp file, verify, then rename.

    The body may not exceed `cap` bytes and the whole transfer must end by `deadline`
    (time.monotonic()); each read waits at most `timeout`, so a server that trickles a byte
    at a time is cut off at the deadline."""
    tmp = dest.with_name(f".{dest.name}.part-{os.getpid()}")
    try:
        left = deadline - time.monotonic()
        if left <= 0:
            raise DownloadError(f"{url}: the download deadline passed")
        with _OPENER.open(url, timeout=min(timeout, left)) as response:
            total = response.headers.get("Content-Length")
            size = int(total) if total and total.isdigit() and len(total) < 20 else None
            if size is not None and size > cap:
                raise DownloadError(f"{url}: the server announces {size:,} bytes, but the file "
                                    f"has {'exactly' if exact else 'at most'} {cap:,}")
            digest = hashlib.md5()
            done = 0
            try:
                out = open_new(tmp)
            except OSError as e:
                raise DownloadError(f"cannot write {tmp}: "
                                    f"{write_reason(e, tmp.parent)}") from None
            with out:
                while True:
                    chunk = response.read1(1 << 16)
                    if not chunk:
                        break
                    done += len(chunk)
                    if done > cap:
                        raise DownloadError(f"{url}: the server sent more than the {cap:,} "
                                            "bytes the file has")
                    if time.monotonic() > deadline:
                        raise DownloadError(f"{url}: too slow, gave up at the deadline after "
                                            f"{done:,} bytes")
                    try:
                        out.write(chunk)
                    except OSError as e:
                        raise DownloadError(f"cannot write {tmp}: "
                                            f"{write_reason(e, tmp.parent)}") from None
                    digest.update(chunk)
                    if progress:
                        progress(dest.name, done, size)
                out.flush()
                os.fsync(out.fileno())
        if size is not None and done != size:
            raise DownloadError(f"{url}: got {done} of {size} bytes")
        if digest.hexdigest() != md5:
            raise DownloadError(f"{url}: checksum mismatch (md5 {digest.hexdigest()}, "
                                f"expected {md5})")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def clean_parts(directory: Path) -> list[Path]:
    """Remove .part files left by killed downloads (their process is gone)."""
    removed = []
    for path in directory.glob(".*.gz.part-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def deadline_seconds() -> float:
    text = os.environ.get(ENV_DEADLINE)
    if not text:
        return DEADLINE
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 86_400:
        raise UsageError(f"${ENV_DEADLINE} {text[:30]!r} must be seconds between 0 and 86400")
    return value


def download(directory: Path, mirrors: tuple[str, ...] | None = None, timeout: float = 30.0,
             retries: int = 3, backoff: float = 1.0, progress: Progress | None = None,
             sleep: Callable[[float], None] = time.sleep,
             checksums: dict[str, str] | None = None, dataset: str = DEFAULT,
             deadline: float | None = None) -> list[Path]:
    """Fetch the missing files into directory, trying each mirror with retries.

    Each file streams into a hidden temp file and is renamed into place only after its md5
    matches, so an interrupted or corrupt download never leaves a file under the real name.
    The whole call ends within `deadline` seconds ($CNNCALC_DOWNLOAD_DEADLINE, default 900).
    """
    info = get(dataset)
    env_mirror = os.environ.get(ENV_MIRROR)
    if mirrors:
        bases = tuple(check_mirror(m, "mirror") for m in mirrors)
    elif env_mirror:
        bases = (check_mirror(env_mirror, f"${ENV_MIRROR}"),)
    else:
        bases = info.mirrors
    end = time.monotonic() + (deadline if deadline is not None else deadline_seconds())
    try:
        directory.mkdir(parents=True, exist_ok=True)
        clean_parts(directory)
    except OSError as e:
        raise DownloadError(f"cannot create {directory}: {e.strerror}") from None
    fetched: list[Path] = []
    for name in missing_files(directory):
        dest = directory / f"{name}.gz"
        md5 = (checksums or {}).get(name, info.md5[name])
        exact = name in info.gz_size and not checksums  # other files: only the bound holds
        cap = download_cap(dataset, name) if exact else gz_bound(name)
        errors: list[str] = []
        for base in bases:
            url = base.rstrip("/") + f"/{name}.gz"
            for attempt in range(retries):
                try:
                    _fetch(url, dest, md5, cap, exact, timeout, end, progress)
                    break
                except DownloadError as e:
                    errors.append(str(e))
                    if any(w in str(e) for w in ("checksum", "announces", "more than",
                                                 "redirects to")):
                        break  # a wrong file stays wrong; try the next mirror
                    if "deadline" in str(e) or "cannot write" in str(e):
                        raise
                except urllib.error.HTTPError as e:
                    errors.append(f"{url}: HTTP {e.code} {str(e.reason)[:60]}")
                    if e.code < 500:
                        break
                except (urllib.error.URLError, OSError, TimeoutError, ValueError) as e:
                    reason = getattr(e, "reason", e)
                    errors.append(f"{url}: {str(reason)[:80]}")
                if attempt + 1 < retries:
                    wait = backoff * 2**attempt
                    if time.monotonic() + wait >= end:
                        break
                    sleep(wait)
            if dest.exists() or time.monotonic() >= end:
                break
        if not dest.exists():
            raise DownloadError(f"could not download {name}: {errors[-1] if errors else '?'}",
                                f"tried {len(bases)} mirror(s); check the network or put the "
                                f"files in a folder and pass --data-dir")
        fetched.append(dest)
    return fetched
