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
    # the quarter's pages (executive summary, forward, quarterly review)
    'ytd_actual': ('年初至今实际(元)', 'Actual year to date (yuan)'),
    'remaining_task': ('剩余月份须完成(元)', 'Still to deliver, open months (yuan)'),
    'planned_remaining': ('原计划(剩余月份, 元)', 'Planned for the open months (yuan)'),
    'change_pct': ('较原计划%', 'Change vs plan %'),
    'mean': ('预测均值(元)', 'Forecast mean (yuan)'),
    'next_year_forecast': ('明年预测(元)', 'Next year, forecast (yuan)'),
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
    # the quarter's headline (every page, the same figures as summary.json)
    'page_title': ('{title} — {quarter}（截至 {as_of}）', '{title} — {quarter} (as of {as_of})'),
    'hl_as_of': ('截至', 'As of'),
    'hl_annual_target': ('全年目标', 'Annual target'),
    'hl_ytd': ('年初至今实际', 'Actual year to date'),
    'hl_ytd_value': ('{actual} 元，目标 {target} 元，达成 {pct}', '{actual} yuan of a {target} yuan target, {pct}'),
    'hl_outlook': ('全年预计', 'Year-end outlook'),
    'hl_outlook_value': ('{outlook} 元（达成 {pct}），80% 区间 {p10} – {p90} 元',
                         '{outlook} yuan ({pct} of target), 80% range {p10} – {p90} yuan'),
    'hl_probability': ('达成全年目标的概率', 'Probability of reaching the annual target'),
    'hl_gap': ('预计缺口（全年目标 − 全年预计）', 'Expected gap (annual target − outlook)'),
    'hl_gap_short': ('{gap} 元，低于目标', '{gap} yuan below target'),
    'hl_gap_ahead': ('{gap} 元，高于目标', '{gap} yuan, above target'),
    'hl_remaining': ('剩余月份须完成', 'Still to deliver in the open months'),
    'hl_yuan_value': ('{amount} 元', '{amount} yuan'),
    'hl_note': ('模拟 {n_draws} 条路径，随机种子 {seed}；目标来源：{source}。各页与 summary.json 的数字相同。',
                '{n_draws} simulated paths, seed {seed}; targets: {source}. Every page shows these figures, as summary.json does.'),
    # the executive summary
    'narrative_standing': ('截至 {as_of}，年初至今实际 {ytd} 元，为年初至今目标的 {pct}。',
                           'As of {as_of}, sales year to date are {ytd} yuan, {pct} of the target to date.'),
    'narrative_outlook': ('按目前走势全年预计 {outlook} 元（80% 区间 {p10} – {p90} 元），达成全年目标 {target} 元的概率为 {probability}。',
                          'On the present course the year ends at {outlook} yuan (80% range {p10} – {p90} yuan); the probability of reaching the {target} yuan target is {probability}.'),
    'narrative_remaining': ('剩余月份须完成 {remaining} 元。', 'The open months must deliver {remaining} yuan.'),
    'narrative_attention': ('需重点关注：{branches}。', 'Needs attention: {branches}.'),
    'narrative_decision': ('请决定：按{scenario}情景自 {start} 起招聘 {hires} 人、人效提升 {uplift}，采取措施后达成概率为 {probability}。',
                           'Decision asked: under the {scenario} scenario, hire {hires} from {start} and lift productivity by {uplift}; with the actions the probability is {probability}.'),
    'narrative_no_decision': ('剩余月份已无可增加的招聘：按调整后的任务跟进各分公司。',
                              'No hire can still help this year: follow up the branches on their re-planned tasks.'),
    'deliver': ('各分公司须完成（剩余月份）', 'What each branch must now deliver (open months)'),
    'actions': ('建议行动', 'Actions'),
    'action_uplift': ('{scenario}情景：自 {start} 起人效提升 {uplift}，约 {amount} 元；采取全部措施后达成概率 {probability}。',
                      '{scenario} scenario: productivity uplift of {uplift} from {start}, about {amount} yuan; with every action the probability is {probability}.'),
    'no_risks': ('没有分公司的达成概率低于 50%。', 'No branch is below a 50% probability of reaching its target.'),
    'no_hires': ('剩余月份不需要（或已来不及）招聘。', 'No hire is needed (or can still help) in the open months.'),
    'chart_year_outlook': ('全年走势：目标、实际与预测（万元）', 'The year: target, actual and forecast (10k yuan)'),
    'legend_target': ('目标', 'Target'),
    'legend_actual': ('实际', 'Actual'),
    'legend_actual_this_year': ('今年实际', 'Actual this year'),
    'as_of_line': ('截至 {as_of}', 'as of {as_of}'),
    # the forward page
    'period_marker': ('历史与实际：至 {end}；预测：{start} 至 {last}', 'History and actuals to {end}; forecast {start} to {last}'),
    'chart_history_forecast': ('历史、今年实际与预测（万元）', 'History, actuals this year and forecast (10k yuan)'),
    'forecast_monthly': ('全公司各月预测', 'Company forecast by month'),
    'forecast_by_branch': ('全年预计与明年预测（按分公司）', 'Year end and next year, by branch'),
    'data_notes': ('数据提示', 'Data notes'),
    # key-figure cards (the first screen of every quarter page)
    'card_target': ('全年目标', 'Annual target'),
    'card_target_sub': ('剩余月份须完成 {remaining}', 'Open months must deliver {remaining}'),
    'card_ytd': ('年初至今实际', 'Actual year to date'),
    'card_ytd_sub': ('目标 {target}，达成 {pct}', 'Target {target}, {pct} reached'),
    'card_outlook': ('全年预计', 'Year-end outlook'),
    'card_outlook_sub': ('达成 {pct}；80% 区间 {p10} – {p90}', '{pct} of target; 80% range {p10} – {p90}'),
    'card_probability': ('达成全年目标的概率', 'Probability of the annual target'),
    'card_probability_sub': ('{n_draws} 条模拟路径', '{n_draws} simulated paths'),
    'card_gap': ('预计缺口', 'Expected gap'),
    'card_gap_ahead': ('预计超出目标', 'Expected surplus'),
    'card_gap_sub': ('全年目标 − 全年预计', 'annual target − outlook'),
    'card_status_green': ('正常', 'on track'),
    'card_status_yellow': ('关注', 'watch'),
    'card_status_red': ('落后', 'behind'),
    'headline_exact': ('精确数字（元）', 'Exact figures (yuan)'),
    # tables and charts that stay one read at any size
    'rows_more': ('其余 {n} 行（点击展开）', 'The other {n} rows (click to expand)'),
    'chart_top_bottom': ('最差 {worst} 个与最好 {best} 个，共 {n} 个；其余见下表', 'Worst {worst} and best {best} of {n}; the rest in the table below'),
    'chart_others': ('其他 {n} 个', '{n} others'),
    'ref_target_100': ('100% 目标', '100% of target'),
    # the index as the set's cover page
    'index_key_figures': ('本季度关键数字', "The quarter's key figures"),
    'index_run': ('运行信息', 'Run'),
    'index_open': ('打开报告', 'Open the report'),
    'index_head_executive_summary': ('全年预计 {outlook}，达成概率 {probability}', 'Year end {outlook}, probability {probability}'),
    'index_head_backward_plan': ('全年目标 {target} 分解到分公司与月份', 'The {target} target by branch and month'),
    'index_head_forward_forecast': ('全年预计 {outlook}（80% 区间 {p10} – {p90}）', 'Year end {outlook} (80% range {p10} – {p90})'),
    'index_head_combined_plan': ('预计缺口 {gap}：情景、招聘与建议目标', 'Expected gap {gap}: scenarios, hires and recommended targets'),
    'index_head_quarterly_review': ('年初至今达成 {pct}；剩余月份须完成 {remaining}', '{pct} reached to date; open months must deliver {remaining}'),
    'index_head_scorecard': ('本期考核、等级、公平性与激励成本', "The period's scores, grades, fairness and incentive cost"),
    'index_head_customers': ('资产客户与负债客户：时间用在哪里', 'Asset vs liability customers: where the time goes'),
    # the scorecard page
    'no_evaluation': ('没有考核方案或激励方案文件：本期考核与激励未计算。',
                      'No scorecard scheme or incentive plan file: the scorecard and incentives were not computed.'),
}

VALUES: dict[str, dict[str, tuple[str, str]]] = {
    #: month ticks of charts and the columns of wide matrices
    "month_short": {m: (f"{m}月", en) for m, en in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)},
    #: what the plan's target is (plan.target_kind)
    "target_kind": {"net_profit": ("净利润", "net profit"), "gross_profit": ("毛利", "gross profit"), "revenue": ("销售额", "revenue")},
    #: where the targets in force come from (QuarterState.targets_source)
    "targets_source": {"backward": ("倒推法任务分解", "the backward plan's tasks"), "file": ("目标文件", "the targets file")},
}
