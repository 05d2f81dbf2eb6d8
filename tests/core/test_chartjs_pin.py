"""`make vendor` (python3 -m survey.core.chartjs PATH) keeps a copy that matches the pinned SRI
hash and touches nothing it cannot replace by a verified one."""

import pytest

from survey.core import chartjs


@pytest.fixture
def no_npm(monkeypatch, tmp_path):
    """A PATH on which npm cannot be found."""
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))


def test_a_matching_copy_is_kept_without_asking_npm(no_npm, tmp_path, monkeypatch):
    build = b"/* the pinned build */"
    monkeypatch.setattr(chartjs, "SRI", chartjs.sri_of(build))
    path = tmp_path / "chart.umd.min.js"
    path.write_bytes(build)
    assert chartjs.is_verified(path)
    assert chartjs.main([str(path)]) == 0
    assert path.read_bytes() == build


def test_a_copy_that_does_not_match_is_not_verified_and_not_replaced_without_npm(
    no_npm, tmp_path, capsys
):
    path = tmp_path / "chart.umd.min.js"
    path.write_bytes(b"/* something else */")
    assert not chartjs.is_verified(path)
    assert chartjs.main([str(path)]) == 1
    said = capsys.readouterr().err
    assert said == f"Chart.js {chartjs.VERSION}: npm is not installed to fetch it\n"
    assert path.read_bytes() == b"/* something else */"
    assert not chartjs.is_verified(tmp_path / "missing.js")
