"""Labels of the command line: the headline sentences, titles and headers it prints, (zh, en).

Text keys and value kinds start with ``cli_`` so they never collide with another domain's.
Column keys are looked up here only when the method's own domain has no label for them
(see :mod:`salesanalytics.adapters.tables`).
"""

COLUMNS: dict[str, tuple[str, str]] = {
    # backward: the task and staffing overview
    'capacity_gross_profit': ('产能毛利(元)', 'Capacity gross profit (yuan)'),
    'uplift_needed_pct': ('需提升%', 'Uplift needed %'),
    'extra_heads_needed': ('增员', 'Extra heads'),
    # forward: target suggestions and the multi-year outlook
    'conservative': ('保守(P20)', 'Conservative (P20)'),
    'base': ('基准(P50)', 'Base (P50)'),
    'stretch': ('挑战(P80)', 'Stretch (P80)'),
    'months': ('月数', 'Months'),
    'p20': ('P20(元)', 'P20 (yuan)'),
    'p50': ('P50(元)', 'P50 (yuan)'),
    'p80': ('P80(元)', 'P80 (yuan)'),
    # combined: hires per branch
    'hires_total': ('招聘人数', 'Hires'),
    'last_start_hiring': ('最晚开始招聘', 'Start hiring by'),
    # tracking: pace per working day and actuals without a target
    'still_to_do': ('尚需完成(元)', 'Still to do (yuan)'),
    'required_per_working_day': ('每工作日需完成(元)', 'Required per working day (yuan)'),
    'plan_per_working_day': ('原计划每工作日(元)', 'Plan per working day (yuan)'),
    'run_rate_per_working_day': ('今年每工作日实绩(元)', 'Run rate per working day (yuan)'),
    'in_targets': ('目标中有该分公司', 'Branch in targets'),
    'rows': ('行数', 'Rows'),
    'actual': ('实际(元)', 'Actual (yuan)'),
}

TEXTS: dict[str, tuple[str, str]] = {
    'cli_written': ('\n{what}已写入 {path}', '\n{what} written to {path}'),
    'cli_wrote': ('已写入 {path}', 'wrote {path}'),
    'cli_what_tasks': ('任务', 'Tasks'),
    'cli_what_forecast': ('预测', 'Forecast'),
    'cli_what_combined': ('结合法表格', 'Combined plan tables'),
    'cli_what_tracking': ('跟踪结果', 'Tracking'),
    'cli_what_scorecard': ('考核结果', 'Scorecard'),
    'cli_what_incentives': ('激励方案', 'Incentives'),
    # report
    'cli_report_line': ('  {file:<28} {seconds:6.1f} 秒  {title}', '  {file:<28} {seconds:6.1f} s  {title}'),
    'cli_report_line_reused': ('  {file:<28} 未变，沿用  {title}', '  {file:<28} unchanged, reused  {title}'),
    'cli_report_done': ('{quarter}: {n} 份报告, 用时 {seconds:.1f} 秒', '{quarter}: {n} reports in {seconds:.1f} s'),
    'cli_report_index': ('索引: {path}', 'index: {path}'),
    # backward
    'cli_backward_target': ('目标 ({kind}): {amount:,.2f} 元', 'Target ({kind}): {amount:,.2f} yuan'),
    'cli_gross_profit_required': ('所需毛利: {amount:,.2f} 元', 'Gross profit required: {amount:,.2f} yuan'),
    'cli_revenue_required': ('所需销售额: {amount:,.2f} 元 (毛利率 {margin:.2%})', 'Sales required: {amount:,.2f} yuan (margin {margin:.2%})'),
    'cli_capacity': ('现有团队产能(毛利): {amount:,.2f} 元 → 需提升人效 {uplift:.1f}%, 或增员 {heads:.0f}',
                     "Today's team delivers (gross profit): {amount:,.2f} yuan → uplift needed {uplift:.1f}%, or hire {heads:.0f}"),
    'cli_goal_seek': ('\n反推: {result}', '\nGoal seek: {result}'),
    # forward
    'cli_forward_title': ('正推法预测: {start} – {end}, {n} 个序列', 'Forward forecast: {start} – {end}, {n} series'),
    'cli_target_suggestions': ('\n目标建议（年度合计，元）', '\nTarget suggestions (annual total, yuan)'),
    'cli_company_outlook': ('\n全公司年度展望（元）', '\nCompany outlook per year (yuan)'),
    # combined
    'cli_combined_title': ('{name} — {year} 结合法', '{name} — {year} combined plan'),
    'cli_branches_of': ('\n分公司 ({scenario})', '\nBranches ({scenario})'),
    'cli_adjustment_log': ('\n经理调整 (审计记录)', '\nManager adjustments (audit log)'),
    # track
    'cli_company': ('全公司', 'Company'),
    'cli_track_as_of': ('截至 {as_of} ({year}, {measure})', 'As of {as_of} ({year}, {measure})'),
    'cli_track_headline': ('全年目标: {annual:,.2f} · 累计实际: {actual:,.2f} (达成{pct:.1f}%) · 剩余缺口: {gap:,.2f}',
                           'Annual target: {annual:,.2f} · actual YTD: {actual:,.2f} ({pct:.1f}% of the target to date) · remaining gap: {gap:,.2f}'),
    'cli_track_outlook': ('全年预计: {projected:,.2f} ({pct:.1f}%), 80%区间 {lo:,.2f} – {hi:,.2f}, 达成概率 {prob:.0%} [{method}]',
                          'Projected year-end: {projected:,.2f} ({pct:.1f}%), 80% range {lo:,.2f} – {hi:,.2f}, '
                          'probability of reaching the target {prob:.0%} [{method}]'),
    'cli_track_pace': ('\n{month} 每工作日所需 (剩余 {days} 个工作日, 含调休)',
                       '\nRequired per working day in {month} ({days} working days left, make-up working days (调休) included)'),
    'cli_unmatched': ('\n无目标的实绩 (已计入合计)', '\nActuals without a target (counted in the totals)'),
    'cli_period_actual': ('{period}实际', '{period} actual'),
    'cli_period_pct': ('{period}达成%', '{period} %'),
    'cli_period_light': ('{period}状态', '{period} light'),
    # scorecard and incentives
    'cli_assessed_period': ('考核期间: {period}  ·  ', 'Period: {period}  ·  '),
    'cli_people': ('人数: {n}', 'people: {n}'),
    'cli_grades': ('等级分布: {counts}', 'Grades: {counts}'),
    'cli_forced_distribution': ('\n强制分布检查', '\nForced distribution'),
    'cli_fairness_flags': ('\n公平性提示 ({n})', '\nFairness flags ({n})'),
    'cli_period_prefix': ('期间: {period}  ·  ', 'Period: {period}  ·  '),
    'cli_simulation': ('模拟: {simulation}', 'simulation: {simulation}'),
    'cli_cost_flag': ('\n警示: {plan} 支付毛利的 {share:.1%} (> {limit})', '\nFLAG: {plan} pays away {share:.1%} of gross profit (> {limit})'),
}

VALUES: dict[str, dict[str, tuple[str, str]]] = {
    'cli_target_kind': {'net_profit': ('净利润', 'net profit'), 'gross_profit': ('毛利', 'gross profit'), 'revenue': ('销售额', 'revenue')},
    'cli_measure': {'sales': ('销售额', 'sales'), 'gross_profit': ('毛利', 'gross profit')},
    'cli_outlook_method': {'run_rate': ('按目前达成率', 'run rate'), 'forecast': ('预测模型', 'forecast'), 'mixed': ('混合', 'mixed')},
    'cli_period': {'month': ('本月', 'Month'), 'qtd': ('本季', 'QTD'), 'ytd': ('本年', 'YTD')},
    'cli_rule': {'max': ('上限', 'max'), 'min': ('下限', 'min')},
    'cli_verdict': {'true': ('OK', 'OK'), 'false': ('超出', 'VIOLATED')},
}
