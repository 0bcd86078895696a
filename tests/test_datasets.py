"""chainrule.datasets and chainrule.utils.to_categorical.

MNIST is read from the real files at $CHAINRULE_DATA (default: ../shared/data beside the
project root); downloading is tested against an HTTP server on 127.0.0.1 serving files
made here, since the network may be closed.
"""
import contextlib
import gzip
import hashlib
import http.server
import os
import pathlib
import re
import shutil
import socket
import threading

import numpy as np
import pytest

import chainrule as cr
from chainrule import datasets
from chainrule.datasets import (CorruptFileError, DatasetNotFoundError, digits, fashion_mnist, iris,
                                mnist, read_idx, shakespeare)
from chainrule.datasets import _fetch
from chainrule.utils import to_categorical

STEMS = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
_DEFAULT_DATA = pathlib.Path(__file__).resolve().parent.parent.parent / "shared" / "data"
DATA_ROOT = pathlib.Path(os.environ.get("CHAINRULE_DATA") or _DEFAULT_DATA)
HAVE_MNIST = (DATA_ROOT / "mnist").is_dir()
needs_mnist = pytest.mark.skipif(
    not HAVE_MNIST, reason=f"the MNIST files are not at {DATA_ROOT}/mnist (set CHAINRULE_DATA)")


@pytest.fixture(autouse=True)
def isolated_places(monkeypatch, tmp_path):
    """No test reads the user's data folders or writes the user's cache."""
    monkeypatch.delenv("CHAINRULE_DATA", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("CHAINRULE_CACHE", str(tmp_path / "cache"))
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture(scope="module")
def real_mnist():
    """The real MNIST, loaded once for the module through $CHAINRULE_DATA, sha256-verified."""
    if not HAVE_MNIST:
        pytest.skip(f"the MNIST files are not at {DATA_ROOT}/mnist (set CHAINRULE_DATA)")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CHAINRULE_DATA", str(DATA_ROOT))
        mp.setenv("CHAINRULE_CACHE", "/nonexistent/chainrule-cache")
        return mnist.load_data(download=False, verify=True)


# --------------------------------------------------------------------------- helpers
def write_idx(path, array, gz=True):
    codes = {np.dtype("u1"): 0x08, np.dtype("i1"): 0x09, np.dtype(">i2"): 0x0B,
             np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}
    array = np.asarray(array)
    array = array.astype(array.dtype.newbyteorder(">")) if array.dtype.itemsize > 1 else array
    payload = (bytes([0, 0, codes[array.dtype], array.ndim])
               + np.asarray(array.shape, dtype=">i4").tobytes() + array.tobytes())
    if gz:
        payload = gzip.compress(payload, mtime=0)
    pathlib.Path(path).write_bytes(payload)
    return path


def fake_set(folder, tag=0, n_train=3, n_test=2, gz=True):
    """Four small MNIST-like files whose first training label is ``tag``."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(tag)
    arrays = {"train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
              "train-labels-idx1-ubyte": np.array([tag] + [1] * (n_train - 1), dtype=np.uint8),
              "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
              "t10k-labels-idx1-ubyte": ((np.arange(n_test) + tag) % 10).astype(np.uint8)}
    for stem, array in arrays.items():
        write_idx(folder / (stem + (".gz" if gz else "")), array, gz)
    return arrays


def md5(path):
    return hashlib.md5(pathlib.Path(path).read_bytes()).hexdigest()


@contextlib.contextmanager
def serve(directory):
    """An HTTP server on 127.0.0.1 serving ``directory``; yields its base URL and the paths asked for."""
    asked = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(directory), **kwargs)

        def do_GET(self):
            asked.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", asked
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


# --------------------------------------------------------------------------- real MNIST
@needs_mnist
def test_mnist_shapes_dtypes_labels_and_pixel_sums(real_mnist):
    (x_train, y_train), (x_test, y_test) = real_mnist
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert all(a.dtype == np.uint8 for a in (x_train, y_train, x_test, y_test))
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert int(x_train.sum(dtype=np.int64)) == 1567298545
    assert int(x_test.sum(dtype=np.int64)) == 264923200
    assert int(x_train[0].sum(dtype=np.int64)) == 27525 and x_train.max() == 255
    assert x_train.flags.writeable and x_train.flags.c_contiguous


@needs_mnist
def test_mnist_gzipped_and_raw_files_are_both_accepted(real_mnist, tmp_path):
    source = DATA_ROOT / "mnist"
    for stem in STEMS[:2]:  # the training files stay gzipped (linked, not copied)
        os.symlink(source / (stem + ".gz"), tmp_path / (stem + ".gz"))
    for stem in STEMS[2:]:  # the test files become raw IDX, without .gz
        with gzip.open(source / (stem + ".gz")) as f:
            (tmp_path / stem).write_bytes(f.read())
    (x_train, y_train), (x_test, y_test) = mnist.load_data(path=tmp_path, download=False,
                                                           verify=True)
    np.testing.assert_array_equal(x_test, real_mnist[1][0])
    np.testing.assert_array_equal(y_test, real_mnist[1][1])
    np.testing.assert_array_equal(y_train, real_mnist[0][1])
    raw = read_idx(tmp_path / "t10k-labels-idx1-ubyte")
    np.testing.assert_array_equal(raw, read_idx(source / "t10k-labels-idx1-ubyte.gz"))


# --------------------------------------------------------------------------- IDX parsing and corruption
@pytest.mark.parametrize("dtype", ["u1", "i1", ">i2", ">i4", ">f4", ">f8"])
@pytest.mark.parametrize("gz", [True, False])
def test_read_idx_round_trips_every_type(tmp_path, dtype, gz):
    array = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype.lstrip(">") if dtype != "u1" else "u1")
    path = write_idx(tmp_path / "a.idx", array, gz)
    got = read_idx(path)
    np.testing.assert_array_equal(got, array)
    assert got.dtype.isnative and got.dtype == np.dtype(dtype).newbyteorder("=")


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("damage, message", [
    (lambda b: b"\x00\x01" + b[2:], "not an IDX file"),
    (lambda b: b[:2] + b"\x07" + b[3:], "not an IDX file"),
    (lambda b: b[:2], "only 2 bytes long"),
    (lambda b: b[:6], "truncated header"),
    (lambda b: b[:-5], "truncated|the file has"),
    (lambda b: b + b"\x00", "left over|the file has"),
])
def test_corrupt_idx_errors_name_the_file(tmp_path, gz, damage, message):
    good = bytes([0, 0, 8, 2]) + np.array([3, 4], ">i4").tobytes() + bytes(range(12))
    payload = damage(good)
    path = tmp_path / ("bad-images-idx3-ubyte" + (".gz" if gz else ""))
    path.write_bytes(gzip.compress(payload) if gz else payload)
    with pytest.raises(CorruptFileError, match=message) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_damaged_gzip_names_the_file(tmp_path):
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(bytes([0, 0, 8, 1, 0, 0, 0, 5, 1, 2, 3, 4, 5]))[:-12])
    with pytest.raises(CorruptFileError, match="damaged gzip data") as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_sha256_mismatch_names_the_file(tmp_path):
    path = write_idx(tmp_path / "x.gz", np.arange(5, dtype=np.uint8))
    with pytest.raises(CorruptFileError, match="sha256 of its decompressed contents") as info:
        read_idx(path, sha256="0" * 64)
    assert str(path) in str(info.value)
    good = hashlib.sha256(gzip.decompress(path.read_bytes())).hexdigest()
    assert read_idx(path, sha256=good).tolist() == [0, 1, 2, 3, 4]


def test_inconsistent_mnist_files_are_rejected(tmp_path):
    fake_set(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.zeros(5, dtype=np.uint8))
    with pytest.raises(CorruptFileError, match="5 labels, but .* has 2 images") as info:
        mnist.load_data(path=tmp_path, download=False)
    assert "t10k-labels-idx1-ubyte.gz" in str(info.value)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.array([0, 12], dtype=np.uint8))
    with pytest.raises(CorruptFileError, match=r"labels must lie in \[0, 10\)"):
        mnist.load_data(path=tmp_path, download=False)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((2, 28, 27), dtype=np.uint8))
    with pytest.raises(CorruptFileError, match=r"expected images of shape \(n, 28, 28\)") as info:
        mnist.load_data(path=tmp_path, download=False)
    assert "t10k-images-idx3-ubyte.gz" in str(info.value)


# --------------------------------------------------------------------------- search order
def test_search_order_path_then_env_then_cache(tmp_path, monkeypatch):
    fake_set(tmp_path / "given", tag=1)
    fake_set(tmp_path / "root" / "mnist", tag=2)
    fake_set(tmp_path / "cache" / "mnist", tag=3, gz=False)  # $CHAINRULE_CACHE = tmp/cache
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "root"))

    def first_label(**kwargs):
        return int(mnist.load_data(download=False, **kwargs)[0][1][0])

    assert first_label(path=tmp_path / "given") == 1
    assert first_label(path=tmp_path / "nothing-here") == 2   # path= is searched first, not only
    assert first_label() == 2
    monkeypatch.delenv("CHAINRULE_DATA")
    assert first_label() == 3
    assert first_label(path=tmp_path) == 3  # path/<name>/ is looked at too: tmp/mnist absent
    fake_set(tmp_path / "mnist", tag=4)
    assert first_label(path=tmp_path) == 4


def test_cache_folder_respects_xdg_and_chainrule_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("CHAINRULE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _fetch.cache_dir("mnist") == str(tmp_path / "xdg" / "chainrule" / "mnist")
    fake_set(tmp_path / "xdg" / "chainrule" / "mnist", tag=5)
    assert int(mnist.load_data(download=False)[0][1][0]) == 5
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert _fetch.cache_dir("mnist") == os.path.join(os.path.expanduser("~"), ".cache",
                                                     "chainrule", "mnist")
    monkeypatch.setenv("CHAINRULE_CACHE", str(tmp_path / "mine"))
    assert _fetch.cache_dir("fashion_mnist") == str(tmp_path / "mine" / "fashion_mnist")


def test_dotted_file_names_are_found(tmp_path):
    arrays = fake_set(tmp_path, tag=6, gz=False)
    for stem in STEMS:
        os.rename(tmp_path / stem, tmp_path / stem.replace("-idx", ".idx"))
    (x_train, y_train), _ = mnist.load_data(path=tmp_path, download=False)
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte"])


def test_fashion_mnist_folder_names(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path))
    arrays = fake_set(tmp_path / "fashion-mnist", tag=7)
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data(download=False)
    np.testing.assert_array_equal(x_test, arrays["t10k-images-idx3-ubyte"])
    assert y_train[0] == 7
    fake_set(tmp_path / "fashion_mnist", tag=8)
    assert fashion_mnist.load_data(download=False)[0][1][0] == 8
    assert len(fashion_mnist.CLASS_NAMES) == 10


def test_keras_style_npz(tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=np.ones((2, 28, 28), np.uint8), y_train=np.array([3, 4], np.uint8),
             x_test=np.zeros((1, 28, 28), np.uint8), y_test=np.array([9], np.uint8))
    (x_train, y_train), (x_test, y_test) = mnist.load_data(path=path, download=False)
    assert x_train.shape == (2, 28, 28) and y_test.tolist() == [9]


def test_not_found_lists_every_place_and_how_to_supply(tmp_path, monkeypatch):
    fake_set(tmp_path / "root" / "mnist")
    os.remove(tmp_path / "root" / "mnist" / "t10k-labels-idx1-ubyte.gz")
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "root"))
    with pytest.raises(DatasetNotFoundError) as info:
        mnist.load_data(path=tmp_path / "given", download=False)
    message = str(info.value)
    assert message.startswith("MNIST: the data files were not found")
    for place in (tmp_path / "given", tmp_path / "given" / "mnist", tmp_path / "root" / "mnist",
                  tmp_path / "cache" / "mnist"):
        assert str(place) in message
    assert f"$CHAINRULE_DATA/mnist: {tmp_path / 'root' / 'mnist'} (missing t10k-labels-idx1-ubyte)" in message
    assert "no such folder" in message
    assert "load_data(path=" in message and "CHAINRULE_DATA" in message
    assert "copy them into the cache folder" in message
    assert isinstance(info.value, FileNotFoundError)
    monkeypatch.delenv("CHAINRULE_DATA")
    with pytest.raises(DatasetNotFoundError, match=re.escape("$CHAINRULE_DATA: not set")):
        mnist.load_data(download=False)


def test_offline_download_failure_joins_the_not_found_error(tmp_path, monkeypatch):
    monkeypatch.setattr(mnist, "MIRRORS", [closed_port_url()])
    with pytest.raises(DatasetNotFoundError) as info:
        mnist.load_data()
    message = str(info.value)
    assert "could not be downloaded" in message and "Download attempts:" in message
    assert mnist.MIRRORS[0] + "train-images-idx3-ubyte.gz" in message
    assert "t10k-images" not in message.split("Download attempts:")[1]  # stopped at the first file
    assert not os.listdir(tmp_path / "cache" / "mnist")


# --------------------------------------------------------------------------- downloading
def _mirror(tmp_path, name, tag):
    folder = tmp_path / name
    arrays = fake_set(folder, tag=tag)
    return folder, arrays, {stem: (md5(folder / (stem + ".gz")), None) for stem in STEMS}


def test_download_with_progress_checksum_and_atomic_move(tmp_path, monkeypatch, capsys):
    folder, arrays, files = _mirror(tmp_path, "mirror", tag=2)
    monkeypatch.setattr(mnist, "FILES", files)
    with serve(folder) as (url, asked):
        monkeypatch.setattr(mnist, "MIRRORS", [url])
        (x_train, y_train), (x_test, y_test) = mnist.load_data()
        assert sorted(asked) == sorted(f"/{stem}.gz" for stem in STEMS)
        np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte"])
        np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte"])
        cache = tmp_path / "cache" / "mnist"
        assert sorted(os.listdir(cache)) == sorted(stem + ".gz" for stem in STEMS)  # no temp files
        for stem in STEMS:
            assert md5(cache / (stem + ".gz")) == files[stem][0]
        progress = capsys.readouterr().err
        assert "train-images-idx3-ubyte.gz" in progress and "100%" in progress
        asked.clear()
        (x_again, _), _ = mnist.load_data()  # now served from the cache
        assert asked == [] and np.array_equal(x_again, x_train)


def test_download_only_what_the_cache_lacks(tmp_path, monkeypatch):
    folder, arrays, files = _mirror(tmp_path, "mirror", tag=3)
    monkeypatch.setattr(mnist, "FILES", files)
    cache = tmp_path / "cache" / "mnist"
    cache.mkdir(parents=True)
    for stem in STEMS[:2]:
        shutil.copy(folder / (stem + ".gz"), cache)
    with serve(folder) as (url, asked):
        monkeypatch.setattr(mnist, "MIRRORS", [url])
        mnist.load_data()
    assert sorted(asked) == sorted(f"/{stem}.gz" for stem in STEMS[2:])


def test_checksum_mismatch_is_rejected_and_the_next_mirror_used(tmp_path, monkeypatch):
    good_folder, arrays, files = _mirror(tmp_path, "good", tag=4)
    bad_folder, _, _ = _mirror(tmp_path, "bad", tag=5)  # same names, other bytes
    monkeypatch.setattr(mnist, "FILES", files)
    with serve(bad_folder) as (bad_url, bad_asked), serve(good_folder) as (good_url, good_asked):
        monkeypatch.setattr(mnist, "MIRRORS", [tmp_path.as_uri() + "/missing/", bad_url, good_url])
        (x_train, y_train), _ = mnist.load_data()
    assert y_train[0] == 4 and len(bad_asked) == 4 and len(good_asked) == 4
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte"])
    cache = tmp_path / "cache" / "mnist"
    assert sorted(os.listdir(cache)) == sorted(stem + ".gz" for stem in STEMS)


def test_checksum_mismatch_everywhere_leaves_the_cache_clean(tmp_path, monkeypatch):
    bad_folder, _, _ = _mirror(tmp_path, "bad", tag=6)
    monkeypatch.setattr(mnist, "FILES", {stem: ("0" * 32, None) for stem in STEMS})
    with serve(bad_folder) as (url, asked):
        monkeypatch.setattr(mnist, "MIRRORS", [url])
        with pytest.raises(DatasetNotFoundError, match="md5 [0-9a-f]{32} differs from the "
                                                       "published 0{32}; the download was discarded"):
            mnist.load_data()
    assert os.listdir(tmp_path / "cache" / "mnist") == []  # neither the file nor a temporary


def test_fashion_mnist_downloads_into_its_own_cache(tmp_path, monkeypatch):
    folder, arrays, files = _mirror(tmp_path, "zalando", tag=9)
    monkeypatch.setattr(fashion_mnist, "FILES", files)
    with serve(folder) as (url, _):
        monkeypatch.setattr(fashion_mnist, "MIRRORS", [url])
        (_, y_train), _ = fashion_mnist.load_data()
    assert y_train[0] == 9
    assert len(os.listdir(tmp_path / "cache" / "fashion_mnist")) == 4


def test_published_checksums():
    assert [mnist.FILES[s][0] for s in STEMS] == [
        "f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432",
        "9fb629c4189551a2d022fa330f9573f3", "ec29112dd5afa0611ce80d1b7f02629c"]
    assert [fashion_mnist.FILES[s][0] for s in STEMS] == [
        "8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe",
        "bef4ecab320f06d8554ea6380940ec79", "bb300cfdad3c16e7a12a480ee83cd310"]
    assert any("ossci-datasets" in m for m in mnist.MIRRORS)
    assert any("yann.lecun.com" in m for m in mnist.MIRRORS)


# --------------------------------------------------------------------------- embedded data sets
def test_digits_embedded():
    x, y = digits.load_data()
    assert x.shape == (1797, 8, 8) and x.dtype == np.uint8 and y.shape == (1797,)
    assert x.min() == 0 and x.max() == 16
    assert y[:10].tolist() == list(range(10))
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert x[0].ravel()[:8].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]


def test_digits_split_is_deterministic_and_partitions_the_data():
    (x_train, y_train), (x_test, y_test) = digits.load_data(test_split=0.2)
    assert len(x_train) == 1438 and len(x_test) == 359
    (x_train2, _), (x_test2, _) = digits.load_data(test_split=0.2)
    assert np.array_equal(x_train, x_train2) and np.array_equal(x_test, x_test2)
    (_, _), (x_test3, _) = digits.load_data(test_split=0.2, seed=1)
    assert not np.array_equal(x_test, x_test3)
    x, _ = digits.load_data()
    rows = lambda a: sorted(map(bytes, a.reshape(len(a), -1)))  # noqa: E731
    assert rows(np.concatenate([x_train, x_test])) == rows(x)
    with pytest.raises(ValueError, match=r"test_split must be a fraction in \[0, 1\)"):
        digits.load_data(test_split=1.5)


def test_shipped_file_checksum_is_verified(monkeypatch):
    monkeypatch.setattr(digits, "SHA256", "0" * 64)
    with pytest.raises(CorruptFileError, match="digits.csv.gz: sha256 .* reinstall chainrule"):
        digits.load_data()


def test_iris_embedded():
    x, y = iris.load_data()
    assert x.shape == (150, 4) and x.dtype == np.float32 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [50, 50, 50]
    np.testing.assert_allclose(x[0], [5.1, 3.5, 1.4, 0.2], rtol=1e-6)
    assert iris.CLASS_NAMES == ("setosa", "versicolor", "virginica")
    (x_train, y_train), (x_test, y_test) = iris.load_data(test_split=0.2, seed=0)
    assert x_train.shape == (120, 4) and y_test.shape == (30,)


def test_shakespeare_embedded_slice_is_the_recorded_one():
    text = shakespeare.load_data()
    assert len(text) == shakespeare.SLICE_LENGTH == 299_868
    assert hashlib.sha256(text.encode("ascii")).hexdigest() == shakespeare.SLICE_SHA256
    assert text.startswith("First Citizen:\nBefore we proceed any further") and text.endswith("?\n")
    assert len(set(text)) == 62


@pytest.mark.skipif(not (DATA_ROOT / "shakespeare").is_dir(),
                    reason=f"tiny Shakespeare is not at {DATA_ROOT}/shakespeare (set CHAINRULE_DATA)")
def test_shakespeare_full_text_from_chainrule_data_path_or_file(monkeypatch):
    monkeypatch.setenv("CHAINRULE_DATA", str(DATA_ROOT))
    full = shakespeare.load_data(full=True, verify=True)
    assert len(full) == 1_115_394
    assert full.startswith(shakespeare.load_data())      # the slice is the text's beginning
    assert full[shakespeare.SLICE_LENGTH - 1:shakespeare.SLICE_LENGTH + 1] == "\n\n"
    monkeypatch.delenv("CHAINRULE_DATA")
    folder = DATA_ROOT / "shakespeare"
    assert shakespeare.load_data(path=folder) == full
    assert shakespeare.load_data(path=folder / "tinyshakespeare.txt.gz", verify=True) == full


def test_shakespeare_full_text_missing_lists_the_places_searched(monkeypatch, tmp_path):
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "root"))
    with pytest.raises(DatasetNotFoundError) as info:
        shakespeare.load_data(full=True)
    message = str(info.value)
    assert "Looked for tinyshakespeare.txt[.gz] in:" in message
    assert f"$CHAINRULE_DATA/shakespeare: {tmp_path / 'root' / 'shakespeare'} (no such folder)" in message
    assert "(downloading is off)" in message and "load_data(path=" in message


def test_shakespeare_reads_a_text_of_your_own(tmp_path):
    own = tmp_path / "sonnet.txt"
    own.write_text("Shall I compare thee to a summer's day?\n")
    assert shakespeare.load_data(path=own) == "Shall I compare thee to a summer's day?\n"
    (tmp_path / "tinyshakespeare.txt.gz").write_bytes(gzip.compress(b"Thou art more lovely\n"))
    assert shakespeare.load_data(path=tmp_path) == "Thou art more lovely\n"
    with pytest.raises(CorruptFileError, match=f"{own}: sha256 of the text is .*, expected 86c4e6aa"):
        shakespeare.load_data(path=own, verify=True)


# --------------------------------------------------------------------------- generated data sets
@pytest.mark.parametrize("make, x_shape, y_shape, y_kind", [
    (lambda **k: datasets.xor(100, 0.1, **k), (100, 2), (100,), "i"),
    (lambda **k: datasets.spirals(90, 3, 0.2, **k), (90, 2), (90,), "i"),
    (lambda **k: datasets.moons(101, 0.1, **k), (101, 2), (101,), "i"),
    (lambda **k: datasets.regression_line(50, 3.0, -1.0, 0.1, **k), (50, 1), (50, 1), "f"),
])
def test_generated_shapes_dtypes_and_reproducibility(make, x_shape, y_shape, y_kind):
    x, y = make(seed=0)
    assert x.shape == x_shape and x.dtype == np.float32 and y.shape == y_shape
    assert y.dtype == (np.int64 if y_kind == "i" else np.float32)
    x2, y2 = make(seed=0)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    assert not np.array_equal(make(seed=1)[0], x)
    cr.manual_seed(5)
    a = make()[0]
    cr.manual_seed(5)
    assert np.array_equal(make()[0], a)


def test_generated_contents():
    x, y = datasets.xor(4, noise=0)
    assert x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and y.tolist() == [0, 1, 1, 0]
    x, y = datasets.spirals(300, classes=3, noise=0, seed=0)
    assert np.bincount(y).tolist() == [100, 100, 100]
    np.testing.assert_allclose(np.linalg.norm(x, axis=1).max(), 1.0, rtol=1e-6)
    x, y = datasets.moons(200, noise=0, seed=0)
    np.testing.assert_allclose(np.linalg.norm(x[y == 0], axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(x[y == 1] - [1, 0.5], axis=1), 1.0, rtol=1e-5)
    x, y = datasets.regression_line(1000, slope=2.0, intercept=1.0, noise=0, seed=0)
    np.testing.assert_allclose(y, 2 * x + 1, rtol=1e-6)
    assert x.min() >= -1 and x.max() < 1
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        datasets.xor(0)
    with pytest.raises(ValueError, match="noise must be >= 0"):
        datasets.moons(10, noise=-1)


def test_brackets_labels_say_whether_each_string_is_balanced():
    x, y = datasets.brackets(2001, length=20, seed=0)
    assert x.shape == (2001, 20) and x.dtype == np.int64 and y.dtype == np.int64
    depth = np.cumsum(np.where(x == 0, 1, -1), axis=1)
    assert np.array_equal(y, (depth.min(axis=1) >= 0).astype(np.int64))
    assert np.array_equal(y, np.arange(2001) % 2)
    # no shortcut: same bracket counts, same first and last character in both classes
    assert (depth[:, -1] == 0).all() and (x[:, 0] == 0).all() and (x[:, -1] == 1).all()


def test_brackets_are_uniform_within_each_class():
    x, y = datasets.brackets(28_000, length=8, seed=1)
    strings = np.array(["".join("()"[t] for t in row) for row in x.tolist()])
    for label, kinds in ((1, 14), (0, 6)):   # 14 balanced strings '(' + 6 + ')', 6 unbalanced
        _, counts = np.unique(strings[y == label], return_counts=True)
        assert len(counts) == kinds
        np.testing.assert_allclose(counts, 14_000 / kinds, rtol=0.12)


def test_brackets_seeding_and_length_checks():
    x, y = datasets.brackets(50, 12, seed=3)
    x2, y2 = datasets.brackets(50, 12, seed=3)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    assert not np.array_equal(datasets.brackets(50, 12, seed=4)[0], x)
    cr.manual_seed(5)
    a = datasets.brackets(50, 12)[0]
    cr.manual_seed(5)
    assert np.array_equal(datasets.brackets(50, 12)[0], a)
    for length in (4, 7, 12.5):
        with pytest.raises(ValueError, match="length must be an even integer >= 6"):
            datasets.brackets(10, length)
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        datasets.brackets(0)


# --------------------------------------------------------------------------- to_categorical
def test_to_categorical_like_keras():
    out = to_categorical([0, 2, 1])
    assert out.dtype == np.float32 and out.tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    assert to_categorical(np.array([1, 0]), num_classes=4).shape == (2, 4)
    assert to_categorical(np.array([[1], [3]])).shape == (2, 4)          # trailing 1 dropped
    assert to_categorical(np.zeros((2, 3), int), 5).shape == (2, 3, 5)
    assert to_categorical([1.0, 0.0]).tolist() == [[0, 1], [1, 0]]
    assert to_categorical([1], 2, dtype="float64").dtype == np.float64
    t = to_categorical(cr.tensor([2, 0]), 3)
    assert isinstance(t, cr.Tensor) and t.numpy().tolist() == [[0, 0, 1], [1, 0, 0]]
    np.testing.assert_array_equal(to_categorical(np.arange(10, dtype=np.uint8)), np.eye(10))


def test_to_categorical_errors():
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\); found 3 at flat index 1"):
        to_categorical([0, 3], num_classes=3)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\); found -1"):
        to_categorical([-1, 2], num_classes=3)
    with pytest.raises(ValueError, match="whole numbers"):
        to_categorical([0.5, 1.0])
    with pytest.raises(ValueError, match="cannot infer num_classes"):
        to_categorical([])
    with pytest.raises(TypeError, match="must be integers"):
        to_categorical(["a"])


def test_top_level_imports():
    assert cr.datasets.mnist.load_data is mnist.load_data
    assert cr.data.DataLoader.__name__ == "DataLoader"
    assert cr.utils.to_categorical is to_categorical
