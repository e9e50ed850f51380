"""Labels of the presentation domain (charts, report pages, widgets): column names, sentences and values, (zh, en).

The columns here are the ones a *page* adds or shows from a method's tidy frame; a method's own domain
wins where it labels the same column (see :func:`salesanalytics.adapters.pages.labelled`).
"""

COLUMNS: dict[str, tuple[str, str]] = {
    # executive summary: risks and hires
    'required': ('目标(元)', 'Target (yuan)'),
    'forecast_mean': ('预测(元)', 'Forecast (yuan)'),
    'gap_yuan': ('缺口(元)', 'Gap (yuan)'),
    'probability': ('达成概率', 'Probability of reaching the target'),
    'hires_total': ('招聘(人)', 'Hires'),
    'first_start_hiring': ('最早开始招聘', 'Start hiring by'),
    'contribution_yuan': ('弥补缺口(元)', 'Gap closed (yuan)'),
    # backward page: the assumptions table (until BackwardPlanner.assumptions labels itself)
    'setting': ('设置', 'Setting'),
}

TEXTS: dict[str, tuple[str, str]] = {
    'chart_bridge': ('从预测到所需任务 (万元)', 'From forecast to requirement (10k yuan)'),
    'chart_scenarios': ('情景对比: 目标、达成概率、招聘', 'Scenarios: target, probability, hires'),
    'chart_gap': ('各分公司: 预测区间 vs 所需任务', 'Branches: forecast range vs requirement'),
    'legend_forecast_mean': ('预测均值', 'Forecast mean'),
    'legend_requirement': ('所需任务', 'Requirement'),
    'legend_recommended_target': ('建议目标', 'Recommended target'),
    'hires_count': ('{n}人', '{n} hires'),
    'with_actions': ('采取措施后', 'with the actions'),
    'review_as_of': ('截至', 'As of'),
    'review_annual_target': ('全年目标', 'Annual target'),
    'review_actual_to_date': ('累计实际', 'Actual to date'),
    'review_remaining_gap': ('剩余缺口', 'Remaining gap'),
    'slider_blend': ('目标中所需任务的权重', 'Weight of the requirement in the target'),
    'slider_yoy_growth': ('同比增长率', 'Year-on-year growth'),
    'capacity_table': ('团队编制检查', 'Staffing check'),
    'assumptions': ('假设与设置', 'Settings and assumptions'),
    'target_suggestions': ('目标建议', 'Target suggestions'),
    'forecast_summary': ('预测汇总', 'Forecast summary'),
    'index_parameter': ('参数', 'Parameter'),
    'index_value': ('值', 'Value'),
    'index_quarter': ('季度', 'Quarter'),
    'index_lang': ('语言', 'Language'),
    'index_data_dir': ('数据目录', 'Data folder'),
    'index_seconds_header': ('秒', 's'),
}

VALUES: dict[str, dict[str, tuple[str, str]]] = {
    #: month ticks of charts and the columns of wide matrices
    "month_short": {m: (f"{m}月", en) for m, en in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)},
    #: what the plan's target is (plan.target_kind)
    "target_kind": {"net_profit": ("净利润", "net profit"), "gross_profit": ("毛利", "gross profit"), "revenue": ("销售额", "revenue")},
}
