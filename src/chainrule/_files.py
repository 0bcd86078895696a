"""File-system helpers shared by the model files (io) and the data-set cache (datasets)."""
import os


def fsync_directory(directory):
    """Make a rename inside ``directory`` durable (POSIX); skipped where folders cannot be opened."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
