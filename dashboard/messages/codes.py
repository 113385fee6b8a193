"""Every problem the product can report, as one Enum (the pandera way: codes are data, not strings).

A member's value is its catalogue key: ``CODE`` or ``CODE.variant`` when one code has several
messages (a duplicate *area* code and a duplicate *indicator* code are both ``DUPLICATE_CODE``).
People and scripts see the code (``member.code``); the catalogue holds the words. The tests check
that every member has a Chinese and an English text and that no catalogue problem lacks a member.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    """Problem codes (value = catalogue key)."""

    @property
    def code(self) -> str:
        """The code without its variant: ``DUPLICATE_CODE`` for ``DUPLICATE_CODE.area``."""
        return self.value.split(".", 1)[0]

    # ---- rules files: YAML (dashboard/rules/yaml_lines.py)
    NO_RULES = "NO_RULES"
    FILE_UNREADABLE = "FILE_UNREADABLE"
    FILE_TOO_LARGE_YAML = "FILE_TOO_LARGE.yaml"
    ENCODING_YAML = "ENCODING"
    YAML_REFUSED_ALIASES = "YAML_REFUSED.aliases"
    YAML_REFUSED_NODES = "YAML_REFUSED.nodes"
    YAML_SYNTAX = "YAML_SYNTAX"
    YAML_SYNTAX_COLON = "YAML_SYNTAX.colon"
    YAML_SYNTAX_NO_COLON = "YAML_SYNTAX.no_colon"
    YAML_SYNTAX_INDENT = "YAML_SYNTAX.indent"
    YAML_SYNTAX_TAB = "YAML_SYNTAX.tab"
    YAML_SYNTAX_QUOTE = "YAML_SYNTAX.quote"
    YAML_SYNTAX_ESCAPE = "YAML_SYNTAX.escape"
    FULLWIDTH_COLON = "FULLWIDTH_COLON"
    DUPLICATE_KEY = "DUPLICATE_KEY"

    # ---- rules files: fields and values (dashboard/rules/validation.py)
    UNKNOWN_KEY = "UNKNOWN_KEY"
    MISSING_FIELD = "MISSING_FIELD"
    MISSING_FIELD_AREAS_LIST = "MISSING_FIELD.areas_list"
    MISSING_FIELD_UNITS_LIST = "MISSING_FIELD.units_list"
    MISSING_FIELD_TASKS_LIST = "MISSING_FIELD.tasks_list"
    MISSING_FIELD_EMPTY_FILE = "MISSING_FIELD.empty_file"
    MISSING_FIELD_ATTRIBUTE = "MISSING_FIELD.attribute"
    MISSING_FILE_AREAS = "MISSING_FILE.areas"
    MISSING_FILE_INDICATORS = "MISSING_FILE.indicators"
    MISSING_FILE_UNITS = "MISSING_FILE.units"
    BAD_CHECK = "BAD_CHECK"
    WRONG_TYPE = "WRONG_TYPE"
    WRONG_TYPE_TEXT = "WRONG_TYPE.text"
    WRONG_TYPE_INTEGER = "WRONG_TYPE.integer"
    WRONG_TYPE_NUMBER = "WRONG_TYPE.number"
    WRONG_TYPE_BOOL = "WRONG_TYPE.bool"
    WRONG_TYPE_CHOICE = "WRONG_TYPE.choice"
    WRONG_TYPE_PATTERN = "WRONG_TYPE.pattern"
    WRONG_TYPE_EMPTY = "WRONG_TYPE.empty"
    WRONG_TYPE_TOO_SHORT = "WRONG_TYPE.too_short"
    WRONG_TYPE_TOO_LONG = "WRONG_TYPE.too_long"
    WRONG_TYPE_MIN = "WRONG_TYPE.min"
    WRONG_TYPE_MAX = "WRONG_TYPE.max"
    WRONG_TYPE_MAPPING = "WRONG_TYPE.mapping"
    WRONG_TYPE_FILE_MAPPING = "WRONG_TYPE.file_mapping"
    WRONG_TYPE_LIST = "WRONG_TYPE.list"
    WRONG_TYPE_RANGE_ORDER = "WRONG_TYPE.range_order"

    # ---- rules files: cross-checks (dashboard/rules/loader.py, workplan.py)
    DUPLICATE_AREA_CODE = "DUPLICATE_CODE.area"
    DUPLICATE_PLAN_CODE = "DUPLICATE_CODE.plan"
    DUPLICATE_DOMAIN_CODE = "DUPLICATE_CODE.domain"
    DUPLICATE_INDICATOR_CODE = "DUPLICATE_CODE.indicator"
    DUPLICATE_OVERRIDE_FILE = "DUPLICATE_CODE.override_file"
    DUPLICATE_UNIT_CODE = "DUPLICATE_CODE.unit"
    DUPLICATE_GROUP = "DUPLICATE_CODE.group"
    DUPLICATE_TASK_CODE = "DUPLICATE_CODE.task"
    DUPLICATE_NAME = "DUPLICATE_NAME"
    DUPLICATE_UNIT = "DUPLICATE_UNIT"
    UNKNOWN_AREA_PARENT = "UNKNOWN_AREA.parent"
    UNKNOWN_AREA_PLAN = "UNKNOWN_AREA.plan"
    UNKNOWN_AREA_OVERRIDE = "UNKNOWN_AREA.override"
    UNKNOWN_AREA_UNIT = "UNKNOWN_AREA.unit"
    AREA_TREE = "AREA_TREE"
    BAD_CODE = "BAD_CODE"
    UNKNOWN_DOMAIN = "UNKNOWN_DOMAIN"
    UNKNOWN_DOMAIN_TASK = "UNKNOWN_DOMAIN.task"
    UNKNOWN_REFERENCE = "UNKNOWN_REFERENCE"
    UNKNOWN_REFERENCE_OVERRIDE = "UNKNOWN_REFERENCE.override"
    UNKNOWN_INDICATOR_OVERRIDE = "UNKNOWN_INDICATOR.override"
    UNKNOWN_INDICATOR_TASK = "UNKNOWN_INDICATOR.task"
    UNKNOWN_UNIT = "UNKNOWN_UNIT"
    UNKNOWN_PLAN = "UNKNOWN_PLAN"
    UNKNOWN_GROUP = "UNKNOWN_GROUP"
    BAD_GROUP = "BAD_GROUP"
    BAD_TARGET_TASK_REFERENCE = "BAD_TARGET.task_reference"

    # ---- who may do what (dashboard/access)
    PASSWORD_MISMATCH = "PASSWORD_MISMATCH"
    UNKNOWN_AREA_USER = "UNKNOWN_AREA.user"
    NOT_ALLOWED = "NOT_ALLOWED"
    NOT_ALLOWED_OWN_BATCHES = "NOT_ALLOWED.own_batches"
    AREA_NOT_ALLOWED = "AREA_NOT_ALLOWED"
    AREA_NOT_ALLOWED_TASK = "AREA_NOT_ALLOWED.task"

    # ---- target texts (dashboard/checks)
    BAD_TARGET_EMPTY = "BAD_TARGET.empty"
    BAD_TARGET_UNKNOWN = "BAD_TARGET.unknown"
    BAD_TARGET_RATIO_ZERO = "BAD_TARGET.ratio_zero"
    BAD_TARGET_RATIO_DIRECTION = "BAD_TARGET.ratio_direction"
    BAD_TARGET_QUALITATIVE = "BAD_TARGET.qualitative"
    BAD_TARGET_NEEDS_REFERENCE = "BAD_TARGET.needs_reference"

    # ---- uploaded files (dashboard/intake)
    FILE_TOO_LARGE_UPLOAD = "FILE_TOO_LARGE.upload"
    EMPTY_FILE = "EMPTY_FILE"
    EMPTY_FILE_NO_CONTENT = "EMPTY_FILE.no_content"
    NOT_PARSEABLE_NOT_XLSX = "NOT_PARSEABLE.not_xlsx"
    NOT_PARSEABLE_XLSX = "NOT_PARSEABLE.xlsx"
    NOT_PARSEABLE_CSV = "NOT_PARSEABLE.csv"
    NOT_PARSEABLE_ENCODING = "NOT_PARSEABLE.encoding"
    BINARY_FILE = "BINARY_FILE"
    BINARY_FILE_BINARY = "BINARY_FILE.binary"
    MISSING_COLUMN = "MISSING_COLUMN"
    NO_DATA_ROWS = "NO_DATA_ROWS"
    NO_DATA_ROWS_TEMPLATE = "NO_DATA_ROWS.template"
    NO_DATA_ROWS_NO_STATUS = "NO_DATA_ROWS.no_status"
    NO_VALUES = "NO_VALUES"
    EMPTY_CELL_AREA = "EMPTY_CELL.area"
    EMPTY_CELL_INDICATOR = "EMPTY_CELL.indicator"
    EMPTY_CELL_YEAR = "EMPTY_CELL.year"
    EMPTY_CELL_TASK = "EMPTY_CELL.task"
    EMPTY_CELL_STATUS = "EMPTY_CELL.status"
    UNKNOWN_AREA = "UNKNOWN_AREA"
    UNKNOWN_AREA_HINT = "UNKNOWN_AREA.hint"
    UNKNOWN_INDICATOR = "UNKNOWN_INDICATOR"
    UNKNOWN_INDICATOR_HINT = "UNKNOWN_INDICATOR.hint"
    UNKNOWN_TASK = "UNKNOWN_TASK"
    UNKNOWN_TASK_HINT = "UNKNOWN_TASK.hint"
    BAD_YEAR = "BAD_YEAR"
    YEAR_OUT_OF_RANGE = "YEAR_OUT_OF_RANGE"
    YEAR_OUTSIDE_TASK_PERIOD = "YEAR_OUTSIDE_TASK_PERIOD"
    NOT_A_NUMBER = "NOT_A_NUMBER"
    NOT_A_NUMBER_REACHED = "NOT_A_NUMBER.reached"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    CONFLICTING_DUPLICATE = "CONFLICTING_DUPLICATE"
    CONFLICTING_DUPLICATE_TASK = "CONFLICTING_DUPLICATE.task"
    DUPLICATE_ROW = "DUPLICATE_ROW"
    DUPLICATE_ROW_TASK = "DUPLICATE_ROW.task"
    BAD_STATUS = "BAD_STATUS"
    REACHED_WITHOUT_TARGET = "REACHED_WITHOUT_TARGET"
    UNKNOWN_TARGET = "UNKNOWN_TARGET"
    AMBIGUOUS_TARGET = "AMBIGUOUS_TARGET"
    CONFLICTING_STATUS = "CONFLICTING_STATUS"

    # ---- store (dashboard/store): refused writes and rollbacks
    REPORT_HAS_ERRORS = "REPORT_HAS_ERRORS"
    UNKNOWN_BATCH = "UNKNOWN_BATCH"
    ALREADY_ROLLED_BACK = "ALREADY_ROLLED_BACK"
    ROLLBACK_BLOCKED = "ROLLBACK_BLOCKED"

    # ---- accounts and sign-in (dashboard/access/accounts.py)
    WEAK_PASSWORD = "WEAK_PASSWORD"
    WEAK_PASSWORD_DEMO = "WEAK_PASSWORD.demo"
    BAD_NAME = "BAD_NAME"
    BAD_ROLE = "BAD_ROLE"
    NO_AREA = "NO_AREA"
    UNKNOWN_AREA_ACCOUNT = "UNKNOWN_AREA.account"
    USER_EXISTS = "USER_EXISTS"
    UNKNOWN_USER = "UNKNOWN_USER"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
    BAD_CREDENTIALS = "BAD_CREDENTIALS"

    # Transitional: a problem whose two texts were written at the call site. Being removed.
    LEGACY = "LEGACY"
