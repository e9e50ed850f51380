"""Labels of the app domain (``salesanalytics app``, the interactive panels, PDF copies): (zh, en)."""

COLUMNS: dict[str, tuple[str, str]] = {}

TEXTS: dict[str, tuple[str, str]] = {
    'app_serving': ('正在提供 {target}: http://{host}:{port}/ (Ctrl-C 停止; 空闲 {idle} 秒的内核自动关闭)',
                    'serving {target} on http://{host}:{port}/ (Ctrl-C stops; kernels idle for {idle} s are shut down)'),
    'chart_combined_targets': ('各分公司目标 vs 预测 (万元)', 'Branch targets vs forecast (10k yuan)'),
    'chart_forecast_dots': ('预测均值', 'Forecast mean'),
    'chart_live_tasks': ('各月销售任务 (万元)', 'Monthly sales tasks (10k yuan)'),
}
