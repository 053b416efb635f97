"""Where a file lies, as far as judging a secret goes: documentation and test folders, trust stores."""

from pathlib import PurePosixPath

_DOCUMENTATION_PREFIXES = ("/usr/share/doc/", "/usr/doc/", "/usr/share/man/")
_EXAMPLE_FOLDERS = frozenset({"example", "examples", "sample", "samples", "test", "tests", "testdata", "test-data"})
_TRUST_STORE_PREFIXES = ("/usr/share/ca-certificates/", "/etc/pki/", "/usr/lib/ssl/certs/")
_TRUST_STORE_NAMES = frozenset({"ca-certificates.crt", "ca-bundle.crt", "ca-bundle.pem", "cacert.pem", "ca-root.crt"})


def shown_path(device_path: str | None, extracted_path: str) -> str:
    """The path a report shows: the device's when the file lies in a root filesystem."""
    return device_path if device_path is not None else "/" + extracted_path


def is_documentation(path: str) -> bool:
    """Documentation, example and test folders: secrets there are usually published test material."""
    if path.startswith(_DOCUMENTATION_PREFIXES):
        return True
    folders = PurePosixPath(path).parts[:-1]
    return any(folder.lower() in _EXAMPLE_FOLDERS for folder in folders)


def is_trust_store(path: str) -> bool:
    """A bundle of CA certificates the device trusts, not certificates it presents."""
    return path.startswith(_TRUST_STORE_PREFIXES) or PurePosixPath(path).name in _TRUST_STORE_NAMES
