"""What every target-kind test uses: the default settings of rules/settings.yaml."""
import pytest

from dashboard.rules import Settings


@pytest.fixture
def settings():
    return Settings()
