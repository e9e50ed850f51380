"""Labels of the combined domain (结合法): column/field names, sentences and coded values, (zh, en).

Status words are the common value kind ``gap_status``.
"""

COLUMNS: dict[str, tuple[str, str]] = {
    'is_new_branch': ('新分公司', 'New branch'),
    'forecast_mean': ('预测均值(元)', 'Forecast mean (yuan)'),
    'forecast_p10': ('预测P10(元)', 'Forecast P10 (yuan)'),
    'forecast_p20': ('预测P20(元)', 'Forecast P20 (yuan)'),
    'forecast_p50': ('预测P50(元)', 'Forecast P50 (yuan)'),
    'forecast_p80': ('预测P80(元)', 'Forecast P80 (yuan)'),
    'forecast_p90': ('预测P90(元)', 'Forecast P90 (yuan)'),
    'required': ('所需任务(元)', 'Required task (yuan)'),
    'gap_yuan': ('缺口(元)', 'Gap (yuan)'),
    'gap_pct': ('缺口%', 'Gap %'),
    'probability': ('达成概率', 'Probability of attainment'),
    'expected_shortfall': ('期望差额(元)', 'Expected shortfall (yuan)'),
    'target': ('建议目标(元)', 'Recommended target (yuan)'),
    'target_fen': ('建议目标(分)', 'Recommended target (fen)'),
    'target_before_adjustments': ('调整前目标(元)', 'Target before adjustments (yuan)'),
    'adjusted': ('已调整', 'Adjusted'),
    'probability_target': ('目标达成概率', 'Probability of reaching the target'),
    'probability_with_actions': ('措施后达成概率', 'Probability with the actions'),
    'step': ('步骤', 'Step'),
    'label': ('项目', 'Item'),
    'label_zh': ('中文名', 'Chinese name'),
    'label_en': ('英文名', 'English name'),
    'amount_yuan': ('金额(元)', 'Amount (yuan)'),
    'start_yuan': ('起点(元)', 'Bar starts at (yuan)'),
    'end_yuan': ('终点(元)', 'Bar ends at (yuan)'),
    'kind': ('类型', 'Kind'),
    'forecast': ('预测(元)', 'Forecast (yuan)'),
    'new_branches': ('新分公司(元)', 'New branches (yuan)'),
    'uplift': ('人效提升(元)', 'Productivity uplift (yuan)'),
    'hires': ('新招聘(元)', 'New hires (yuan)'),
    'surplus': ('超额(元)', 'Surplus above task (yuan)'),
    'open': ('仍未覆盖(元)', 'Still open (yuan)'),
    'hires_total': ('招聘人数', 'Hires'),
    'new_hires': ('招聘人数', 'New hires'),
    'start_hiring': ('开始招聘', 'Start hiring'),
    'on_board_by': ('到岗月份', 'On board by'),
    'contribution_yuan': ('贡献(元)', 'Contribution (yuan)'),
    'first_start_hiring': ('最早开始招聘', 'First start of hiring'),
    'last_start_hiring': ('最晚开始招聘', 'Last start of hiring'),
    'gap_to_close': ('需弥补缺口(元)', 'Gap to close (yuan)'),
    'target_rule': ('目标规则', 'Target rule'),
    'row': ('行', 'Row'),
    'before_yuan': ('调整前(元)', 'Before (yuan)'),
    'after_yuan': ('调整后(元)', 'After (yuan)'),
    'change_yuan': ('变动(元)', 'Change (yuan)'),
    'change_pct': ('变动%', 'Change %'),
    'reason': ('原因', 'Reason'),
    'author': ('调整人', 'Adjusted by'),
    'adjusted_on': ('调整日期', 'Adjusted on'),
    'others_respread_yuan': ('其他单元重新分摊(元)', 'Re-spread over the other cells (yuan)'),
}

TEXTS: dict[str, tuple[str, str]] = {
    # sheet names of the workbook (at most 31 characters)
    'cb_sheet_comparison': ('情景对比', 'Scenarios'),
    'cb_sheet_gap_company': ('公司缺口', 'Company gap'),
    'cb_sheet_gap_branch': ('分公司缺口', 'Branch gap'),
    'cb_sheet_gap_month': ('月度缺口', 'Monthly gap'),
    'cb_sheet_targets': ('建议目标', 'Recommended targets'),
    'cb_sheet_bridge': ('缺口桥', 'Gap bridge'),
    'cb_sheet_bridge_branch': ('分公司缺口桥', 'Gap bridge by branch'),
    'cb_sheet_staffing': ('招聘计划', 'Hiring plan'),
    'cb_sheet_staffing_branch': ('分公司招聘', 'Hiring by branch'),
    'cb_sheet_adjustment_log': ('调整记录', 'Adjustment log'),
    # the period of a manager adjustment that covers the whole plan year
    'cb_whole_year': ('{year} 全年', '{year} (year)'),
    # the company headline of one scenario
    'cb_headline_forecast': (
        '情景 {name}: 预测 {forecast:,.0f} 元 (80% 区间 {p10:,.0f} – {p90:,.0f}) vs 所需 {required:,.0f} 元; 缺口 {gap:,.0f} 元 ({gap_pct:.1f}%), {status}',
        'Scenario {name}: forecast {forecast:,.0f} yuan (80% range {p10:,.0f} – {p90:,.0f}) vs required {required:,.0f} yuan; gap {gap:,.0f} yuan ({gap_pct:.1f}%), {status}',
    ),
    'cb_headline_odds': (
        '  达成所需任务的概率 {probability:.1%}, 期望差额 {shortfall:,.0f} 元; 采取措施后 {with_actions:.1%}',
        '  probability of reaching the requirement {probability:.1%}, expected shortfall {shortfall:,.0f} yuan; with the actions {with_actions:.1%}',
    ),
    'cb_headline_actions': (
        '  建议目标 {target:,.2f} 元 (达成概率 {probability_target:.1%}); 需招聘 {hires} 人, 人效提升 {uplift:.1%}; 仍未覆盖 {open:,.0f} 元',
        '  recommended target {target:,.2f} yuan (probability {probability_target:.1%}); hires needed {hires}, productivity uplift {uplift:.1%}; still open {open:,.0f} yuan',
    ),
}

VALUES: dict[str, dict[str, tuple[str, str]]] = {
    #: the steps of the bridge from the forecast to the requirement
    'bridge_step': {
        'forecast': ('现有分公司预测', "forecast, today's branches"),
        'new_branches': ('新分公司', 'new branches'),
        'uplift': ('人效提升', 'productivity uplift'),
        'hires': ('新招聘', 'new hires'),
        'surplus': ('超额(高于任务的分公司)', 'surplus above task'),
        'open': ('仍未覆盖的缺口', 'gap still open'),
        'required': ('所需任务', 'requirement'),
    },
    'bridge_kind': {'start': ('起点', 'start'), 'step': ('增减', 'step'), 'total': ('合计', 'total')},
    'combined_level': {'company': ('全公司', 'company')},
}
