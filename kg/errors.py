"""Errors raised by kg. Each message says what went wrong and what to do."""


class KGError(Exception):
    """Base class: a user-facing error with a one-line message."""


class InputError(KGError):
    """An input file or argument cannot be used."""


class ModelError(KGError):
    """The spaCy pipeline cannot be loaded."""


class GraphError(KGError):
    """A graph file cannot be read or written."""


class QueryError(KGError):
    """A SPARQL query is unknown, malformed or missing a parameter."""


def cannot_write(path, err: OSError) -> GraphError:
    """The one error for a file kg could not write, saying what to check."""
    return GraphError(f"cannot write {str(path)!r}: {err.strerror or err}; "
                      "check that the folder is writable and the disk not full")
