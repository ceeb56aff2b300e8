"""iaclint: a static policy linter for infrastructure as code."""

__version__ = "0.1.0"
