"""Every label of the app in Chinese and English: ``t(key, lang)``.

Indicator, area and domain names come from the rules YAML (both languages); status and flag words
come from ``dashboard.progress``. Everything else the app prints is here, so switching language
changes every label. Missing keys raise ``KeyError`` in tests (``check_complete``) rather than
showing a raw key to a leader.
"""
from __future__ import annotations

from .progress import FLAG_LABELS, STATUS_LABELS

LANGS = ("zh", "en")

LABELS: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- app frame
    "app_title": ("妇女儿童发展规划监测", "Women's and Children's Plan Monitoring"),
    "language": ("语言 / Language", "语言 / Language"),
    "demo_banner": ("示例数据 / demo data — 非真实统计 not real statistics",
                    "示例数据 / demo data — 非真实统计 not real statistics"),
    "no_data_yet": ("数据库中还没有数据。请在“数据上传”页上传，或运行 `python -m dashboard demo` 载入示例数据。",
                    "The database holds no data yet. Upload on the Upload page, or run "
                    "`python -m dashboard demo` to load demo data."),
    "rules_have_problems": ("规则文件有 {n} 个问题，部分指标可能未载入；详见“规则”页。",
                            "The rules have {n} problem(s); some indicators may be missing. See the Rules page."),
    "store_unavailable": ("无法打开数据库：{err}", "The database cannot be opened: {err}"),
    "section_monitor": ("监测", "Monitoring"),
    "section_tasks": ("任务", "Tasks"),
    "section_data": ("数据", "Data"),
    "section_admin": ("维护", "Maintenance"),
    # ---------------------------------------------------------------- page titles
    "page_overview": ("总览", "Overview"),
    "page_domain": ("分领域", "By domain"),
    "page_district": ("分区县", "By district"),
    "page_constraint": ("约束性/预期性", "By constraint type"),
    "page_indicator": ("指标详情", "Indicator"),
    "page_tasks": ("重点任务", "Key tasks"),
    "page_task": ("任务详情", "Task"),
    "page_upload": ("数据上传", "Upload data"),
    "page_history": ("上传记录", "Upload history"),
    "page_rules": ("规则", "Rules"),
    # ---------------------------------------------------------------- pickers
    "year": ("年份", "Year"),
    "area": ("地区", "Area"),
    "areas": ("地区（可多选）", "Areas (several allowed)"),
    "indicator": ("指标", "Indicator"),
    "plan": ("规划", "Plan"),
    "domain": ("领域", "Domain"),
    "all": ("全部", "All"),
    "attribute": ("指标属性", "Type"),
    "present_mode": ("演示模式", "Presentation mode"),
    "present_help": ("隐藏所有控件，适合投影。", "Hide all controls, for a projector."),
    "exit_present": ("退出演示模式", "Leave presentation mode"),
    "link_hint": ("复制浏览器地址即可分享当前视图（年份、地区、指标都在链接中）。",
                  "Copy the browser address to share this view (year, area and indicator are in the link)."),
    # ---------------------------------------------------------------- common words
    "binding": ("约束性", "Binding"),
    "expected": ("预期性", "Expected"),
    "binding_indicators": ("约束性指标", "Binding indicators"),
    "expected_indicators": ("预期性指标", "Expected indicators"),
    "all_indicators": ("全部指标", "All indicators"),
    "status": ("状态", "Status"),
    "count": ("指标数", "Indicators"),
    "value": ("数值", "Value"),
    "unit": ("单位", "Unit"),
    "target": ("目标", "Target"),
    "target_line": ("目标值", "Target"),
    "baseline": ("基期值", "Baseline"),
    "projection": ("按趋势推算至2030年", "Projected to 2030"),
    "observed": ("实际值", "Observed"),
    "latest_value": ("最新值", "Latest value"),
    "value_year": ("数据年份", "Data year"),
    "warnings": ("提示", "Warnings"),
    "reason": ("原因", "Reason"),
    "code": ("代码", "Code"),
    "name": ("名称", "Name"),
    "none": ("无", "None"),
    "of_total": ("共 {n} 项", "of {n}"),
    "share_good": ("达标或进展顺利占比", "Share achieved or on track"),
    "with_data": ("有数据指标数", "Indicators with data"),
    "rank": ("排名", "Rank"),
    "city": ("全市", "City"),
    "difference": ("差值（本地区−全市）", "Difference (area − city)"),
    "source": ("来源", "Source"),
    "open": ("打开", "Open"),
    "details": ("详情", "Details"),
    "download_csv": ("下载 CSV", "Download CSV"),
    # ---------------------------------------------------------------- overview
    "overview_heading": ("{area} · {year}年 规划实施进展", "{area} · progress in {year}"),
    "status_counts": ("各状态指标数", "Indicators by status"),
    "domain_status": ("各领域指标状态", "Status by domain"),
    "attention": ("需要关注", "Needs attention"),
    "attention_none": ("没有需要特别关注的指标。", "No indicator needs particular attention."),
    "attention_more": ("另有 {n} 项，见“约束性/预期性”页。", "{n} more on the constraint-type page."),
    "reason_binding": ("约束性指标{status}", "binding indicator: {status}"),
    # ---------------------------------------------------------------- domain page
    "domain_heading": ("{domain}", "{domain}"),
    "no_indicators": ("没有指标。", "No indicators."),
    "indicator_link": ("详情 →", "Details →"),
    # ---------------------------------------------------------------- district page
    "district_grid": ("区县 × 指标 状态表", "Areas × indicators status grid"),
    "district_ranking": ("区县排名", "Ranking of areas"),
    "area_vs_city": ("本地区与全市对比", "Area against the city"),
    "grid_filter": ("显示哪些指标", "Which indicators"),
    "compare_area": ("对比地区", "Area to compare"),
    "area_value": ("本地区", "Area"),
    "city_value": ("全市", "City"),
    "area_status": ("本地区状态", "Area status"),
    "city_status": ("全市状态", "City status"),
    "ranking_note": ("按“已达标＋进展顺利”占有数据指标的比例排序。",
                     "Ordered by the share of indicators with data that are achieved or on track."),
    # ---------------------------------------------------------------- constraint page
    "constraint_heading": ("约束性指标与预期性指标", "Binding and expected indicators"),
    "constraint_note": ("约束性指标是必须完成的硬任务；预期性指标是努力争取的目标。",
                        "Binding indicators must be met; expected indicators are aimed for."),
    # ---------------------------------------------------------------- indicator page
    "printed_target": ("规划目标（原文）", "Target as printed"),
    "check_words": ("判断方法", "How it is judged"),
    "target_source_default": ("规划默认目标", "plan default"),
    "target_source_override": ("本地区自定目标", "area's own target"),
    "series": ("历年数据", "Series"),
    "values_table": ("数据表", "Values"),
    "linked_tasks": ("相关重点任务", "Linked tasks"),
    "lead_units": ("牵头单位", "Lead units"),
    "task_title": ("任务", "Task"),
    "no_linked_tasks": ("重点任务尚未载入（工作计划任务清单尚未导入）。",
                        "Work-plan tasks are not loaded yet."),
    "direction": ("方向", "Direction"),
    "dir_higher": ("越高越好", "higher is better"),
    "dir_lower": ("越低越好", "lower is better"),
    "dir_band": ("在区间内为好", "best within a band"),
    "flags": ("提示", "Flags"),
    "status_in": ("{year}年状态", "Status in {year}"),
    "projected_2030": ("2030年推算值", "Projected 2030"),
    "progress_pct": ("完成进度 %", "Progress %"),
    "no_series": ("所选地区没有这项指标的数据。", "The chosen areas have no data for this indicator."),
    "unknown_indicator": ("未知指标：{code}", "Unknown indicator: {code}"),
    # ---------------------------------------------------------------- tasks
    "tasks_not_loaded": ("重点任务尚未载入：工作计划中的任务清单还没有导入本系统。",
                         "Work-plan tasks are not loaded yet: the task lists have not been imported."),
    "task_id": ("任务编号", "Task"),
    "task_not_found": ("找不到任务 {code}。", "Task {code} not found."),
    "back_to_tasks": ("← 返回重点任务", "← Back to tasks"),
    # ---------------------------------------------------------------- upload
    "upload_intro": ("1. 下载模板并填写 → 2. 上传文件 → 3. 查看校验结果和变更预览 → 4. 确认入库。",
                     "1. Download and fill in the template → 2. upload → 3. check the report and the preview → 4. confirm."),
    "template": ("下载填报模板", "Download a template"),
    "template_area": ("模板地区", "Template for area"),
    "template_format": ("格式", "Format"),
    "template_download": ("下载模板", "Download template"),
    "upload_file": ("选择要上传的文件（CSV 或 Excel）", "Choose a file to upload (CSV or Excel)"),
    "uploader": ("上传人", "Uploaded by"),
    "uploader_needed": ("请填写上传人。", "Please give the uploader's name."),
    "validation_report": ("校验结果", "Validation report"),
    "report_ok": ("校验通过：{n} 行数据可入库，跳过 {s} 行。", "Valid: {n} row(s) can be stored, {s} skipped."),
    "report_bad": ("发现 {n} 个问题，文件未入库。请修改后重新上传。",
                   "{n} problem(s) found; nothing was stored. Fix the file and upload again."),
    "download_report": ("下载校验报告", "Download the report"),
    "preview": ("变更预览", "Preview of changes"),
    "preview_counts": ("新增 {new} 行，修正 {corrected} 行，未变 {unchanged} 行。",
                       "{new} new, {corrected} corrected, {unchanged} unchanged."),
    "confirm": ("确认入库", "Confirm and store"),
    "committed": ("已入库，批次号 {batch}。", "Stored as batch {batch}."),
    "upload_unavailable": ("上传功能尚未就绪（缺少 dashboard.upload / dashboard.store）。",
                           "Upload is not available yet (dashboard.upload / dashboard.store missing)."),
    "upload_failed": ("处理文件时出错：{err}", "The file could not be processed: {err}"),
    "problem_location": ("位置", "Location"),
    "problem_code": ("问题代码", "Code"),
    "problem_message": ("说明", "Message"),
    "old": ("原值", "Old"),
    "new": ("新值", "New"),
    "change_kind": ("变更类型", "Change"),
    "kind_new": ("新增", "new"),
    "kind_correction": ("修正", "correction"),
    "kind_unchanged": ("未变", "unchanged"),
    "old_note": ("原备注", "Old note"),
    "note": ("备注", "Note"),
    "source_row": ("文件行号", "Row in file"),
    # ---------------------------------------------------------------- history
    "history_intro": ("每次上传都是一个批次；回滚会撤销该批次写入的数据，恢复之前的值。",
                      "Each upload is a batch; rolling back undoes what the batch wrote and restores the earlier values."),
    "no_batches": ("还没有上传记录。", "No uploads yet."),
    "rollback_batch": ("要回滚的批次", "Batch to roll back"),
    "rollback_confirm": ("我确认要回滚这个批次", "I confirm rolling back this batch"),
    "rollback": ("回滚", "Roll back"),
    "rolled_back": ("批次 {batch} 已回滚。", "Batch {batch} rolled back."),
    "rollback_failed": ("回滚失败：{err}", "Rollback failed: {err}"),
    "user": ("操作人", "User"),
    # ---------------------------------------------------------------- rules
    "rules_loaded": ("已载入规则", "Rules loaded"),
    "rules_dir": ("规则目录：{path}", "Rules directory: {path}"),
    "rules_fingerprint": ("规则版本：{fp}（修改 YAML 后刷新即可生效，无需重启）",
                          "Rules version: {fp} (edit the YAML and rerun; no restart needed)"),
    "n_indicators": ("指标", "Indicators"),
    "n_areas": ("地区", "Areas"),
    "n_overrides": ("地区自定目标", "Area overrides"),
    "n_problems": ("问题", "Problems"),
    "problems": ("规则校验问题", "Validation problems"),
    "no_problems": ("规则校验通过，没有问题。", "The rules validate without problems."),
    "file": ("文件", "File"),
    "line": ("行", "Line"),
    "severity": ("级别", "Severity"),
    "resolved_targets": ("各地区适用的目标", "Targets that apply to each area"),
    "only_differences": ("只显示与规划默认目标不同的", "Only those that differ from the defaults"),
    "default_target": ("规划默认目标", "Default target"),
    "area_target": ("本地区目标", "Area's target"),
    "no_differences": ("该地区全部采用规划默认目标。", "This area uses the plan defaults throughout."),
    "catalogue": ("指标目录", "Indicator catalogue"),
}

# Engine vocabularies, reused so that the words are the same everywhere.
for _status, (_zh, _en) in STATUS_LABELS.items():
    LABELS[f"status_{_status}"] = (_zh, _en)
for _flag, (_zh, _en) in FLAG_LABELS.items():
    LABELS[f"flag_{_flag}"] = (_zh, _en)


def norm_lang(lang: str | None) -> str:
    return "en" if lang == "en" else "zh"


def t(key: str, lang: str = "zh", **fmt) -> str:
    """The label ``key`` in ``lang`` ('zh' default, 'en'), formatted with ``fmt``."""
    zh, en = LABELS[key]
    text = en if lang == "en" else zh
    return text.format(**fmt) if fmt else text


def status_label(status: str, lang: str = "zh") -> str:
    return t(f"status_{status}", lang)


def flag_label(flag: str, lang: str = "zh") -> str:
    return t(f"flag_{flag}", lang)


def attribute_label(attribute: str, lang: str = "zh") -> str:
    return t(attribute, lang) if attribute in ("binding", "expected") else str(attribute)
