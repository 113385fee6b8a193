"""Monitoring dashboard for women's and children's development plans (妇女/儿童发展规划 2021-2030)."""

__version__ = "0.1.0"
