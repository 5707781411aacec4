"""What both procedures' state machines share: a registry of named transitions, each allowed from
some states, and whether it concerns a given record at all (the UI offers only those)."""

from __future__ import annotations

from collections.abc import Callable

Transition = Callable[[dict, dict], dict]


class TransitionRegistry:
    def __init__(self) -> None:
        self.transitions: dict[str, tuple[frozenset, Transition]] = {}
        self.applies: dict[str, Callable[[dict], bool]] = {}

    def transition(self, name: str, *allowed, applies: Callable[[dict], bool] = lambda _p: True):
        def register(fn: Transition) -> Transition:
            self.transitions[name] = (frozenset(allowed), fn)
            self.applies[name] = applies
            return fn

        return register
