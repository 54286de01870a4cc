"""A standard SPARQL 1.1 Protocol endpoint over a kg graph, served by Oxigraph's own server.

The server is the ``oxigraph`` executable from the PyPI package ``oxigraph`` (installed
with kg's dev tools by ``make run`` / ``make test``). A graph file is first loaded, with
``oxigraph load``, into a fresh Oxigraph database in a temporary folder that is deleted
when the server stops; an Oxigraph store folder (``kg build -o x.oxigraph`` or
:func:`kg.store.open_store`) is served as it is. Then

=========================================================  ================================
``oxigraph serve-read-only --location DIR --bind H:P``     default: updates are refused (403)
``oxigraph serve --location DIR --bind H:P``               ``writable=True``
=========================================================  ================================

both with ``--union-default-graph``, so that, as in every kg backend, a query without
``GRAPH`` sees the union of the article graphs. Queries go to ``http://H:P/query``
(GET or POST), updates to ``http://H:P/update`` (POST).

Updates sent to a server over a graph *file* change only the temporary copy: they are
lost when the server stops. Serve an ``.oxigraph`` folder to keep them.

The endpoint has no authentication. It binds to 127.0.0.1 unless told otherwise, and
warns on stderr when asked to bind to any other address.
"""
from __future__ import annotations

import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from kg.errors import GraphError, KGError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
#: Seconds to wait for a started server to answer a query.
START_TIMEOUT = 30.0
#: Graph file extensions ``oxigraph load`` reads as kg writes them (else: converted to N-Quads).
_NATIVE = {".trig", ".nq", ".ttl", ".nt"}
_PORT_RETRIES = 5


def find_oxigraph() -> Path:
    """The ``oxigraph`` executable: next to the running Python (the venv's ``bin``), else
    on ``PATH``. Raises :class:`~kg.errors.KGError` saying how to install it."""
    local = Path(sys.executable).parent / ("oxigraph.exe" if os.name == "nt" else "oxigraph")
    if local.is_file() and os.access(local, os.X_OK):
        return local
    found = shutil.which("oxigraph")
    if found:
        return Path(found)
    raise KGError(
        f"the Oxigraph server is not installed (no 'oxigraph' executable in {local.parent} "
        "or on PATH); run `make run` (which installs kg's tools into .venv) or "
        "`pip install oxigraph`, then try again"
    )


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def bind_warning(host: str, writable: bool = False) -> str | None:
    """The warning printed before binding to ``host``: None for loopback addresses."""
    if is_loopback(host):
        return None
    return (f"kg: warning: binding the SPARQL endpoint to {host}, which other machines may "
            "reach; it has no authentication"
            + (" and accepts updates (--writable)" if writable else "")
            + ". Use --host 127.0.0.1 to keep it local.")


def endpoint_urls(host: str, port: int) -> tuple[str, str]:
    """(query URL, update URL) of a server bound to ``host:port``.

    An unspecified bind address (``0.0.0.0``, ``::``) is reached through loopback.
    """
    name = host.strip("[]")
    if name in ("0.0.0.0", ""):
        name = "127.0.0.1"
    elif name == "::":
        name = "::1"
    netloc = f"[{name}]:{port}" if ":" in name else f"{name}:{port}"
    return f"http://{netloc}/query", f"http://{netloc}/update"


@dataclass
class Server:
    """A running Oxigraph server started by :func:`start` (stop it with :meth:`stop`)."""

    process: subprocess.Popen
    host: str
    port: int
    location: Path
    writable: bool
    temporary: bool  # True when ``location`` is a temporary copy of a graph file
    _cleanup: ExitStack

    @property
    def query_url(self) -> str:
        return endpoint_urls(self.host, self.port)[0]

    @property
    def update_url(self) -> str:
        return endpoint_urls(self.host, self.port)[1]

    def stop(self) -> None:
        """Terminate the server and delete its temporary files. Safe to call twice."""
        self._cleanup.close()

    def wait(self) -> int:
        """Block until the server process ends; returns its exit status."""
        return self.process.wait()


def start(graph_or_store: Any, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          writable: bool = False, *, warn: Callable[[str], None] | None = None,
          timeout: float = START_TIMEOUT) -> Server:
    """Load ``graph_or_store`` and start an Oxigraph server over it; return once it answers.

    ``graph_or_store`` is a graph file kg writes (``.trig .nq .ttl .nt .jsonld``), an
    Oxigraph store folder, an rdflib ``Graph``/``Dataset`` or a :class:`kg.store.Store`.
    ``port=0`` picks a free port. ``warn`` receives the warning printed when binding to a
    non-loopback address (default: print to stderr). Raises :class:`~kg.errors.KGError`
    when the executable is missing, the input cannot be loaded or the server does not start.
    """
    if not 0 <= int(port) <= 65535:
        raise KGError(f"port {port} is out of range; use 1-65535 (or 0 for any free port)")
    executable = find_oxigraph()
    if port != 0 and not _port_free(host, int(port)):
        # checked first: the readiness probe would otherwise reach whatever answers there
        raise KGError(f"port {port} on {host} is already in use; stop what uses it or "
                      "choose another --port")
    with ExitStack() as stack:
        work = Path(tempfile.mkdtemp(prefix="kg-serve-"))
        stack.callback(shutil.rmtree, work, ignore_errors=True)
        location, temporary = _prepare(graph_or_store, executable, work)
        message = bind_warning(host, writable)
        if message:
            (warn or _stderr)(message)
        command = "serve" if writable else "serve-read-only"
        for attempt in range(_PORT_RETRIES if port == 0 else 1):
            chosen = _free_port(host) if port == 0 else int(port)
            log_path = work / f"server-{attempt}.log"
            with log_path.open("wb") as log:
                process = subprocess.Popen(
                    [str(executable), command, "--location", str(location),
                     "--bind", _bind(host, chosen), "--union-default-graph"],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
            server = Server(process, host, chosen, location, writable, temporary, stack)
            try:
                _wait_until_ready(server, log_path, timeout, auto_port=port == 0)
            except _PortTaken:
                continue
            except BaseException:
                _terminate(process)
                raise
            stack.callback(_terminate, process)
            server._cleanup = stack.pop_all()
            return server
        raise KGError(f"could not find a free port on {host} for the SPARQL server after "
                      f"{_PORT_RETRIES} tries; give one with --port")
    raise AssertionError("unreachable")  # pragma: no cover


@contextmanager
def running_server(graph: Any, host: str = DEFAULT_HOST, port: int = 0,
                   writable: bool = False) -> Iterator[str]:
    """Serve ``graph`` (see :func:`start`) for the duration of a ``with`` block.

    Yields the query endpoint URL, ``http://HOST:PORT/query``; updates (``writable=True``)
    go to the same URL with ``/update``. The server answers queries when the block
    starts and is terminated (and its temporary copy deleted) when it ends.
    """
    server = start(graph, host, port, writable)
    try:
        yield server.query_url
    finally:
        server.stop()


def serve(graph_or_store: Any, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          writable: bool = False, *, out: IO[str] | None = None) -> None:
    """Run a SPARQL endpoint over ``graph_or_store`` in the foreground until Ctrl-C.

    Prints the query and update URLs to ``out`` (default stdout). Returns after Ctrl-C;
    raises :class:`~kg.errors.KGError` if the server cannot start or stops by itself.
    """
    out = out or sys.stdout
    try:
        server = start(graph_or_store, host, port, writable)
    except KeyboardInterrupt:  # Ctrl-C while loading: start() has cleaned up
        return
    restore = _stop_on_sigterm()
    try:
        if not is_loopback(host):
            print(f"listening on {_bind(host, server.port)}", file=out)
        print(f"SPARQL query endpoint:  {server.query_url}", file=out)
        if writable:
            print(f"SPARQL update endpoint: {server.update_url}", file=out)
            if server.temporary:
                print("updates change a temporary copy of the graph and are lost when the "
                      "server stops; serve an .oxigraph store to keep them", file=out)
        else:
            print(f"SPARQL update endpoint: {server.update_url} (read-only: updates are "
                  "refused; use --writable to allow them)", file=out)
        print("Press Ctrl-C to stop.", file=out, flush=True)
        try:
            status = server.wait()
            if status in (-signal.SIGINT, -signal.SIGTERM):
                return  # Ctrl-C in a terminal reaches the server's process group too
            raise KGError(f"the Oxigraph server stopped by itself (exit status {status})")
        except KeyboardInterrupt:
            return
    finally:
        restore()
        server.stop()


# ------------------------------------------------------------------ internals


class _PortTaken(Exception):
    pass


def _stop_on_sigterm() -> Callable[[], None]:
    """Make SIGTERM stop :func:`serve` like Ctrl-C (so the server and its temporary copy
    are cleaned up); returns a function that restores the previous handler."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    return lambda: signal.signal(signal.SIGTERM, previous)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _bind(host: str, port: int) -> str:
    name = host.strip("[]")
    return f"[{name}]:{port}" if ":" in name else f"{name}:{port}"


def _free_port(host: str) -> int:
    name = host.strip("[]")
    family = socket.AF_INET6 if ":" in name else socket.AF_INET
    if name == "localhost":
        name = "127.0.0.1"
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((name, 0))
        return s.getsockname()[1]


def _port_free(host: str, port: int) -> bool:
    """Whether ``host:port`` can be bound now (with SO_REUSEADDR, as the server binds)."""
    name = host.strip("[]")
    if name == "localhost":
        name = "127.0.0.1"
    try:
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return True  # let the server report the address it cannot use
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(address)
            except OSError:
                return False
    return True


def _prepare(source: Any, executable: Path, work: Path) -> tuple[Path, bool]:
    """The Oxigraph folder to serve for ``source``, and whether it is a temporary copy."""
    from rdflib import Graph

    from kg.rdf import FORMATS, save

    if hasattr(source, "backend") and hasattr(source, "dataset"):  # a kg.store.Store
        from kg.store import MEMORY, OXIGRAPH

        if source.backend == OXIGRAPH and source.location:
            return _store_folder(Path(source.location)), False
        if source.backend != MEMORY:
            raise KGError(f"{source!r} is a remote endpoint already; query it directly")
        source = source.dataset
    if isinstance(source, Graph):
        data = save(source, work / "graph.nq")
        return _load(executable, data, work / "store"), True
    try:
        path = Path(os.fspath(source))
    except TypeError:
        raise KGError(f"cannot serve {type(source).__name__} objects; give a graph file, an "
                      ".oxigraph store folder or an rdflib graph") from None
    if path.is_dir():
        return _store_folder(path), False
    if path.suffix == ".oxigraph":
        raise GraphError(f"the Oxigraph store {str(path)!r} does not exist; "
                         "check the path or build it first")
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise GraphError(f"cannot tell the RDF format of {str(path)!r} from its extension; "
                         f"give a graph file ({', '.join(FORMATS)}) or an .oxigraph store folder")
    if not path.is_file():
        raise GraphError(f"graph file {str(path)!r} does not exist; "
                         "check the path or build the graph first")
    if suffix not in _NATIVE:  # JSON-LD: read as kg reads it, hand Oxigraph N-Quads
        from kg.rdf import load

        path = save(load(path), work / "graph.nq")
    return _load(executable, path, work / "store"), True


def _store_folder(path: Path) -> Path:
    if not path.is_dir():
        raise GraphError(f"the Oxigraph store {str(path)!r} does not exist; "
                         "check the path or build it first")
    if not (path / "CURRENT").is_file():  # the marker file of Oxigraph's RocksDB storage
        raise GraphError(f"{str(path)!r} is a folder but not an Oxigraph store; give a graph "
                         "file or a store made by kg (kg.store.open_store('x.oxigraph'))")
    return path


def _load(executable: Path, data: Path, location: Path) -> Path:
    """``oxigraph load --location LOCATION --file DATA`` (format from the extension)."""
    done = subprocess.run([str(executable), "load", "--location", str(location),
                           "--file", str(data)],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if done.returncode != 0:
        raise GraphError(f"Oxigraph cannot load {str(data)!r}: {_error_line(done.stdout + done.stderr)}; "
                         "check that the file is complete and its extension matches its content")
    return location


def _error_line(output: str) -> str:
    """The ``Error: ...`` line of an Oxigraph error report (without the backtrace)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in lines:  # e.g. "Error while loading file g.ttl: Parser error at line 1 ..."
        if line.startswith("Error while"):
            return line[len("Error "):]
    for line in lines:
        if line.startswith("Error:"):
            return line[len("Error:"):].strip()
    return lines[0] if lines else "no message"


def _wait_until_ready(server: Server, log_path: Path, timeout: float, *, auto_port: bool) -> None:
    """Poll an ``ASK {}`` query until the server answers; raise if it exits or times out."""
    probe = server.query_url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
    deadline = time.monotonic() + timeout
    while True:
        status = server.process.poll()
        if status is not None:
            output = log_path.read_text(encoding="utf-8", errors="replace")
            if "address already in use" in output.lower() or "os error 98" in output.lower():
                if auto_port:  # another program took the port we picked: pick again
                    raise _PortTaken()
                raise KGError(f"port {server.port} on {server.host} is already in use; "
                              "stop what uses it or choose another --port")
            raise KGError(f"the Oxigraph server did not start (exit status {status}): "
                          f"{_error_line(output)}")
        try:
            with opener.open(urllib.request.Request(
                    probe, headers={"Accept": "application/sparql-results+json"}), timeout=2) as r:
                if r.status == 200 and server.process.poll() is None:
                    return  # answered, and our server is still running
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise KGError(f"the Oxigraph server at {server.query_url} did not answer within "
                          f"{timeout:.0f} s")
        time.sleep(0.05)


def _terminate(process: subprocess.Popen, timeout: float = 10.0) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


__all__ = ["Server", "find_oxigraph", "running_server", "serve", "start", "endpoint_urls",
           "is_loopback", "bind_warning"]
