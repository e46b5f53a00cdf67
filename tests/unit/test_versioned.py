"""forum_ops/versioned.py: a value computed once per data version, shared by every thread, and
the answers made from it computed once per version and question."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from forum_ops.versioned import Answers, ComputedOnce


@dataclass
class Store:
    """Stands for the database: a version stamp and the data it stamps."""

    version: int | None = None
    data: str = ""
    computed: list[str] = field(default_factory=list)


def cache() -> ComputedOnce[Store, str]:
    def compute(store: Store) -> str:
        time.sleep(0.01)  # long enough for racing threads to meet
        store.computed.append(store.data)
        return store.data.upper()

    return ComputedOnce(lambda store: store.version, compute)


def test_nothing_stored_is_none_and_computes_nothing() -> None:
    store, values = Store(), cache()
    assert values.get(store) is None
    assert store.computed == []


def test_computed_once_per_version_and_again_when_the_version_changes() -> None:
    store, values = Store(version=1, data="first"), cache()
    assert values.get(store) == "FIRST"
    assert values.get(store) == "FIRST"
    assert store.computed == ["first"]

    store.version, store.data = 2, "second"
    assert values.get(store) == "SECOND"
    assert values.get(store) == "SECOND"
    assert store.computed == ["first", "second"]


def test_threads_that_find_a_new_version_together_compute_it_once() -> None:
    store, values = Store(version=1, data="x"), cache()
    seen: list[str | None] = []
    threads = [threading.Thread(target=lambda: seen.append(values.get(store))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == ["X"] * 8
    assert store.computed == ["x"]


class Refused(Exception):
    """Stands for a ForumError: a refusal that is an answer too."""


@dataclass
class Clock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now


def counted(log: list[str], value: str) -> Callable[[], str]:
    def compute() -> str:
        time.sleep(0.01)  # long enough for racing threads to meet
        log.append(value)
        return value.upper()

    return compute


def test_an_answer_is_computed_once_per_version_and_key() -> None:
    answers: Answers[str] = Answers(size=8, fresh_for=60)
    log: list[str] = []
    assert answers.get(1, ("SEMH", "202"), counted(log, "camden")) == "CAMDEN"
    assert answers.get(1, ("SEMH", "202"), counted(log, "camden")) == "CAMDEN"
    assert answers.get(1, ("SEMH", "203"), counted(log, "greenwich")) == "GREENWICH"
    assert log == ["camden", "greenwich"]

    assert answers.get(2, ("SEMH", "202"), counted(log, "camden again")) == "CAMDEN AGAIN"
    assert len(answers) == 1  # the old version's answers are gone
    assert log == ["camden", "greenwich", "camden again"]


def test_at_most_size_answers_are_kept_the_least_recently_used_going_first() -> None:
    answers: Answers[str] = Answers(size=2, fresh_for=60)
    log: list[str] = []
    answers.get(1, "a", counted(log, "a"))
    answers.get(1, "b", counted(log, "b"))
    answers.get(1, "a", counted(log, "a"))  # a is used again: b is now the oldest
    answers.get(1, "c", counted(log, "c"))
    answers.get(1, "a", counted(log, "a"))
    answers.get(1, "b", counted(log, "b"))
    assert log == ["a", "b", "c", "b"]
    assert len(answers) == 2


def test_an_answer_is_computed_again_once_it_is_no_longer_fresh() -> None:
    clock = Clock()
    answers: Answers[str] = Answers(size=8, fresh_for=60, clock=clock)
    log: list[str] = []
    answers.get(1, "a", counted(log, "a"))
    clock.now = 59.9
    answers.get(1, "a", counted(log, "a"))
    clock.now = 60.0
    answers.get(1, "a", counted(log, "a"))
    assert log == ["a", "a"]


def test_a_refusal_is_kept_as_an_answer_and_any_other_error_is_not() -> None:
    answers: Answers[str] = Answers(size=8, fresh_for=60, keep_errors=(Refused,))
    calls: list[str] = []

    def refuse() -> str:
        calls.append("refuse")
        raise Refused("fewer than 5 placements")

    def fail() -> str:
        calls.append("fail")
        raise OSError("database gone")

    for _ in range(2):
        with pytest.raises(Refused, match="fewer than 5"):
            answers.get(1, "refused", refuse)
        with pytest.raises(OSError, match="database gone"):
            answers.get(1, "failed", fail)
    assert calls == ["refuse", "fail", "fail"]
    assert answers.get(1, "failed", lambda: "back") == "back"


def test_threads_asking_one_new_question_together_compute_it_once() -> None:
    answers: Answers[str] = Answers(size=8, fresh_for=60)
    log: list[str] = []
    seen: list[str] = []
    threads = [
        threading.Thread(target=lambda: seen.append(answers.get(1, "q", counted(log, "q"))))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == ["Q"] * 8
    assert log == ["q"]
