"""Stop signals (adapters.stops): SIGTERM like Ctrl-C, held blocks, ignoring after a stop, lost stops noted."""

from __future__ import annotations

import os
import signal
import time

import pytest

from salesanalytics.adapters import stops as S


@pytest.fixture(autouse=True)
def _handlers_back():
    """Every test starts from Python's own handlers (pytest may run under ``nohup`` or in the background, where
    a stop signal is inherited as ignored and rightly left alone) and leaves them as it found them."""
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    yield
    for signum, handler in before.items():
        signal.signal(signum, handler)


def _send(signum: int) -> None:
    """Send ``signum`` to this process and give Python the bytecodes to run its handler."""
    os.kill(os.getpid(), signum)
    for _ in range(100):
        time.sleep(0.01)


def test_policy_turns_sigterm_and_sighup_into_a_stop_and_restores():
    before = signal.getsignal(signal.SIGTERM)
    restore = S.policy()
    try:
        for signum in (signal.SIGTERM, signal.SIGHUP):
            with pytest.raises(S.Stopped) as stopped:
                _send(signum)
            assert stopped.value.signum == signum and isinstance(stopped.value, KeyboardInterrupt)
            # the same signal is ignored from then on: a second one cannot cut the cleanup short
            assert signal.getsignal(signum) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # Ctrl-C stays Python's
    finally:
        restore()
    assert signal.getsignal(signal.SIGTERM) is before


def test_policy_keeps_a_signal_inherited_as_ignored():
    """``nohup salesanalytics …``: SIGHUP was ignored before the command started, and stays so."""
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    restore = S.policy()
    try:
        _send(signal.SIGHUP)  # nothing happens
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        restore()


def test_held_delivers_a_stop_after_the_block_and_drain_drops_it():
    order = []
    with pytest.raises(KeyboardInterrupt):
        with S.held():
            _send(signal.SIGINT)
            order.append("block finished")  # the stop did not cut the block
    assert order == ["block finished"]
    with S.held(drain=True):
        _send(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handlers back as they were


def test_ignore_ignores_every_stop_signal():
    S.ignore()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        assert signal.getsignal(signum) is signal.SIG_IGN
    _send(signal.SIGINT)  # nothing happens


def test_noting_notes_a_stop_that_acts_as_before(monkeypatch):
    monkeypatch.setattr(S, "PROCESS", None)  # no command's notes in this process
    notes = S.noting()
    try:
        with pytest.raises(KeyboardInterrupt):
            _send(signal.SIGINT)
        assert notes.came == [signal.SIGINT]
        S.act_on_lost(S.Notes([], notes.handlers))  # nothing noted: nothing happens
    finally:
        notes.restore()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_stop_lost_before_the_callers_own_notes_is_found_in_the_commands(monkeypatch):
    """The CLI takes notes for the whole command (PROCESS); a caller's later notes that saw nothing fall back on them."""
    command = S.Notes([signal.SIGINT], {signal.SIGINT: signal.default_int_handler})
    monkeypatch.setattr(S, "PROCESS", command)
    with pytest.raises(KeyboardInterrupt):
        S.act_on_lost(S.Notes([], {}))
    monkeypatch.setattr(S, "PROCESS", S.Notes([], {}))
    S.act_on_lost(S.Notes([], {}))  # nothing anywhere: nothing happens


def test_nothing_is_swapped_outside_the_main_thread():
    """Python sets handlers only in the main thread: elsewhere every piece is a no-op, not an error."""
    import threading

    seen = []

    def work():
        seen.append(S.policy()())
        with S.held():
            seen.append("held")
        notes = S.noting()
        seen.append((notes.came, notes.handlers))
        S.ignore()

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert seen == [None, "held", ([], {})]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
