"""flask evaluate: the same ratings as JSON, CSV and a Vietnamese table; precise errors."""

import csv
import io
import json

from tests.factories import make_indicator, make_organization


def _commune(db):
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã", position=1)
    make_organization(db, code="phunu", name="Hội Phụ nữ xã", position=2)
    make_indicator(
        db, nongdan, new_members=5, shortcomings_identified=None, shortcomings_remedied=None
    )
    db.session.commit()


def test_json_follows_the_design_shape(runner, db):
    _commune(db)
    result = runner.invoke(args=["evaluate", "--year", "2025", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["year"] == 2025 and document["ruleset"] == "default"
    nongdan = document["organizations"][0]
    assert nongdan["org"] == "nongdan"
    development = next(c for c in nongdan["criteria"] if c["code"] == "member_development")
    # No survey answers and no feedback: 25 points of survey and inbox criteria are
    # insufficient, so each other weight is scaled by 100/75 (10 -> 13.33). 5 of 10 new
    # members is exactly half the target: 13.33 x 0.5 = 6.67 points.
    assert development["value"] == 0.5 and development["weight"] == 13.33
    assert development["points"] == 6.67
    assert development["status"] == "not_met"
    assert set(nongdan) >= {
        "score",
        "tier",
        "tier_label",
        "borderline",
        "finalized",
        "vetoes",
        "notes",
    }
    # phunu has no annual figures: not enough evidence to rate.
    assert document["organizations"][1]["tier"] == "chua_du_can_cu"
    assert (
        document["organizations"][1]["score"] is None and not document["organizations"][1]["rated"]
    )
    assert nongdan["rated"] is True


def test_one_organization_and_csv(runner, db):
    _commune(db)
    result = runner.invoke(
        args=["evaluate", "--year", "2025", "--org", "nongdan", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert {r["org"] for r in rows} == {"nongdan"}
    assert len(rows) == 12  # one per criterion of the default rule set
    assert next(r for r in rows if r["criterion"] == "meetings")["status"] == "met"


def test_table_is_vietnamese(runner, db):
    _commune(db)
    result = runner.invoke(args=["evaluate", "--year", "2025"])
    assert result.exit_code == 0, result.output
    assert "Kết quả đánh giá, xếp loại năm 2025" in result.output
    assert "Phát triển hội viên, đoàn viên so với chỉ tiêu" in result.output
    assert "50%" in result.output
    assert "Chưa đủ căn cứ để xếp loại" in result.output


def test_unknown_organization_and_bad_rules_fail_precisely(runner, db, app):
    _commune(db)
    result = runner.invoke(args=["evaluate", "--year", "2025", "--org", "xx"])
    assert result.exit_code != 0
    assert "--org: no organization with code 'xx'" in result.output
    with open(f"{app.instance_path}/rules.toml", "w", encoding="utf-8") as f:
        f.write("[tiers]\ntot = 95\n")
    result = runner.invoke(args=["evaluate", "--year", "2025"])
    assert result.exit_code != 0
    assert "the commune's rule set: rules: [tiers] must rise" in result.output


def test_the_commune_rule_file_changes_the_rating(runner, db, app):
    _commune(db)
    with open(f"{app.instance_path}/rules.toml", "w", encoding="utf-8") as f:
        f.write('name = "ha-tam"\n[scoring]\nzero_below_share_of_target = 0.6\n')
    document = json.loads(
        runner.invoke(args=["evaluate", "--year", "2025", "--format", "json"]).output
    )
    assert document["ruleset"] == "ha-tam"
    development = next(
        c for c in document["organizations"][0]["criteria"] if c["code"] == "member_development"
    )
    assert development["points"] == 0  # half the target is now under the 60% floor
