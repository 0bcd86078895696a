"""Tiny Shakespeare: about 1.1 MB of text from Shakespeare's plays (public domain), for character models.

A slice ships inside the package, so ``load_data()`` works offline: the first 299,868
characters of ``tinyshakespeare.txt`` (sha256 ``FULL_SHA256``), that is its first 300,000
characters cut back to the end of the last complete speech (the last blank line), ASCII,
sha256 ``SLICE_SHA256``, gzipped.  ``load_data(full=True)`` reads the whole text from
``path``, then ``$CHAINRULE_DATA/shakespeare/``, then the cache (``tinyshakespeare.txt``,
gzipped or not); it is never downloaded.
"""
import gzip
import hashlib
import os

from chainrule.datasets import _fetch
from chainrule.datasets._embedded import read_shipped
from chainrule.datasets.idx import CorruptFileError

NAME = "shakespeare"
STEM = "tinyshakespeare.txt"
FILENAME = "shakespeare.txt.gz"
GZIP_SHA256 = "b42d39bbef7e64f6391437aa30926e7c51bb7f9f6e7db595824d5e9039df9e0f"
SLICE_SHA256 = "7bce277f2f9d6c2c5ebb6307101f7b5a6fe4ada24dd87971bd874d4bed8d503b"
SLICE_LENGTH = 299_868
FULL_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"


def _check(payload, sha256, where):
    digest = hashlib.sha256(payload).hexdigest()
    if digest != sha256:
        raise CorruptFileError(f"{where}: sha256 of the text is {digest}, expected {sha256}")


def _read_text_file(filename):
    with open(filename, "rb") as file:
        payload = file.read()
    return gzip.decompress(payload) if payload[:2] == b"\x1f\x8b" else payload


def load_data(path=None, full=False, verify=False):
    """The text as one ``str``: the embedded slice by default, the whole file with ``full=True``.

    ``path``: a text file (gzipped or not) or a folder holding ``tinyshakespeare.txt[.gz]``;
    giving it implies ``full=True``.  ``verify=True`` checks the whole file's sha256 against
    ``FULL_SHA256`` (leave it off for a text of your own).  Raises ``DatasetNotFoundError``
    listing the places searched when the full text is nowhere.

    >>> text = chainrule.datasets.shakespeare.load_data()
    >>> len(text), text[:14]
    (299868, 'First Citizen:')
    """
    if path is None and not full:
        payload = gzip.decompress(read_shipped(FILENAME, GZIP_SHA256))
        _check(payload, SLICE_SHA256, f"chainrule/datasets/data/{FILENAME}")
        return payload.decode("ascii")
    if path is not None and os.path.isfile(os.path.expanduser(os.fspath(path))):
        filename = os.path.expanduser(os.fspath(path))
    else:
        filename = _fetch.fetch("Tiny Shakespeare", (NAME,), {STEM: None}, mirrors=[], path=path,
                                download=False)[STEM]
    payload = _read_text_file(filename)
    if verify:
        _check(payload, FULL_SHA256, filename)
    return payload.decode("utf-8")
