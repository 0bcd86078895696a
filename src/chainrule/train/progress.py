"""What ``fit`` shows while it trains: a live bar in a terminal, one line per epoch elsewhere.

The bar is tqdm's (steps, elapsed, ETA, running loss and metrics); nothing here moves a
cursor by hand.  verbose=0 is silent, 1 is the bar (or a line per epoch when the output
is not a terminal), 2 is always one line per epoch.
"""
import sys
import time


def resolve_verbose(verbose):
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2, False, True):
        raise ValueError(f"verbose must be 'auto', 0, 1 or 2, got {verbose!r}")
    return int(verbose)


def _format(logs):
    return " - ".join(f"{name}: {value:.4f}" for name, value in logs.items())


class EpochProgress:
    """The display of one epoch: ``update`` after each batch, ``close`` with the epoch's logs."""

    def __init__(self, epoch, epochs, steps, verbose, stream=None):
        self.stream = stream or sys.stdout
        self.header = f"Epoch {epoch + 1}/{epochs}"
        self.steps, self.start = steps, time.perf_counter()
        self.bar = None
        self.enabled = verbose > 0
        interactive = verbose == 1 and getattr(self.stream, "isatty", lambda: False)()
        if interactive:
            from tqdm import tqdm

            self.bar = tqdm(total=steps, desc=self.header, file=self.stream, unit="step",
                            dynamic_ncols=True, leave=True, mininterval=0.1)
        self._last_refresh = 0.0

    def update(self, running):
        if self.bar is None:
            return
        self.bar.update(1)
        now = time.perf_counter()
        if now - self._last_refresh > 0.2:  # formatting the metrics every step would cost more than the step
            self._last_refresh = now
            self.bar.set_postfix_str(_format(running.logs()), refresh=False)

    def close(self, logs):
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.set_postfix_str(_format(logs), refresh=False)
            self.bar.close()
            return
        elapsed = time.perf_counter() - self.start
        print(f"{self.header} - {self.steps} steps - {elapsed:.2f}s - {_format(logs)}",
              file=self.stream, flush=True)
