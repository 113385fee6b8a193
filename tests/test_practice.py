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


def test_comparison_sentences_in_the_committee_s_words(small_rules):
    from dashboard.engine.sentences import comparison_sentence

    rate = small_rules.indicators["T02"]  # %, ≥98.2
    assert (
        comparison_sentence(rate, 2024, 93.1, 92.8, 91.0, 2020, "achieved", "zh")
        == "2024年为93.1%，比上年提高0.3个百分点，比2020年提高2.1个百分点，已提前实现规划目标。"
    )
    assert (
        comparison_sentence(rate, 2024, 93.1, 92.8, 91.0, 2020, "on_track", "en")
        == "93.1% in 2024, 0.3 percentage points higher than the year before, 2.1 percentage points higher "
        "than in 2020, on track."
    )
    mortality = small_rules.indicators["T01"]  # 1/10万: changes in its own unit
    assert (
        comparison_sentence(mortality, 2023, 9.5, 10.2, 12.0, 2020, "on_track", "zh")
        == "2023年为9.5/10万，比上年下降0.7/10万，比2020年下降2.5/10万，进展顺利。"
    )
    assert comparison_sentence(rate, 2030, 98.1, 98.0, 95.0, 2020, "not_achieved", "zh").endswith(
        "比上年提高0.1个百分点，比2020年提高3.1个百分点，未实现规划目标。"
    )
    assert comparison_sentence(rate, 2024, None, 92.8, 91.0, 2020, "no_data", "zh") == "2024年无数据。"
