"""Labels of the tracking domain (监督和反馈): column/field names, sentences and coded values, (zh, en).

Every column that a table of :class:`salesanalytics.methods.tracking.Tracker` can have is here
(``tests/test_tracking.py`` labels every table of a fitted tracker in both languages).  The
standing table's columns (``<period>_<metric>``) are keyed ``standing_<column>``: ``month_status``
there is this month's light, while in the re-plan it says whether a month is closed or open.
"""

COLUMNS: dict[str, tuple[str, str]] = {
    # attainment
    "period_start": ("期间开始", "Period start"),
    "as_of": ("截至", "As of"),
    "actual": ("实际(元)", "Actual (yuan)"),
    "target": ("目标(元)", "Target (yuan)"),
    "attainment_pct": ("达成率%", "Attainment %"),
    "variance": ("差额(元)", "Variance (yuan)"),
    "time_elapsed_pct": ("时间进度%", "Time elapsed %"),
    "target_to_date": ("应完成(元)", "Target to date (yuan)"),
    "time_adjusted_attainment_pct": ("时间调整达成率%", "Time-adjusted attainment %"),
    "rank_in_branch": ("分公司内排名", "Rank in branch"),
    "actual_fen": ("实际(分)", "Actual (fen)"),
    "target_fen": ("目标(分)", "Target (fen)"),
    # standing: one row per company/branch, <period>_<metric>
    "standing_month_actual": ("本月实际(元)", "Month actual (yuan)"),
    "standing_month_target": ("本月目标(元)", "Month target (yuan)"),
    "standing_month_attainment_pct": ("本月达成率%", "Month attainment %"),
    "standing_month_time_adjusted_attainment_pct": ("本月时间调整达成率%", "Month time-adjusted attainment %"),
    "standing_month_status": ("本月状态", "Month status"),
    "standing_qtd_actual": ("本季实际(元)", "QTD actual (yuan)"),
    "standing_qtd_target": ("本季目标(元)", "QTD target (yuan)"),
    "standing_qtd_attainment_pct": ("本季达成率%", "QTD attainment %"),
    "standing_qtd_time_adjusted_attainment_pct": ("本季时间调整达成率%", "QTD time-adjusted attainment %"),
    "standing_qtd_status": ("本季状态", "QTD status"),
    "standing_ytd_actual": ("本年实际(元)", "YTD actual (yuan)"),
    "standing_ytd_target": ("本年目标(元)", "YTD target (yuan)"),
    "standing_ytd_attainment_pct": ("本年达成率%", "YTD attainment %"),
    "standing_ytd_time_adjusted_attainment_pct": ("本年时间调整达成率%", "YTD time-adjusted attainment %"),
    "standing_ytd_status": ("本年状态", "YTD status"),
    # year-end outlook
    "annual_target": ("年度目标(元)", "Annual target (yuan)"),
    "actual_to_date": ("累计实际(元)", "Actual to date (yuan)"),
    "forecast_remaining": ("剩余月份预测(元)", "Forecast of remaining months (yuan)"),
    "projected_year_end": ("预计全年(元)", "Projected year-end (yuan)"),
    "lo_80": ("80%下限(元)", "80% low (yuan)"),
    "hi_80": ("80%上限(元)", "80% high (yuan)"),
    "lo_95": ("95%下限(元)", "95% low (yuan)"),
    "hi_95": ("95%上限(元)", "95% high (yuan)"),
    "projected_attainment_pct": ("预计达成率%", "Projected attainment %"),
    "prob_reach_target": ("达成概率", "Probability of reaching target"),
    "method": ("方法", "Method"),
    "projected": ("预计(元)", "Projected (yuan)"),
    "kind": ("类型", "Kind"),
    # re-plan
    "month_status": ("月份状态", "Month status"),
    "planned_task": ("原任务(元)", "Planned task (yuan)"),
    "new_task": ("调整后任务(元)", "Re-planned task (yuan)"),
    "change": ("调整额(元)", "Change (yuan)"),
    "remaining_gap": ("剩余缺口(元)", "Remaining gap (yuan)"),
    "own_gap": ("自身缺口(元)", "Own gap (yuan)"),
    "rule": ("调整依据", "Re-plan rule"),
    "planned_task_fen": ("原任务(分)", "Planned task (fen)"),
    "new_task_fen": ("调整后任务(分)", "Re-planned task (fen)"),
    # daily pace
    "pace_month": ("当月", "Pace month"),
    "working_days_in_month": ("当月工作日", "Working days in month"),
    "working_days_left": ("剩余工作日", "Working days left"),
    "month_task": ("当月任务(元)", "Month task (yuan)"),
    "month_actual": ("当月已完成(元)", "Month actual (yuan)"),
    "still_to_do": ("尚需完成(元)", "Still to do (yuan)"),
    "required_per_working_day": ("每工作日需完成(元)", "Required per working day (yuan)"),
    "plan_per_working_day": ("原计划每工作日(元)", "Plan per working day (yuan)"),
    "run_rate_per_working_day": ("今年每工作日实绩(元)", "Run rate per working day (yuan)"),
    "pace_ratio": ("所需/实绩倍数", "Required / run rate"),
    # weekly progress (每周进程管理)
    "week": ("周", "Week"),
    "week_start": ("周一", "Week start"),
    "week_end": ("周末", "Week end"),
    "target_week": ("本周目标(元)", "Week target (yuan)"),
    "actual_week": ("本周实际(元)", "Week actual (yuan)"),
    "gap_to_date": ("累计差额(元)", "Gap to date (yuan)"),
    "attainment_to_date_pct": ("累计达成率%", "Attainment to date %"),
    # the daily three checks (早上对照目标 / 中午对照过程 / 晚上对照结果)
    "is_workday": ("工作日", "Working day"),
    "target_day": ("早·当日目标(元)", "Morning: target for the day (yuan)"),
    "mtd_target": ("早·月累计目标(元)", "Morning: month-to-date target (yuan)"),
    "visits": ("午·拜访", "Midday: visits"),
    "new_customers": ("午·新客户", "Midday: new customers"),
    "quotes": ("午·报价", "Midday: quotes"),
    "deals": ("晚·成交笔数", "Evening: deals (credited)"),
    "actual_day": ("晚·当日实际(元)", "Evening: actual for the day (yuan)"),
    "gap_day": ("晚·当日差额(元)", "Evening: gap for the day (yuan)"),
    "mtd_actual": ("晚·月累计实际(元)", "Evening: month-to-date actual (yuan)"),
    "mtd_gap": ("晚·月累计差额(元)", "Evening: month-to-date gap (yuan)"),
    # funnel
    "stage": ("环节", "Stage"),
    "stage_order": ("序号", "Order"),
    "from_stage": ("上一环节", "From stage"),
    "conversion_pct": ("转化率%", "Conversion %"),
    # data problems: actuals without a target, duplicated rows
    "rows": ("行数", "Rows"),
    "in_targets": ("目标中有该分公司", "Branch in targets"),
    "deal_id": ("单号", "Deal ID"),
    "row": ("文件行号", "File row"),
    "problem": ("问题", "Problem"),
}

TEXTS: dict[str, tuple[str, str]] = {
    #: the company row of the tracking tables (its branch column reads 全公司)
    "tracking_company": ("全公司", "Company"),
    # Excel sheet names (at most 31 characters)
    "tracking_sheet_standing": ("总体进度", "Standing"),
    "tracking_sheet_attainment_branch": ("分公司达成", "Attainment by branch"),
    "tracking_sheet_attainment_salesperson": ("销售员达成", "Attainment by salesperson"),
    "tracking_sheet_attainment_product": ("产品达成", "Attainment by product"),
    "tracking_sheet_outlook": ("全年预计", "Year-end outlook"),
    "tracking_sheet_outlook_monthly": ("全年预计按月", "Outlook by month"),
    "tracking_sheet_replan_branch": ("分公司调整任务", "Re-plan by branch"),
    "tracking_sheet_replan_salesperson": ("销售员调整任务", "Re-plan by salesperson"),
    "tracking_sheet_pace_branch": ("分公司每日进度", "Daily pace by branch"),
    "tracking_sheet_pace_salesperson": ("销售员每日进度", "Daily pace by salesperson"),
    "tracking_sheet_weekly": ("每周进程", "Weekly progress"),
    "tracking_sheet_daily_checks": ("每日三查", "Daily three checks"),
    "tracking_sheet_funnel": ("过程漏斗", "Funnel"),
    "tracking_sheet_unmatched": ("无目标实绩", "Actuals without target"),
    "tracking_sheet_duplicates": ("重复行", "Duplicated rows"),
}

VALUES: dict[str, dict[str, tuple[str, str]]] = {
    #: how the year-end outlook of a row was projected
    "method": {
        "forecast": ("预测模型", "forecast"),
        "run_rate": ("按目前达成率", "run rate"),
        "mixed": ("混合", "mixed"),
    },
    #: re-plan: a month already closed (its actual stands) or still open (takes part of the gap)
    "month_status": {"closed": ("已结束", "closed"), "open": ("未结束", "open")},
    #: re-plan: why a key got the remaining task it got (see methods/tracking/replan.py)
    "replan_rule": {
        "company_gap": ("全公司剩余缺口", "company's remaining gap"),
        "share_of_company_gap": ("按自身缺口分摊全公司缺口", "share of the company gap, by own gap"),
        "share_of_branch_gap": ("按自身缺口分摊分公司缺口", "share of the branch gap, by own gap"),
        "share_by_open_task": ("下属均已完成,按剩余月份计划任务分摊", "others all ahead: share by planned task of the open months"),
        "share_by_annual_target": ("下属均已完成,按年度目标分摊", "others all ahead: share by annual target"),
        "ahead_of_target": ("已完成年度目标,超额计入上级", "ahead of target: the surplus counts for the level above"),
        "no_open_task": ("剩余月份无计划任务,缺口由同事分担", "no planned task in the open months: colleagues take the gap"),
        "parent_target_reached": ("上级目标已完成,无需追加", "level above already at target: nothing more"),
        "no_target": ("无目标(仅有实绩)", "no target (actuals only)"),
    },
    #: outlook by month: the month's figure is an actual or a re-forecast
    "outlook_kind": {"actual": ("实际", "actual"), "forecast": ("预测", "forecast")},
    #: attainment periods
    "tracking_period": {"month": ("本月", "month"), "qtd": ("本季", "quarter to date"), "ytd": ("本年", "year to date")},
    #: stages of the process -> result funnel
    "funnel_stage": {
        "visits": ("拜访", "visits"),
        "new_customers": ("新客户", "new customers"),
        "quotes": ("报价", "quotes"),
        "deals": ("成交", "deals"),
        "cash_collected": ("回款", "cash collected"),
        "sales": ("销售额", "sales"),
    },
}
