"""Reading IDX files, the format of MNIST and Fashion-MNIST, gzipped or raw.

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of
dimensions), then each dimension as a big-endian 32-bit integer, then the values in
row-major order, big-endian.  Files are read into host memory with NumPy, as Keras does.
"""
import gzip
import hashlib
import os
import zlib

import numpy as np  # file parsing happens in host memory, whatever the array module

# type code -> the dtype of the stored values (IDX stores them big-endian)
IDX_DTYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
GZIP_MAGIC = b"\x1f\x8b"
_MAX_GZIP_BYTES = 1 << 36  # a header promising more than 64 GiB is corrupt, not data


class CorruptFileError(ValueError):
    """A data file exists but its contents are not what its format promises."""


def is_gzip(path):
    """Whether ``path`` is gzip-compressed (judged by its first two bytes, not its name)."""
    with open(path, "rb") as f:
        return f.read(2) == GZIP_MAGIC


def _read_into(f, buffer):
    """Fill ``buffer`` from ``f``; return the number of bytes read (short only at end of file)."""
    view, filled = memoryview(buffer).cast("B"), 0
    while filled < len(view):
        count = f.readinto(view[filled:])
        if not count:
            break
        filled += count
    return filled


def _parse(f, path, file_size, sha256):
    header = f.read(4)
    if len(header) < 4:
        raise CorruptFileError(f"{path}: only {len(header)} bytes long; an IDX file starts with a "
                               f"4-byte magic number")
    code, ndim = header[2], header[3]
    if header[:2] != b"\0\0" or code not in IDX_DTYPES or ndim == 0:
        raise CorruptFileError(f"{path}: not an IDX file (magic number 0x{header.hex()}; expected "
                               f"0x0000 then a type code such as 08 and the number of dimensions)")
    dims_bytes = f.read(4 * ndim)
    if len(dims_bytes) < 4 * ndim:
        raise CorruptFileError(f"{path}: truncated header (it declares {ndim} dimensions, but the "
                               f"file ends before their sizes)")
    dims = tuple(int(d) for d in np.frombuffer(dims_bytes, dtype=">i4"))
    if min(dims) < 0:
        raise CorruptFileError(f"{path}: corrupt header (negative dimension in {dims})")
    dtype = IDX_DTYPES[code]
    nbytes = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    expected_size = 4 + 4 * ndim + nbytes
    if file_size is not None and file_size != expected_size:  # a raw file: its size must match
        raise CorruptFileError(f"{path}: the header promises dims {dims} of {dtype.name} "
                               f"({expected_size} bytes in all) but the file has {file_size} bytes")
    if nbytes > _MAX_GZIP_BYTES:
        raise CorruptFileError(f"{path}: corrupt header (dims {dims} would take {nbytes} bytes)")
    values = np.empty(dims, dtype=dtype)
    filled = _read_into(f, values)
    if filled < nbytes:
        raise CorruptFileError(f"{path}: truncated (the header promises dims {dims}, {nbytes} bytes "
                               f"of data, but only {filled} follow)")
    if f.read(1):
        raise CorruptFileError(f"{path}: has bytes left over after the {nbytes} bytes of data that "
                               f"its header (dims {dims}) promises")
    if sha256 is not None:
        digest = hashlib.sha256(header + dims_bytes)
        digest.update(memoryview(values).cast("B"))
        if digest.hexdigest() != sha256:
            raise CorruptFileError(f"{path}: the sha256 of its decompressed contents is "
                                   f"{digest.hexdigest()}, expected {sha256}")
    return values


def read_idx(path, sha256=None):
    """Read an IDX file (gzipped or not) into a NumPy array of its stored dims and dtype.

    Raises ``CorruptFileError`` naming the file when its magic number, header or size is
    wrong; with ``sha256`` given, also when the hash of the decompressed bytes differs.

    >>> read_idx("train-labels-idx1-ubyte.gz").shape
    (60000,)
    """
    path = os.fspath(path)
    try:
        if is_gzip(path):
            with gzip.open(path, "rb") as f:
                values = _parse(f, path, None, sha256)
        else:
            with open(path, "rb") as f:
                values = _parse(f, path, os.path.getsize(path), sha256)
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise CorruptFileError(f"{path}: damaged gzip data ({error})") from None
    if not values.dtype.isnative:
        values = values.astype(values.dtype.newbyteorder("="))
    return values


def read_image_set(images_path, labels_path, image_shape=(28, 28), num_classes=10,
                   images_sha256=None, labels_sha256=None):
    """Images (n, *image_shape) and labels (n,) from a pair of IDX files, checked to match."""
    images = read_idx(images_path, images_sha256)
    labels = read_idx(labels_path, labels_sha256)
    if images.ndim != 1 + len(image_shape) or images.shape[1:] != tuple(image_shape):
        raise CorruptFileError(f"{images_path}: expected images of shape (n, "
                               f"{', '.join(map(str, image_shape))}), found {images.shape}")
    if labels.ndim != 1:
        raise CorruptFileError(f"{labels_path}: expected a 1-d array of labels, found shape "
                               f"{labels.shape}")
    if labels.shape[0] != images.shape[0]:
        raise CorruptFileError(f"{labels_path}: {labels.shape[0]} labels, but {images_path} has "
                               f"{images.shape[0]} images")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise CorruptFileError(f"{labels_path}: labels must lie in [0, {num_classes}), found "
                               f"values from {labels.min()} to {labels.max()}")
    return images, labels
