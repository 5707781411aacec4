"""How the queue benches time a view: first paint, search and filter changes, a sort."""

from __future__ import annotations

import statistics
import time

from PySide6.QtCore import Qt


def first_paint(app, make_view):
    started = time.perf_counter()
    view = make_view()
    view.resize(1280, 800)
    view.show()
    app.processEvents()
    return view, time.perf_counter() - started


def filters_p95(app, view, searches: list[str], boxes) -> float:
    """p95 of typing each search (three times) and of choosing every item of every filter box."""
    timings = []
    for text in searches * 3:
        started = time.perf_counter()
        view.search.setText(text)
        view.apply_filters()
        app.processEvents()
        timings.append(time.perf_counter() - started)
    view.search.setText("")
    for box in boxes:
        for index in list(range(box.count())) * 3:
            started = time.perf_counter()
            box.setCurrentIndex(index)
            app.processEvents()
            timings.append(time.perf_counter() - started)
        box.setCurrentIndex(0)
    return statistics.quantiles(timings, n=20)[18]


def sort_time(app, view, column: int) -> float:
    started = time.perf_counter()
    view.model.sort(column, Qt.SortOrder.DescendingOrder)
    app.processEvents()
    return time.perf_counter() - started
