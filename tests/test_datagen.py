"""The bundled synthetic data is exactly what the documented generator makes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesanalytics.methods import datagen
from salesanalytics.adapters import io

from .conftest import DATA


def test_generator_reproduces_the_bundled_files(tmp_path):
    written = io.write_synthetic_data(tmp_path)
    assert written
    for path in written:
        assert path.read_bytes() == (DATA / path.name).read_bytes(), f"data/{path.name} differs from the generator's output"


def test_history_shape_and_spring_festival_dip():
    h = datagen.make_history()
    assert len(h) == 14 * 36 and h["branch"].nunique() == 14
    assert (h["revenue"] > 0).all()
    total = h.groupby("month")["revenue"].sum()
    # 春节 2024 fell on 2024-02-10, 2025 on 2025-01-29: the dip moves with the lunar calendar
    assert total["2024-02-01"] < total["2024-01-01"]
    assert total["2025-01-01"] < total["2024-12-01"]
    assert datagen.spring_festival_days(2024, 2) >= 7
    assert datagen.spring_festival_days(2025, 1) >= 2
    # year-end push: December is the biggest month of every year
    for year in (2023, 2024, 2025):
        months = total[total.index.year == year]
        assert months.idxmax().month == 12


def test_working_days_count_make_up_days():
    # 2026-02: Spring Festival 15th–23rd; make-up working days on Sat 14th and Sat 28th
    assert datagen.working_days(2026, 2) == 16
    assert datagen.working_days(2026, 3) == 22


def test_industry_covers_history_and_outlook():
    h = datagen.make_history()
    ind = datagen.make_industry(h)
    assert ind["year"].tolist() == [2023, 2024, 2025, 2026, 2027, 2028]
    share = h.groupby(h.month.dt.year)["revenue"].sum().to_numpy() / ind["market_size"].to_numpy()[:3]
    assert np.all((share > 0.005) & (share < 0.012))
    assert (ind["kind"] == "actual").sum() == 3
    assert isinstance(ind, pd.DataFrame)
