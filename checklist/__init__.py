"""The `.tasks/` checklist: a review rendered as a task file and merged into an existing one.

Pure string-to-string functions with no I/O, in the sans-I/O spirit of the
engine: the caller reads the file, calls `merge_task_file` and writes (or
PATCHes) the result.
"""

from checklist.errors import ChecklistError
from checklist.merge import merge_task_file
from checklist.render import render_task_file

__all__ = ["ChecklistError", "merge_task_file", "render_task_file"]
