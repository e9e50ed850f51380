"""Report and chart strings in Chinese and English (``lang="zh" | "en"``).

One flat table keyed by a short English id.  :func:`t` looks a string up and
formats it; an unknown key or language is a :class:`ParameterError` (a typo
in a notebook should fail the render, not print the key).
"""

from __future__ import annotations

from .exceptions import ParameterError, suggest

LANGS = ("zh", "en")

STRINGS: dict[str, dict[str, str]] = {
    # -- report index ----------------------------------------------------------
    "index_title": {"zh": "{quarter} 季度经营报告", "en": "Quarterly reports {quarter}"},
    "index_ok": {"zh": "全部报告已生成", "en": "All reports rendered"},
    "index_failed": {"zh": "失败 FAILED：报告生成失败", "en": "FAILED: the report run failed"},
    "index_failed_detail": {
        "zh": "笔记本 {notebook} 第 {cell} 个单元出错：{error}",
        "en": "notebook {notebook}, cell {cell}: {error}",
    },
    "index_failed_kept": {"zh": "出错的笔记本（含错误标记）：", "en": "Executed notebook with the error marked:"},
    "index_last_good": {"zh": "上次成功生成的报告（{time}）仍然保留：", "en": "The last good reports ({time}) are kept:"},
    "index_no_last_good": {"zh": "本季度还没有成功生成的报告。", "en": "No good report exists for this quarter yet."},
    "index_reports": {"zh": "报告", "en": "Reports"},
    "index_parameters": {"zh": "参数", "en": "Parameters"},
    "index_fingerprint": {"zh": "输入数据指纹 (SHA-256)", "en": "Input data fingerprint (SHA-256)"},
    "index_files": {"zh": "输入文件", "en": "Input files"},
    "index_version": {"zh": "软件版本", "en": "Package version"},
    "index_time": {"zh": "生成时间 (UTC)", "en": "Rendered at (UTC)"},
    "index_seconds": {"zh": "用时 {seconds:.1f} 秒", "en": "took {seconds:.1f} s"},
    "index_notebook": {"zh": "笔记本", "en": "Notebook"},
    "index_status": {"zh": "状态", "en": "Status"},
    # -- report titles -----------------------------------------------------------
    "title_backward_plan": {"zh": "倒推法：任务分解", "en": "Backward plan (倒推法): task breakdown"},
    "title_executive_summary": {"zh": "经营摘要", "en": "Executive summary"},
    "title_forward_forecast": {"zh": "正推法：销售预测", "en": "Forward forecast (正推法)"},
    "title_combined_plan": {"zh": "结合法：目标与预测", "en": "Combined plan (结合法)"},
    "title_quarterly_review": {"zh": "季度回顾", "en": "Quarterly review"},
    "title_scorecard": {"zh": "考核与激励", "en": "Scorecard and incentives"},
    # -- headline / tables -------------------------------------------------------------
    "target": {"zh": "目标", "en": "Target"},
    "net_profit": {"zh": "净利润", "en": "Net profit"},
    "gross_profit": {"zh": "毛利", "en": "Gross profit"},
    "revenue": {"zh": "销售额", "en": "Revenue"},
    "sales_task": {"zh": "销售任务", "en": "Sales task"},
    "gross_profit_task": {"zh": "毛利任务", "en": "Gross-profit task"},
    "gross_margin": {"zh": "毛利率", "en": "Gross margin"},
    "monthly_growth": {"zh": "月增长率", "en": "Monthly growth"},
    "target_profit": {"zh": "目标利润（元）", "en": "Target profit (yuan)"},
    "gross_profit_required": {"zh": "所需毛利", "en": "Gross profit required"},
    "revenue_required": {"zh": "所需销售额", "en": "Sales required"},
    "capacity": {"zh": "现有团队产能（毛利）", "en": "Today's team delivers (gross profit)"},
    "uplift_needed": {"zh": "需提升人效", "en": "Productivity uplift needed"},
    "extra_heads": {"zh": "需增员", "en": "Extra heads needed"},
    "branch": {"zh": "分公司", "en": "Branch"},
    "month": {"zh": "月份", "en": "Month"},
    "total": {"zh": "合计", "en": "Total"},
    "yuan": {"zh": "元", "en": "yuan"},
    "wan_yuan": {"zh": "万元", "en": "10k yuan"},
    "people": {"zh": "人", "en": "people"},
    "forecast": {"zh": "预测", "en": "Forecast"},
    "history": {"zh": "历史", "en": "History"},
    "interval": {"zh": "{level}% 区间", "en": "{level}% interval"},
    "probability": {"zh": "达成概率", "en": "Probability of reaching the target"},
    "gap": {"zh": "缺口", "en": "Gap"},
    "actual": {"zh": "实际", "en": "Actual"},
    "attainment": {"zh": "达成率", "en": "Attainment"},
    "risks": {"zh": "风险", "en": "Risks"},
    "hires": {"zh": "招聘", "en": "Hires"},
    "scenario": {"zh": "情景", "en": "Scenario"},
    "conservative": {"zh": "保守", "en": "Conservative"},
    "base": {"zh": "基准", "en": "Base"},
    "stretch": {"zh": "激进", "en": "Stretch"},
    "explore": {"zh": "交互调整（拖动滑块，表格与图表随之更新）", "en": "Explore (move a slider; the table and chart follow)"},
    "parameters_used": {"zh": "本报告参数", "en": "Parameters of this report"},
    # -- charts ------------------------------------------------------------------
    "chart_monthly_tasks": {"zh": "各月销售任务（万元）", "en": "Monthly sales task (10k yuan)"},
    "chart_branch_tasks": {"zh": "各分公司全年销售任务（万元）", "en": "Annual sales task by branch (10k yuan)"},
    "chart_capacity_gap": {"zh": "毛利任务与现有产能（万元）", "en": "Gross-profit task vs today's capacity (10k yuan)"},
    "chart_forecast": {"zh": "销售预测（万元）", "en": "Sales forecast (10k yuan)"},
    "chart_target_vs_forecast": {"zh": "目标与预测（万元）", "en": "Target vs forecast (10k yuan)"},
    "chart_tracking": {"zh": "目标与实际（万元）", "en": "Target vs actual (10k yuan)"},
    "chart_scores": {"zh": "各分公司平均考核得分", "en": "Average score by branch"},
    "chart_attainment": {"zh": "各分公司年累计时间调整达成率（%）", "en": "Time-adjusted attainment YTD by branch (%)"},
    "percent": {"zh": "%", "en": "%"},
    "standing": {"zh": "目前进度", "en": "Where we stand"},
    "outlook": {"zh": "全年预计", "en": "Year-end outlook"},
    "replan": {"zh": "剩余月份任务调整", "en": "Re-planned tasks for the remaining months"},
    "pace": {"zh": "每工作日所需", "en": "Required per working day"},
    "ranking": {"zh": "考核排名", "en": "Ranking"},
    "fairness": {"zh": "公平性提示", "en": "Fairness flags"},
    "forced_distribution": {"zh": "强制分布检查", "en": "Forced distribution"},
    "plan_comparison": {"zh": "激励方案对比", "en": "Incentive plans compared"},
    "grades_by_branch": {"zh": "分公司等级分布", "en": "Grades by branch"},
}


def t(key: str, lang: str = "zh", **fields) -> str:
    """The string ``key`` in ``lang``, formatted with ``fields``."""
    check_lang(lang)
    entry = STRINGS.get(key)
    if entry is None:
        raise ParameterError(f"no report text '{key}'.{suggest(key, STRINGS)}")
    text = entry[lang]
    return text.format(**fields) if fields else text


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ParameterError(f"lang must be one of {', '.join(LANGS)}, not '{lang}'.{suggest(lang, LANGS)}")
    return lang


def bilingual(key: str, lang: str = "zh", **fields) -> str:
    """Chart titles carry both languages, the chosen one first: ``'销售任务 / Sales task'``."""
    other = "en" if check_lang(lang) == "zh" else "zh"
    return f"{t(key, lang, **fields)} / {t(key, other, **fields)}"
