"""Install the top-level folders as one package, `pplimits.*` (everything else is in pyproject.toml).

The folders stay at the repository root (bounds/, worstcase/, algorithms/, reports/, experiments/) and are
mapped into the `pplimits` namespace; their subpackages are found here, so none can be left out of a wheel.
"""
from setuptools import find_packages, setup

FOLDERS = ("bounds", "worstcase", "algorithms", "reports", "experiments")

packages, package_dir = ["pplimits", *(f"pplimits.{p}" for p in find_packages("pplimits"))], {"pplimits": "pplimits"}
for folder in FOLDERS:
    package_dir[f"pplimits.{folder}"] = folder
    packages += [f"pplimits.{folder}", *(f"pplimits.{folder}.{p}" for p in find_packages(folder))]

setup(packages=packages, package_dir=package_dir)
