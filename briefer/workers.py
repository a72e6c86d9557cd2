"""The run's worker processes (one per core): a pool that applies a picklable piece of work to
chunks of inputs and gives one result per input, in order (briefer.parallel uses it to read
and to summarize; briefer.halves to tell stories beside the main process).

The workers are bounded and never outlive the run:
- each input has a time budget (INPUT_BUDGET): a worker stuck on one is killed and replaced,
  and that input is reported as failed with the reason, the rest of the batch goes on;
- SIGTERM and SIGHUP are handled like Ctrl-C (`signals_interrupt`): the workers are stopped,
  no file is left half-written, then the run ends by the signal as it would have;
- a worker exits when its parent disappears, even by SIGKILL (a parent-death signal on Linux,
  and a watch on the parent's id everywhere).
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import importlib
import logging
import multiprocessing
import operator
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import ForkingPickler
from queue import SimpleQueue
from types import FrameType
from typing import Any

from briefer.errors import WorkersError
from briefer.records import Article, Block, Sentence, Summarized, Tale, TextFeatures

log = logging.getLogger(__name__)

# Below this many articles to summarize, starting worker processes costs more than it saves.
POOL_THRESHOLD = 200
CHUNK_SIZE = 200  # articles per task sent to a worker: big enough to keep pickling overhead low
# Seconds one input may take to clean and split (and a chunk to score) before its worker is
# replaced: an ordinary article takes a few milliseconds (10,000 in about 16 s on 2 cores),
# the worst real page in the dev data under a second; issue #15 asks for any input to be
# dealt with within 60 s, and this leaves room for the rest of the run.
INPUT_BUDGET = 30.0
# Tasks a worker holds at once: the one it works on and the next, waiting in its pipe, so it
# starts the next the moment it has sent a result instead of waiting for this process to take
# that result and send another. With one, each of the two workers of a 10,000-article run
# waited about 1 s in all for its next task, this process being busy storing what the other
# had sent (timeline of a cold run, issue 13). More would only lengthen the run's tail.
_IN_FLIGHT = 2
_PARENT_POLL = 1.0  # seconds between a worker's checks that its parent is still there
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

# (articles summarized so far, articles to summarize); called after each chunk.
Progress = Callable[[int, int], None]
# What a worker does with one task: (inputs, started) -> one result per input, in order;
# started(i) is called before the i-th input (and started(len(inputs)) before any work done
# for all of them at once), so a stuck input can be named.
Work = Callable[[list[Any], Callable[[int], None]], list[Any]]
# The result standing for an input its worker got stuck on (or died on): (input, why).
Lost = Callable[[Any, str], Any]
# Told each input's result as it comes in: (position among the inputs, result).
Each = Callable[[int, Any], None]


def in_workers(
    pool: Workers,
    items: Sequence[Any],
    work: Work,
    lost: Lost,
    verb: tuple[str, str],
    chunk_size: int = CHUNK_SIZE,
    progress: Progress | None = None,
    meanwhile: Sequence[str] = (),
    each: Each | None = None,
) -> list[Any]:
    """work applied to items in the pool's processes (work and the inputs and results must
    pickle), with the same bounds as the summarizing: a stuck or dead input gets
    lost(input, why), the rest go on."""
    total = len(items)
    size = min(chunk_size, -(-total // pool.count))
    chunks = [range(start, min(start + size, total)) for start in range(0, total, size)]
    results: list[Any] = [None] * total
    pool.run(items, chunks, work, lost, results, progress, verb, meanwhile, each)
    return results


# ---- the pool --------------------------------------------------------------------------------


def _by_fields(kind: type[Any]) -> Callable[[Any], tuple[type[Any], tuple[Any, ...]]]:
    fields = operator.attrgetter(*(item.name for item in dataclasses.fields(kind)))
    return lambda record: (kind, fields(record))


# The records a worker sends back (tens of thousands per run) are dataclasses with __slots__,
# which pickle through dataclasses' own __getstate__ and __setstate__: Python code looking
# the fields up on every call. Sent between our processes they go as (class, field values)
# instead, rebuilt by the class itself: the same records, unpickled in about half the time.
for _kind in (Article, Block, Sentence, Summarized, Tale, TextFeatures):
    ForkingPickler.register(_kind, _by_fields(_kind))


# Workers that may end before they begin any task, one after another, before the run gives
# up: a worker killed once (the out-of-memory killer, a stray signal) is replaced, but one
# that cannot start at all (a spawned interpreter that cannot re-read the caller's main
# script, `python - < script.py`) would otherwise be replaced for ever. Three: two chances
# after the first.
_START_TRIES = 3


class _Place:
    """Where a worker is in its task: the index of the input it is on, and since when (a
    monotonic clock in nanoseconds, which is the machine's, not the process's). Kept in
    memory shared with the parent rather than sent as a message per input: on a 10,000
    article run those were 20,000 messages, each waking the parent to unpickle it (issue 13).
    The parent looks when an input's budget would run out; an input that overran it but was
    done before the parent looked is told by the worker (`slowest`), with its task's result."""

    def __init__(self, context: Any) -> None:
        # The input's index, since when (ns), and which task it is of (1 for the first the
        # worker begun, 2 for the next...): a worker holds more than one (_IN_FLIGHT).
        self.cells = context.RawArray("q", 3)
        # The worker's own: the task's longest stretch on one input (ns) and that input, and
        # the tasks it has begun.
        self.at, self.since, self.longest, self.worst, self.begun = 0, 0, 0, 0, 0
        self.sent = 0  # the parent's own: the tasks it has sent this worker

    def begin(self) -> None:
        """A task has come: its first input is started on (told to the parent here, as the
        parent only marks the start of a task it sends to an idle worker)."""
        self.longest = 0
        self.begun += 1
        self.at, self.since = 0, time.monotonic_ns()
        self.cells[2] = self.begun
        self.cells[1] = self.since
        self.cells[0] = 0

    def mark(self, at: int) -> None:
        now = time.monotonic_ns()
        if now - self.since > self.longest:
            self.longest, self.worst = now - self.since, self.at
        self.at, self.since = at, now
        self.cells[1] = now  # the time first: a reader that sees the new index
        self.cells[0] = at  # then never pairs it with the old input's start

    def slowest(self) -> tuple[float, int]:
        """Once the task is done: (the longest seconds it spent on one input, that input)."""
        self.mark(self.at)
        return self.longest / 1e9, self.worst

    def read(self) -> tuple[int, float]:
        """(index, monotonic seconds since it started on it)."""
        while True:
            at, since, again = self.cells[0], self.cells[1], self.cells[0]
            if at == again:  # not moved on while read
                return at, since / 1e9

    def task(self) -> int:
        """The number of the task it is on (read once it is stopped: then it stays)."""
        return int(self.cells[2])


@dataclass
class _Busy:
    # Each task sent and not yet answered, oldest first, as (its number among the tasks sent
    # to the worker, the positions of its inputs): the worker works on them in order, and
    # the first is the one it is on, unless it has answered it and the answer is on its way.
    tasks: deque[tuple[int, list[int]]]
    place: _Place  # the worker's (shared with it)

    @property
    def task(self) -> list[int]:
        return self.tasks[0][1]

    def send(
        self, connection: Connection, work: Work, items: Sequence[Any], task: list[int]
    ) -> None:
        connection.send((work, [items[i] for i in task]))
        self.place.sent += 1
        self.tasks.append((self.place.sent, task))


class Workers:
    """One worker process per core, started when a run first needs them (forked while the
    run holds little, so they do not carry its texts) and kept for every stage after: each
    task sent is (work, inputs), and work(inputs, started) is run on it. `close` ends them;
    an error or a signal while they work ends them at once."""

    def __init__(
        self,
        preload: Sequence[str] = (),
        budget: float = INPUT_BUDGET,
        prepare: Callable[[], None] | None = None,
        start: str = "fork",
    ) -> None:
        self.count = os.cpu_count() or 1
        self.preload = preload  # modules imported before the fork, so the workers share them
        self.prepare = prepare  # called after those imports, before the fork
        self.budget = budget
        # fork: the workers share the modules imported here rather than each importing them.
        # spawn: each a fresh interpreter holding only what its work imports, for workers
        # started late in a run (a fork would then carry the run's heap: briefer.halves).
        self.context: Any = multiprocessing.get_context(start)
        self.idle: list[tuple[Any, Connection]] = []
        self.busy: dict[Connection, tuple[Any, _Busy]] = {}
        self.places: dict[Connection, _Place] = {}  # each worker's, by its pipe
        self.unstarted = 0  # workers ended before their first task, since a task was done

    def run(
        self,
        items: Sequence[Any],
        chunks: Sequence[range],
        work: Work,
        lost: Lost,
        results: list[Any],
        progress: Progress | None,
        verb: tuple[str, str],
        meanwhile: Sequence[str] = (),
        each: Each | None = None,
    ) -> None:
        """Each chunk of items' positions sent as one task; results filled in by position.
        meanwhile: modules to import here once the workers are at work; each(position,
        result) is called as each result comes in, while the others are still worked on."""
        self.verb = verb  # what the work is called in the lines naming a stuck input
        self.items = items
        self.work = work
        self.lost = lost
        self.results = results
        self.each = each
        self.untold: deque[int] = deque()  # positions of results not yet given to each
        self.progress = progress
        self.done = 0
        queue: deque[list[int]] = deque(list(chunk) for chunk in chunks)
        finished = False
        try:
            if not self.idle:
                for name in self.preload:
                    importlib.import_module(name)
                if self.prepare is not None:
                    self.prepare()
            while len(self.idle) < min(self.count, len(queue)):
                self.idle.append(self._start())
            while queue or self.busy:
                raise_if_signalled()
                self._feed(queue)
                for name in meanwhile:
                    importlib.import_module(name)
                meanwhile = ()
                self._tell()
                self._wait(queue)
            self._tell()
            finished = True
        finally:
            if not finished:  # unwinding (Ctrl-C, SIGTERM, an error): no worker outlives it
                self.close()
                # The results that came in are whole: each is told them even so, for the
                # caller to keep (the article store: a Ctrl-C as they were told, or in the
                # progress bar, lost up to a task per worker). The run's own error is the
                # one raised; a second Ctrl-C still stops it.
                with contextlib.suppress(Exception):
                    self._tell()
            # Not held past the run: the reading pass's results are every article's text,
            # cleaned blocks and words (~290 MB at 30,000 articles, issue 13).
            self.items, self.results, self.each = (), [], None

    def _feed(self, queue: deque[list[int]]) -> None:
        """Tasks from the queue to the workers: one to each idle worker, then more to the
        busy ones, up to _IN_FLIGHT each, while the queue holds more tasks than there are
        workers (its last few go to whichever worker is free first: a short tail)."""
        while queue and self.idle:
            process, connection = self.idle.pop()
            task = queue.popleft()
            busy = _Busy(deque(), self.places[connection])
            busy.place.mark(0)
            try:
                busy.send(connection, self.work, self.items, task)
            except OSError:  # it died while idle: the task goes to its replacement
                self._stop(process, connection)
                self._ended_unstarted(process)
                self.idle.append(self._start())
                queue.appendleft(task)
                continue
            self.busy[connection] = (process, busy)
        for held in range(1, _IN_FLIGHT):
            for connection, (_, busy) in list(self.busy.items()):
                if len(queue) <= self.count:
                    return
                if len(busy.tasks) > held:
                    continue
                task = queue.popleft()
                try:
                    busy.send(connection, self.work, self.items, task)
                except OSError:  # it died at work: _wait finds out and replaces it
                    queue.appendleft(task)

    def start(self, count: int) -> None:
        """Start workers now, up to count idle ones: a spawned worker's interpreter then
        starts up while this process works on, before its first task comes."""
        while len(self.idle) < min(count, self.count):
            self.idle.append(self._start())

    def warm(self, modules: Sequence[str]) -> None:
        """The idle workers import these modules now, while this process works on (no
        answer is sent): a spawned worker otherwise imports what its work needs with its
        first task, when the run waits on it."""
        for _, connection in self.idle:
            with contextlib.suppress(OSError):  # a dead one is found out when next sent to
                connection.send((_import_modules, list(modules)))

    def keep(self, count: int) -> None:
        """End the idle workers past the first count, and start no more than count from now
        on (a later stage that wants one process beside this one); 0: close."""
        while len(self.idle) > count:
            process, connection = self.idle.pop()
            self.places.pop(connection, None)
            _stop(process, connection, kill=False)
        if count:
            self.count = min(self.count, count)
        else:
            self.close()

    def close(self) -> None:
        """End every worker: the idle ones told to, the busy ones killed."""
        for process, connection in self.idle:
            _stop(process, connection, kill=False)
        for connection, (process, _) in self.busy.items():
            _stop(process, connection)
        self.idle.clear()
        self.busy.clear()
        self.places.clear()

    def _start(self) -> tuple[Any, Connection]:
        ours, theirs = self.context.Pipe()
        place = _Place(self.context)
        # A fresh interpreter imports the modules its work needs as it starts, and collects
        # as this process does (tuning.GC_THRESHOLD); a forked one has both from here.
        fresh = self.context.get_start_method() != "fork"
        imports = tuple(self.preload) if fresh else ()
        collect = gc.get_threshold() if fresh else None
        process = self.context.Process(
            target=_worker, args=(theirs, os.getpid(), place, imports, collect)
        )
        process.start()
        theirs.close()
        self.places[ours] = place
        return process, ours

    def _stop(self, process: Any, connection: Connection) -> None:
        self.places.pop(connection, None)
        _stop(process, connection)

    def _wait(self, queue: deque[list[int]]) -> None:
        budget = self.budget
        now = time.monotonic()
        deadline = min(busy.place.read()[1] + budget for _, busy in self.busy.values())
        for connection in wait(list(self.busy), timeout=max(0.0, deadline - now)):
            assert isinstance(connection, Connection)
            busy = self.busy[connection][1]
            try:
                kind, value, (longest, worst) = connection.recv()
            except (EOFError, OSError):
                self._lost(connection, queue, f"the process {self.verb[1]} it died")
                continue
            if kind == "done" and longest > budget:  # overran, unseen: as if seen
                self._lost(connection, queue, self._overran(), worst)
            elif kind == "done":
                for position, result in zip(busy.task, value, strict=True):
                    self._result(position, result)
                self._finished(connection)
            else:  # "error": a bug in briefer, raised here as it would be in one process
                raise value
        now = time.monotonic()
        for connection, (_, busy) in list(self.busy.items()):
            # A worker that has answered since is read first: it may be on its next task.
            if now - busy.place.read()[1] > budget and not connection.poll():
                self._lost(connection, queue, self._overran(), overran=True)

    def _ended_unstarted(self, process: Any) -> None:
        """A worker ended before it began a task: after _START_TRIES in a row, give up."""
        self.unstarted += 1
        if self.unstarted < _START_TRIES:
            return
        main = getattr(sys.modules.get("__main__"), "__file__", None)
        hint = (
            f"; the main script {main} cannot be read again by a new interpreter: "
            "run it from a file"
            if main is not None and not os.path.exists(main)
            else ""
        )
        raise WorkersError(
            f"briefer's worker processes end as they start ({self.unstarted} in a row, "
            f"exit code {process.exitcode}){hint}"
        )

    def _overran(self) -> str:
        return f"took longer than {self.budget:g} s to {self.verb[0]}"

    def _result(self, position: int, result: Any) -> None:
        self.results[position] = result
        if self.each is not None:
            self.untold.append(position)

    def _tell(self) -> None:
        """each told the results that came in, once their workers have their next task."""
        untold, each = self.untold, self.each
        while untold:  # each one taken before it is told: never told twice
            position = untold.popleft()
            if each is not None:
                each(position, self.results[position])

    def _finished(self, connection: Connection) -> None:
        process, busy = self.busy[connection]
        self.done += len(busy.tasks.popleft()[1])
        self.unstarted = 0
        if not busy.tasks:
            del self.busy[connection]
            self.idle.append((process, connection))
        if self.progress is not None:
            self.progress(self.done, len(self.items))

    def _lost(
        self,
        connection: Connection,
        queue: deque[list[int]],
        why: str,
        at: int | None = None,
        overran: bool = False,
    ) -> None:
        """The worker on connection is stuck or dead (or overran on input at): replace it;
        the input it was on fails, the rest of its task goes back in the queue (one by one
        when it stuck scoring them all, to find the one that does), and so do the tasks that
        waited in its pipe, or were answered with answers lost with it."""
        process, busy = self.busy.pop(connection)
        self._stop(process, connection)  # first: where it was no longer moves
        if at is None and not overran and busy.place.task() == 0:
            self._ended_unstarted(process)  # it died before it began its first task
        if at is None:
            on, at = busy.place.task(), busy.place.read()[0]
            if overran and on < busy.tasks[0][0]:
                # Its budget ran out before it began the task it was sent while idle: the
                # clock was this process's, started on the task's first input at the send
                # (_feed). Without a culprit the task would go back as it was, and with a
                # budget shorter than a worker takes to start (the tests' nanosecond, or a
                # loaded machine) the same task would be sent and lost forever.
                on, at = busy.tasks[0][0], 0
        else:  # it answered the task it overran in: the first
            on = busy.tasks[0][0]
        self.idle.append(self._start())
        others = [task for number, task in busy.tasks if number != on]
        queue.extendleft(reversed(others))
        stuck = [task for number, task in busy.tasks if number == on]
        if not stuck:  # it died between two tasks: no input to blame
            return
        task = stuck[0]
        if at < len(task):  # stuck on (or killed by) one input
            culprit, rest = task[at], task[:at] + task[at + 1 :]
        elif len(task) == 1:  # stuck choosing the sentences of its only input
            culprit, rest = task[0], []
        else:  # stuck choosing for a whole chunk: each input alone finds the one
            queue.extendleft([position] for position in reversed(task))
            return
        self._result(culprit, self.lost(self.items[culprit], why))
        self.done += 1
        if rest:  # those before the culprit are worked out again with those after it
            queue.appendleft(rest)


def _stop(process: Any, connection: Connection, kill: bool = True) -> None:
    """End a worker: an idle one is told to, one at work (or stuck) is killed."""
    if not kill:
        with contextlib.suppress(OSError):
            connection.send(None)
        process.join(_PARENT_POLL)
    connection.close()
    if process.is_alive():
        process.kill()
    process.join()


def _worker(
    connection: Connection,
    parent: int,
    place: _Place,
    imports: Sequence[str] = (),
    collect: tuple[int, ...] | None = None,
) -> None:
    """A worker's life: work on each task sent until the pipe closes, marking in place the
    input it is on (imports: modules to import first; collect: the collector's thresholds)."""
    if collect is not None:
        gc.set_threshold(*collect)
    gc.enable()  # a forked worker: a run turns it off in its own process (tuning.tuned_run)
    _die_with_parent(parent)
    # Ctrl-C reaches the whole process group; the parent stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    for module in imports:
        importlib.import_module(module)

    # Results are sent by a thread of their own while the next task is worked on: a result
    # is megabytes, and sending it waits on the parent reading it, which it does between
    # storing what the other workers sent (each worker of a 10,000-article run waited about
    # 0.8 s in all so, issue 13). One thread, so they arrive in order.
    outbox: SimpleQueue[memoryview | None] = SimpleQueue()

    def send_each() -> None:
        while (message := outbox.get()) is not None:
            try:
                connection.send_bytes(message)
            except OSError:  # the parent has gone: nothing more to send to
                return

    sender = threading.Thread(target=send_each, daemon=True)
    sender.start()
    try:
        while True:
            try:
                sent = connection.recv()
            except (EOFError, OSError):
                break
            if sent is None:
                break
            work, task = sent
            if work is _import_modules:  # Workers.warm: nothing to answer
                _import_modules(task)
                continue
            place.begin()
            try:
                message: tuple[str, Any, Any] = ("done", work(task, place.mark), place.slowest())
            except Exception as error:  # sent to the parent, which raises it
                message = ("error", error, (0.0, 0))
            outbox.put(ForkingPickler.dumps(message))  # what connection.send would send
    finally:
        outbox.put(None)
        sender.join()
    # Ended at once, its output flushed: a spawned worker would otherwise go through the
    # interpreter's finalization, freeing every object it made, while the run waits on it
    # in Workers.close (the telling's worker, cold 10k at load ~6: 0.40 s of the main
    # process's wall; a forked one ends so already, 0.02-0.03 s).
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    os._exit(0)


def _import_modules(names: Sequence[str]) -> None:
    for name in names:
        importlib.import_module(name)


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it died before the signal was asked for
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_POLL)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


# ---- signals ----------------------------------------------------------------------------------


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived: unwound like Ctrl-C, then the process ends by that signal."""

    def __init__(self, number: int) -> None:
        super().__init__(signal.Signals(number).name)
        self.number = number


# Signals taken during the current signals_interrupt block. The handler raises at once, but
# Python drops an exception raised where it cannot be propagated (in an at-fork hook while a
# worker starts, say); the pool loop and the block's end check this list, so none is lost.
_received: list[int] = []


def raise_if_signalled() -> None:
    if _received:
        raise Terminated(_received[-1])


@contextlib.contextmanager
def signals_interrupt() -> Iterator[None]:
    """For the block, SIGTERM and SIGHUP raise Terminated, so the same cleanup as for Ctrl-C
    runs (workers stopped, temporary files removed, what the run worked out stored); once the
    block has unwound, the process ends by the signal. Only the main thread can take signals;
    other threads run the block as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(number: int, frame: FrameType | None) -> None:
        _received.append(number)
        raise Terminated(number)

    _received.clear()
    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {name: signal.signal(getattr(signal, name), handler) for name in names}
    try:
        yield
        raise_if_signalled()
    except Terminated as stop:
        for name, old in previous.items():
            signal.signal(getattr(signal, name), old)
        previous = {}
        signal.signal(stop.number, signal.SIG_DFL)
        os.kill(os.getpid(), stop.number)
        raise
    finally:
        _received.clear()
        for name, old in previous.items():
            signal.signal(getattr(signal, name), old)
