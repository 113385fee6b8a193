"""达标率 and the four evaluation classes (docs/method.md, part C), on tables worked by hand."""

import pandas as pd

from dashboard.engine.practice import attainment, class_counts

TABLE = pd.DataFrame(
    {
        "status": ["achieved", "achieved", "on_track", "deterioration", "no_data", "not_achieved"],
        "attribute": ["binding", "expected", "binding", "expected", "binding", "expected"],
    }
)


def test_attainment_counts_no_data_apart():
    # all: 2 achieved of 5 that can be monitored (one without data, not in the denominator) = 40.0 %
    # binding: achieved, on_track (+ no data) → 1 of 2 = 50.0 %; expected: 1 of 3 = 33.3 %.
    rate = attainment(TABLE)
    assert (rate["all"].achieved, rate["all"].monitorable, rate["all"].no_data) == (2, 5, 1)
    assert rate["all"].text("zh") == "40.0%（2/5，另有 1 项无数据）"
    assert rate["binding"].text("en") == "50.0% (1 of 2; 1 more without data)"
    assert rate["expected"].text("zh") == "33.3%（1/3）"
    assert attainment(TABLE[TABLE["status"] == "no_data"])["all"].text("zh") == "无法计算（1 项均无数据）"


def test_four_classes_from_the_statuses():
    mid = class_counts(TABLE, "zh").set_index("class")
    assert mid["label"].tolist() == ["提前达标", "预期可达标", "预期难以达标", "无法判断"]
    assert mid["total"].tolist() == [2, 1, 2, 1]  # not achieved and deterioration are "not expected"
    assert mid["binding"].tolist() == [1, 1, 0, 1]
    final = class_counts(TABLE, "en", final=True)
    assert final["label"].tolist() == ["Achieved", "Expected to be achieved", "Not achieved", "Cannot be judged"]
