"""Labels of the backward domain (倒推法): column/field names, sentences and coded values, (zh, en)."""

COLUMNS: dict[str, tuple[str, str]] = {
    # tasks (branch x month, salesperson x month)
    'is_new_branch': ('新分公司', 'New branch'),
    'gross_profit_task_fen': ('毛利任务(分)', 'Gross-profit task (fen)'),
    'sales_task_fen': ('销售任务(分)', 'Sales task (fen)'),
    # staffing check (团队编制)
    'opening_month': ('开业月份', 'Opening month'),
    'capacity_gross_profit': ('现有产能毛利(元)', "Today's team delivers, gross profit (yuan)"),
    'gap_gross_profit': ('毛利缺口(元)', 'Gross-profit gap (yuan)'),
    'uplift_needed_pct': ('需提升人效%', 'Productivity uplift needed %'),
    'extra_heads_needed': ('需增员(人)', 'Extra heads needed'),
    'hires_productive_from': ('新员工产出起始月', 'Hires productive from'),
}

TEXTS: dict[str, tuple[str, str]] = {
    # sheet names of the workbook (at most 31 characters)
    'bw_sheet_sales_matrix': ('销售任务分解表', 'Sales task breakdown'),
    'bw_sheet_gross_profit_matrix': ('毛利任务分解表', 'Gross-profit task breakdown'),
    'bw_sheet_tasks': ('任务明细', 'Tasks'),
    'bw_sheet_salesperson_tasks': ('销售员任务', 'Salesperson tasks'),
    'bw_sheet_staffing_check': ('团队编制', 'Staffing check'),
    'bw_sheet_assumptions': ('假设', 'Assumptions'),
    # assumption items
    'bw_item_plan': ('计划名称', 'Plan'),
    'bw_item_source': ('计划文件', 'Plan file'),
    'bw_item_year': ('年度', 'Year'),
    'bw_item_target': ('目标', 'Target'),
    'bw_item_gross_margin': ('毛利率', 'Gross margin'),
    'bw_item_fixed_costs': ('每月固定费用', 'Fixed costs per month'),
    'bw_item_head_costs': ('每人每月费用', 'Costs per head per month'),
    'bw_item_revenue_costs': ('按销售额比例的费用', 'Costs as a share of sales'),
    'bw_item_income_tax': ('所得税率', 'Income tax rate'),
    'bw_item_phasing': ('月度分配方式', 'Phasing over the months'),
    'bw_item_allocation': ('分公司分配方式', 'Allocation over the branches'),
    'bw_item_hires_productive_from': ('新员工产出起始月', 'Hires productive from'),
    'bw_item_rounding': ('取整规则', 'Rounding'),
    'bw_item_new_branch': ('新分公司 {branch}', 'New branch {branch}'),
    'bw_item_note': ('备注', 'Note'),
    # assumption values
    'bw_amount': ('{amount} 元', '{amount} yuan'),
    'bw_target_value': ('{kind} {amount} 元', '{kind} {amount} yuan'),
    'bw_month_number': ('{month}月', 'month {month}'),
    'bw_phasing_compound': ('按月复合增长 {growth}', 'compound growth of {growth} a month'),
    'bw_phasing_yoy': ('去年同月增长 {growth}', "last year's same month plus {growth}"),
    'bw_phasing_seasonal_shares': ('季节性分配：{shares}', 'seasonal shares: {shares}'),
    'bw_phasing_seasonal_history': ('按去年各月的季节性', "last year's seasonal shape"),
    'bw_phasing_flat': ('每月相同', 'the same every month'),
    'bw_rounding_value': ('按分取整，最大余额法：先月份，再分公司，再销售员',
                          'integer fen, largest remainder: months first, then branches, then salespeople'),
    'bw_new_branch_value': ('{month}月开业，{heads} 人，人均月毛利 {gph}，爬坡 {ramp}',
                            'opens in month {month}, {heads} people, monthly gross profit per head {gph}, ramp {ramp}'),
    'bw_gph_comparable': ('同{branch}', 'as {branch}'),
    'bw_gph_median': ('公司中位数', 'company median'),
    #: the salesperson who carries a branch's task while the roster has nobody there
    'bw_unassigned': ('待招聘', 'to hire'),
}

VALUES: dict[str, dict[str, tuple[str, str]]] = {
    'plan_target_kind': {
        'net_profit': ('净利润', 'net profit'),
        'gross_profit': ('毛利', 'gross profit'),
        'revenue': ('销售额', 'sales'),
    },
    'allocation': {
        'capacity': ('按产能（人数×人均毛利）', 'by capacity (headcount × gross profit per head)'),
        'weights': ('按给定权重', 'by the given weights'),
        'forecast': ('按预测', 'by the forecast'),
    },
    #: month headers of the wide task matrices (任务分解表)
    'plan_month': {m: (f'{m}月', en) for m, en in enumerate(
        ('Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'), start=1)},
}
