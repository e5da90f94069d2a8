"""A worker that only answers check-ins never loads the heavy renderers: matplotlib (charts),
openpyxl (workbooks, rosters) and python-docx (briefings) are imported inside the functions that
render, so importing the dispatcher, every handler and the scheduler's planner leaves them out."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("matplotlib", "openpyxl", "docx")

PROBE = """
import json, sys
import bot.kernel.dispatcher
import handlers
import reminders.planner
handlers.build_router()
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def _imported_after(code: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_dispatcher_handlers_and_planner_do_not_import_the_renderers():
    assert _imported_after(PROBE) & set(HEAVY) == set()


def test_the_probe_sees_a_renderer_once_it_is_used():
    """The probe itself can fail: rendering an export does load openpyxl."""
    used = PROBE.replace("handlers.build_router()", "from bot.render.exports import to_xlsx")
    assert "openpyxl" in _imported_after(used)
