"""Stop signals (Ctrl-C, SIGTERM, SIGHUP): how every command is stopped, in one place.

A stop must end a command the same way whichever signal it is and wherever it lands: the cleanup
runs (temporary files, locks, kernels), earlier outputs stay, the exit code is 128 + the signal's
number, and no traceback is printed.  The pieces, all acting in the main thread only (where Python
runs signal handlers; elsewhere they do nothing):

* :func:`policy` — SIGTERM and SIGHUP raise :class:`Stopped`, a ``KeyboardInterrupt``, so they stop
  a command like Ctrl-C (the CLI, for every command);
* :func:`ignore` — once a stop has been handled, further ones are ignored until the process ends;
* :func:`held` — a block that must not be cut half-way (swapping a report set in, removing its
  temporary folder) gets a stop only after it;
* :func:`noting` and :func:`act_on_lost` — a stop whose exception Python lost (raised inside a
  weakref callback or ``__del__``, it is printed as "Exception ignored" and dropped) is noted and
  acted on by a caller that waits (the report driver's wait for its pages); :func:`run_acting_on_lost`
  makes long work of the main thread such a wait (the report driver's quarter state).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass, field

#: the signals that stop a run (SIGINT is Ctrl-C)
STOP_SIGNALS = ("SIGTERM", "SIGHUP", "SIGINT")


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised like Ctrl-C so that every cleanup runs (temporary files, locks, kernels)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _signals(names=STOP_SIGNALS) -> Iterator[int]:
    for name in names:
        signum = getattr(signal, name, None)
        if signum is not None:
            yield signum


def policy() -> Callable[[], None]:
    """Make SIGTERM and SIGHUP stop like Ctrl-C; returns a function restoring the old handlers.

    A handler inherited as "ignore" (``nohup``) is kept.  After the first signal the same signal
    is ignored, so a second one cannot break the cleanup half-way.
    """
    if not _main_thread():
        return lambda: None

    def stop(signum, frame):
        signal.signal(signum, signal.SIG_IGN)
        raise Stopped(signum)

    previous = {}
    for signum in _signals():
        if signum != signal.SIGINT and signal.getsignal(signum) is not signal.SIG_IGN:
            previous[signum] = signal.signal(signum, stop)

    def restore():
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    return restore


def ignore() -> None:
    """Ignore every stop signal from now on: the run has stopped and cleaned up."""
    if _main_thread():
        for signum in _signals(("SIGINT", "SIGTERM", "SIGHUP")):  # Ctrl-C first: the one a user presses again
            signal.signal(signum, signal.SIG_IGN)


def _deliver(signum: int, handler, frame=None) -> None:
    """Act on ``signum`` as ``handler`` (what was set before it was held or noted) would have."""
    if callable(handler):
        handler(signum, frame)
    else:  # the default action (a caller without handlers): the process ends as the signal says
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


@contextlib.contextmanager
def held(drain: bool = False):
    """Hold the stop signals back while the block runs: one that comes is acted on after it (``drain``: dropped).

    The handlers are swapped for a recorder, then restored; a recorded signal then goes to the
    handler it was meant for (the CLI's stop, Ctrl-C's KeyboardInterrupt, or the default action).
    """
    if not _main_thread():
        yield
        return
    came: list[int] = []
    previous = {}
    for signum in _signals():
        if signal.getsignal(signum) not in (signal.SIG_IGN, None):
            previous[signum] = signal.signal(signum, lambda number, frame: came.append(number))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if came and not drain:
        _deliver(came[0], previous[came[0]])


@dataclass
class Notes:
    """Stop signals noted while they act as before (:func:`noting`)."""

    came: list = field(default_factory=list)  # signal numbers, in order
    handlers: dict = field(default_factory=dict)  # signal number -> the handler it had before
    restore: Callable[[], None] = lambda: None


def noting() -> Notes:
    """Note every stop signal while it still acts as before (call ``restore()`` of the result when done).

    Python runs a signal's handler at the next bytecode of the main thread, wherever that is.  When that is
    inside a weakref callback or a ``__del__`` (a ``WeakSet`` being emptied by the garbage collector, say),
    the KeyboardInterrupt it raises is printed as "Exception ignored" and lost: Ctrl-C did nothing.  The
    notes let a caller that waits see such a stop and act on it (:func:`act_on_lost`).
    """
    notes = Notes()
    if not _main_thread():
        return notes
    for signum in _signals():
        handler = signal.getsignal(signum)
        if handler in (signal.SIG_IGN, None):
            continue

        def noting_(number, frame, handler=handler):
            notes.came.append(number)
            _deliver(number, handler, frame)

        notes.handlers[signum] = handler
        signal.signal(signum, noting_)

    def restore() -> None:
        for signum, handler in notes.handlers.items():
            signal.signal(signum, handler)

    notes.restore = restore
    return notes


#: the notes of the whole command (the CLI takes them at its start for commands that wait, such as
#: ``report``): a stop lost before a caller's own notes were taken is still acted on
PROCESS: Notes | None = None


def wait_acting_on_lost(future: Future, notes: Notes, poll: float) -> None:
    """Wait until ``future`` is done, acting on a stop whose interrupt Python lost within ``poll`` seconds.

    A stop that is not lost raises here at once (the wait is interruptible).  The one wait of the report
    driver: for its pages and for the quarter's state (:func:`run_acting_on_lost`).
    """
    while not futures_wait([future], timeout=poll).done:
        act_on_lost(notes)


def run_acting_on_lost(fn: Callable[[], object], notes: Notes, poll: float) -> object:
    """``fn()`` in a worker thread while this thread waits (:func:`wait_acting_on_lost`).

    For long work of the main thread (the report driver computing the quarter's state while the kernels
    start): a stop whose interrupt Python lost inside it (a weakref callback run by the garbage collector)
    was acted on only when the work ended, 20-30 s later on a loaded machine.  On a stop the worker is
    left to finish in the background (a daemon thread, not a pool's: it does not hold the process open).
    ``fn``'s result is returned and its exception raised here.
    """
    future: Future = Future()

    def work() -> None:
        try:
            future.set_result(fn())
        except BaseException as exc:  # noqa: BLE001 — handed to the waiting thread as it is
            future.set_exception(exc)

    threading.Thread(target=work, name="salesanalytics-work", daemon=True).start()
    wait_acting_on_lost(future, notes, poll)
    return future.result()


def act_on_lost(notes: Notes) -> None:
    """Raise the interrupt of a stop signal that came (noted by :func:`noting`) but whose exception was lost.

    Call it only where a raised stop would have ended the wait already (so a noted stop there was lost).
    The signal's own handler raises it again (Ctrl-C's KeyboardInterrupt, :class:`Stopped` for SIGTERM);
    a handler that does not raise still stops the run.  Nothing came: nothing happens.
    """
    if not notes.came and PROCESS is not None and PROCESS.came:
        notes = PROCESS
    if not notes.came:
        return
    handler = notes.handlers.get(notes.came[0])
    if callable(handler):
        handler(notes.came[0], None)
    raise KeyboardInterrupt
