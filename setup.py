"""Builds the hwsim Python package with the project's CMake build (build/,
as README command 1 configures it) and installs build/python/hwsim: the
_hwsim extension, the pure-Python layer and the hwsim CLI a sweep runs.

    pip install --no-build-isolation .      (docs/python.md)
"""
import os
import shutil
import subprocess

from setuptools import Distribution, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "build")


class CMakeBuildExt(build_ext):
    """Configures build/ when it is not yet, builds the _hwsim target and
    copies build/python/hwsim into the package being built. It is the
    build_ext step because setuptools runs build_py only for a distribution
    with pure-Python packages of its own (this one lists none), while
    build_ext runs for every distribution with extension modules."""

    def run(self):
        if not os.path.exists(os.path.join(BUILD, "CMakeCache.txt")):
            subprocess.check_call(["cmake", "-S", HERE, "-B", BUILD, "-DCMAKE_BUILD_TYPE=Release"])
        jobs = str(os.cpu_count() or 2)
        subprocess.check_call(["cmake", "--build", BUILD, "--target", "_hwsim", "-j", jobs])
        target = os.path.join(self.build_lib, "hwsim")
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(os.path.join(BUILD, "python", "hwsim"), target,
                        ignore=shutil.ignore_patterns("__pycache__"))


class BinaryDistribution(Distribution):
    """The package holds a compiled extension: a platform wheel."""

    def has_ext_modules(self):
        return True


# setuptools' own staging folders go under build/python-wheel, beside CMake's
# outputs rather than among them.
setup(packages=[], cmdclass={"build_ext": CMakeBuildExt}, distclass=BinaryDistribution,
      options={"build": {"build_base": os.path.join(BUILD, "python-wheel")}})
