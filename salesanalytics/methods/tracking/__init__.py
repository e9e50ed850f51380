"""监督和反馈: tracking actuals against targets, the outlook, and re-planning the rest of the year.

The handbook insists that targets are only as good as their follow-up: weekly
progress management (每周进程管理), the daily three checks (早上对照目标 / 中午对照过程 /
晚上对照结果), monitoring and feedback.  A quarterly review must answer three
questions, and :class:`Tracker` answers each with a tidy (long-format) frame:

* **where do we stand** — :meth:`Tracker.attainment` by company, branch,
  salesperson and product for the month, quarter-to-date and year-to-date
  (:mod:`.attainment`);
* **where will we end the year** — :meth:`Tracker.outlook`: actuals so far plus
  a re-forecast of the remaining months (正推法) (:mod:`.outlook`);
* **what must each branch and person now deliver** — :meth:`Tracker.replan`
  (the company's remaining gap shared by branches and people by their own gaps,
  over the open months with the plan's phasing; company, branches and people
  add up to the fen, :mod:`.replan`) and :meth:`Tracker.daily_pace` (per
  remaining working day of the current month, :mod:`.cadence`, with the weekly
  view, the daily three checks and the funnel).

The parts: :mod:`.common` (settings, array kernels), :mod:`.credits` (actuals →
credited fen, shares split exactly), :mod:`.data` (targets and actuals aligned:
:class:`~.data.TrackingData`), the views above (:mod:`.attainment`, :mod:`.outlook`,
:mod:`.replan`, :mod:`.cadence`), :mod:`.display` (labelled
tables and Excel sheets) and :mod:`.tracker` (the :class:`Tracker` facade).
"""

from __future__ import annotations

from .common import COMPANY, DEFAULT_THRESHOLDS, DUPLICATES, LEVELS, MEASURES, PERIODS, SHARE_TOLERANCE, TrackingWarning
from .credits import _split_credits
from .data import TrackingData, prepare
from .display import SHEETS, relabel
from .outlook import OutlookResult, YearPaths
from .tracker import Tracker, track


__all__ = [
    "Tracker", "track", "TrackingData", "prepare", "OutlookResult", "YearPaths", "TrackingWarning", "relabel", "SHEETS",
    "COMPANY", "MEASURES", "DEFAULT_THRESHOLDS", "DUPLICATES", "LEVELS", "PERIODS", "SHARE_TOLERANCE",
    "_split_credits",
]
