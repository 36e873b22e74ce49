"""The command line's exit status comes from the error (``WorkbenchError.exit_code``), not from
the error's class name: 2 for bad input, 1 for a build whose notebook failed.

Oracle: the documented contract (docs/architecture.md, "One error type": bad input exits 2
without a traceback, a failing notebook exits 1), checked by raising each error from a command.
"""

from __future__ import annotations

from unittest import mock

import pytest

from workbench import cli
from workbench.errors import EXIT_FAILED, EXIT_INVALID, WorkbenchError
from workbench.reporting.build import BuildFailed


class RenamedBuildFailure(BuildFailed):
    """A subclass under another name: a check by class name would miss it."""


@pytest.mark.parametrize("error, status", [
    (WorkbenchError("bad value", file="study.yaml", column="min_cell"), EXIT_INVALID),
    (BuildFailed("notebook 01 failed in cell 3"), EXIT_FAILED),
    (RenamedBuildFailure("notebook 02 failed in cell 1"), EXIT_FAILED),
])
def test_exit_status_of_each_error(error: WorkbenchError, status: int, capsys: pytest.CaptureFixture) -> None:
    with mock.patch.object(cli, "cmd_validate", side_effect=error):
        assert cli.main(["validate", "somewhere"]) == status
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert (EXIT_INVALID, EXIT_FAILED) == (2, 1)
