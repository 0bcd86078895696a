"""Finding a data set's files on disk, and downloading them into the cache when they are not there.

Places are searched in a fixed order: the folder passed as ``path=``, then
``$CHAINRULE_DATA/<name>/``, then the cache folder (``$CHAINRULE_CACHE/<name>/``, else
``$XDG_CACHE_HOME/chainrule/<name>/``, else ``~/.cache/chainrule/<name>/``).  Only when no
place holds every file are the missing ones downloaded into the cache: streamed to a
temporary file beside their final place, checked against their md5, flushed to disk, and
moved into place atomically, so the cache never holds a partial or wrong file.
"""
import hashlib
import os
import tempfile

from chainrule._files import fsync_directory

USER_AGENT = "chainrule-datasets/0.1 (+https://github.com/)"
TIMEOUT_S = 30
_CHUNK = 1 << 16


class DatasetNotFoundError(FileNotFoundError):
    """A data set's files are nowhere on disk and could not be downloaded."""


class ChecksumError(ValueError):
    """A downloaded file's checksum differs from the published one."""


def cache_root():
    """The folder that holds chainrule's downloads (``$CHAINRULE_CACHE`` overrides it)."""
    if os.environ.get("CHAINRULE_CACHE"):
        return os.path.expanduser(os.environ["CHAINRULE_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "chainrule")


def cache_dir(name):
    """The cache folder of data set ``name``, e.g. ``~/.cache/chainrule/mnist``."""
    return os.path.join(cache_root(), name)


def name_variants(stem):
    """File names that may hold ``stem``: gzipped or raw, '-idx' or '.idx' (as some copies spell it)."""
    stems = [stem] if "-idx" not in stem else [stem, stem.replace("-idx", ".idx")]
    return [s + ext for s in stems for ext in (".gz", "")]


def find_files(folder, stems):
    """``({stem: path}, [missing stems])`` for the files of ``stems`` in ``folder``."""
    found, missing = {}, []
    for stem in stems:
        for name in name_variants(stem):
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                found[stem] = candidate
                break
        else:
            missing.append(stem)
    return found, missing


def search_places(folder_names, path=None):
    """The folders to search, in order, as ``(label, folder or None)`` (None: variable unset)."""
    places = []
    if path is not None:
        path = os.path.expanduser(os.fspath(path))
        places.append(("path", path))
        places += [(f"path/{n}", os.path.join(path, n)) for n in folder_names]
    data_root = os.environ.get("CHAINRULE_DATA")
    if data_root:
        data_root = os.path.expanduser(data_root)
        places += [(f"$CHAINRULE_DATA/{n}", os.path.join(data_root, n)) for n in folder_names]
    else:
        places.append(("$CHAINRULE_DATA", None))
    places.append(("cache", cache_dir(folder_names[0])))
    return places


def _progress_bar(total, desc):
    try:
        from tqdm import tqdm
    except ImportError:  # tqdm is a dependency, but a missing bar must not stop a download
        return None
    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024)


def download_file(url, destination, md5, progress=True, timeout=TIMEOUT_S):
    """Download ``url`` to ``destination``, accepting it only if its md5 is ``md5``.

    The bytes go to a temporary file in the destination's folder, with a progress bar;
    after the checksum matches, the file is fsynced and renamed into place with
    ``os.replace`` (atomic), so a failed or wrong download leaves nothing behind.
    """
    import urllib.request  # imported here: loading local files needs no network machinery

    folder = os.path.dirname(destination) or "."
    os.makedirs(folder, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(destination) + ".",
                                     suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
            with urllib.request.urlopen(request, timeout=timeout) as response:
                total = int(response.headers.get("Content-Length") or 0) or None
                bar = _progress_bar(total, os.path.basename(destination)) if progress else None
                digest = hashlib.md5(usedforsecurity=False)
                try:
                    while True:
                        chunk = response.read(_CHUNK)
                        if not chunk:
                            break
                        out.write(chunk)
                        digest.update(chunk)
                        if bar is not None:
                            bar.update(len(chunk))
                finally:
                    if bar is not None:
                        bar.close()
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != md5:
            raise ChecksumError(f"md5 {digest.hexdigest()} differs from the published {md5}; "
                                f"the download was discarded")
        os.replace(temporary, destination)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    fsync_directory(folder)
    return destination


def fetch(title, folder_names, md5s, mirrors, path=None, download=True, progress=True):
    """The paths of a data set's files: found on disk in the search order, else downloaded.

    ``md5s`` maps each file stem (e.g. 'train-images-idx3-ubyte') to the md5 of its
    published .gz; ``mirrors`` are base URLs tried in turn for each missing file.  Raises
    ``DatasetNotFoundError`` listing every place searched and how to supply the files.
    """
    stems = list(md5s)
    report = []
    for label, folder in search_places(folder_names, path):
        if folder is None:
            report.append(f"{label}: not set")
            continue
        if not os.path.isdir(folder):
            report.append(f"{label}: {folder} (no such folder)")
            continue
        found, missing = find_files(folder, stems)
        if not missing:
            return found
        report.append(f"{label}: {folder} (missing {', '.join(missing)})")
    cache = cache_dir(folder_names[0])
    failures = []
    if download and mirrors:
        import http.client

        found, missing = find_files(cache, stems) if os.path.isdir(cache) else ({}, stems)
        for stem in missing:
            destination = os.path.join(cache, stem + ".gz")
            for base in mirrors:
                url = base.rstrip("/") + "/" + stem + ".gz"
                try:
                    found[stem] = download_file(url, destination, md5s[stem], progress)
                    break
                except (OSError, http.client.HTTPException, ChecksumError, ValueError) as error:
                    failures.append(f"{url}: {error}")
            else:
                break  # this file is unobtainable: the others need not be tried
        else:
            return found
    raise DatasetNotFoundError(_not_found_message(title, folder_names, stems, report, failures,
                                                  download and bool(mirrors), cache))


def _not_found_message(title, folder_names, stems, report, failures, downloading, cache):
    wanted = ", ".join(f"{s}[.gz]" for s in stems)
    lines = [f"{title}: the data files were not found"
             + (" and could not be downloaded." if downloading else " (downloading is off)."),
             f"Looked for {wanted} in:"]
    lines += [f"  {i}. {entry}" for i, entry in enumerate(report, 1)]
    if failures:
        lines.append("Download attempts:")
        lines += [f"  - {failure}" for failure in failures]
    files, them = ("the file", "it") if len(stems) == 1 else (f"the {len(stems)} files", "them")
    lines += [f"To supply {files} without a network, copy {files} (gzipped or not) "
              f"into one folder and either:",
              "  - pass it as load_data(path='/that/folder'),",
              f"  - or set CHAINRULE_DATA so that the folder is $CHAINRULE_DATA/{folder_names[0]}/,",
              f"  - or copy {them} into the cache folder {cache}/."]
    return "\n".join(lines)
