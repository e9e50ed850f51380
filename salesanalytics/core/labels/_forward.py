"""Labels of the forward domain (正推法): column/field names, sentences and coded values, (zh, en)."""

COLUMNS: dict[str, tuple[str, str]] = {
    # predict()
    'mean': ('预测均值(元)', 'Forecast mean (yuan)'),
    'model': ('模型', 'Model'),
    # summary table and target suggestions
    'last_12m': ('近12月实际(元)', 'Last 12 months (yuan)'),
    'forecast': ('预测(元)', 'Forecast (yuan)'),
    'growth_pct': ('增长%', 'Growth %'),
    'conservative': ('保守(元)', 'Conservative (yuan)'),
    'base': ('基准(元)', 'Base (yuan)'),
    'stretch': ('激进(元)', 'Stretch (yuan)'),
    # outlook (the default percentiles; others are headed by the text fc_percentile)
    'months': ('月数', 'Months'),
    'p10': ('P10(元)', 'P10 (yuan)'),
    'p20': ('P20(元)', 'P20 (yuan)'),
    'p50': ('P50(元)', 'P50 (yuan)'),
    'p80': ('P80(元)', 'P80 (yuan)'),
    'p90': ('P90(元)', 'P90 (yuan)'),
    # backtest
    'series': ('序列', 'Series'),
    'candidate': ('候选模型', 'Candidate model'),
    'backtest_mase': ('回测误差(MASE)', 'Backtest error (MASE)'),
    'used': ('采用', 'Used'),
    # model weights and calendar effect
    'weight': ('权重', 'Weight'),
    'effect_pct': ('日历效应%', 'Calendar effect %'),
    # industry blend
    'share': ('市场份额', 'Market share'),
    'market_size': ('市场规模(元)', 'Market size (yuan)'),
    'industry_estimate': ('行业法估计(元)', 'Industry estimate (yuan)'),
    'statistical_estimate': ('统计法估计(元)', 'Statistical estimate (yuan)'),
    'blended_estimate': ('混合估计(元)', 'Blended estimate (yuan)'),
    'factor': ('调整系数', 'Factor'),
}

TEXTS: dict[str, tuple[str, str]] = {
    'fc_company': ('全公司', 'Company'),
    # headers whose words depend on a level or percentile
    'fc_interval_low': ('{level}%区间下限(元)', 'Low end of the {level}% interval (yuan)'),
    'fc_interval_high': ('{level}%区间上限(元)', 'High end of the {level}% interval (yuan)'),
    'fc_percentile': ('P{q}(元)', 'P{q} (yuan)'),
    # table / sheet names
    'fc_sheet_forecast': ('预测', 'Forecast'),
    'fc_sheet_summary': ('预测摘要', 'Summary'),
    'fc_sheet_targets': ('目标建议', 'Target suggestions'),
    'fc_sheet_outlook': ('年度展望', 'Outlook'),
    'fc_sheet_backtest': ('回测', 'Backtest'),
    'fc_sheet_industry': ('行业分析', 'Industry analysis'),
    'fc_sheet_weights': ('模型权重', 'Model weights'),
    'fc_sheet_calendar': ('日历效应', 'Calendar effect'),
    # report(): how the data were handled
    'fc_note_short': ('{series}: 仅{n}个月历史，不做季节性，采用阻尼趋势', '{series}: only {n} months, no seasonality, damped trend'),
    'fc_note_zeros': ('{series}: {n}个月为零，季节性按加法处理', '{series}: {n} zero months, additive seasonality used'),
    'fc_note_negatives': ('{series}: {n}个月为负（退货），季节性按加法处理，区间不截断于0',
                          '{series}: {n} negative months (returns), additive seasonality, ranges not floored at 0'),
    'fc_note_outliers': ('{series}: 异常值 {months} 以邻近中位数替代后建模', '{series}: one-off outliers {months} replaced by the local median before fitting'),
    'fc_note_filled': ('{series}: 缺失月份 {months} 按{policy}填补', '{series}: missing months {months} filled ({policy})'),
    'fc_note_seasonal': ('{series}: 季节性（{form}）', '{series}: seasonal ({form})'),
    'fc_note_industry_extended': ('行业展望未覆盖 {years} 年，按{how}外推', 'industry outlook does not cover {years}: extended at the {how}'),
    'fc_note_industry_skipped': ('{series}: 无完整年度或份额非正，未做行业混合', '{series}: no full year or non-positive share, industry blend skipped'),
    'fc_note_industry_weight': ('行业分析（市场份额法）权重 {weight}', 'industry analysis (market-share method) weight {weight}'),
    'fc_note_market': ('区间计入各分公司共同的市场波动：年标准差至少 {sd}（已含历史中可见的部分）',
                       'ranges allow for a market movement all branches share of at least {sd} a year (sd; what their history already shows counts towards it)'),
    'fc_note_models': ('模型: {models}', 'models: {models}'),
}

VALUES: dict[str, dict[str, tuple[str, str]]] = {
    'forecast_model': {
        'ets': ('指数平滑(ETS)', 'Exponential smoothing (ETS)'),
        'theta': ('Theta法', 'Theta method'),
        'snaive': ('季节朴素', 'Seasonal naive'),
        'arima': ('ARIMA', 'ARIMA'),
        'naive': ('朴素', 'Naive'),
        'ses': ('简单指数平滑', 'Simple exponential smoothing'),
        'damped': ('阻尼趋势指数平滑', 'Damped-trend exponential smoothing'),
        'holt': ('Holt线性趋势', "Holt's linear trend"),
        'drift': ('漂移法', 'Drift'),
        'weighted': ('加权组合', 'Weighted combination'),
        'bottom-up': ('自下而上汇总', 'Bottom-up sum'),
    },
    'seasonal_form': {'multiplicative': ('乘法', 'multiplicative'), 'additive': ('加法', 'additive')},
    'fill_policy': {'zero': ('补零', 'zero'), 'interpolate': ('插值', 'interpolate')},
    'industry_extension': {'given growth': ('给定增长率', 'given growth'), 'last growth rate': ('最近增长率', 'last growth rate')},
}
