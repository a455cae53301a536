"""Prints how long each notebook took to execute, after the test summary."""

from __future__ import annotations

BUDGET_S = 25.0  # per notebook with MINIGRAD_NOTEBOOK_SMALL=1 (the suite must stay under 3 minutes)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """One line per executed notebook (test_notebook_runs records ``notebook_seconds``)."""
    times = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            for key, value in getattr(report, "user_properties", ()):
                if key == "notebook_seconds" and getattr(report, "when", "call") == "call":
                    times[report.nodeid.rsplit("[", 1)[-1].rstrip("]")] = value
    if not times:
        return
    terminalreporter.section("notebook execution times (MINIGRAD_NOTEBOOK_SMALL=1)")
    for stem, seconds in sorted(times.items()):
        flag = f"  (over the {BUDGET_S:.0f} s budget)" if seconds > BUDGET_S else ""
        terminalreporter.write_line(f"{seconds:7.1f} s  {stem}{flag}")
    terminalreporter.write_line(f"{sum(times.values()):7.1f} s  total, kernel start-up included")
