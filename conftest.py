"""Collect the policy test files under policies/tests with the package's pytest plugin."""

pytest_plugins = ["zwcx_rules.tools.pytest_plugin"]
