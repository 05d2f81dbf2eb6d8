"""The JSON API: the year's evaluation, scoped to what the role may read."""

from tests.factories import make_organization, make_user


def _two_organizations(db):
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã")
    make_organization(db, code="phunu", name="Hội Phụ nữ xã")
    make_user(db, username="committee", role="committee")
    make_user(db, username="officer", role="org_officer", organization=nongdan)
    db.session.commit()


def test_committee_reads_every_organization(client, db, login):
    _two_organizations(db)
    login("committee", "a-long-password")
    document = client.get("/api/v1/evaluations/2025").get_json()
    assert document["year"] == 2025
    assert [o["org"] for o in document["organizations"]] == ["nongdan", "phunu"]
    assert document["organizations"][0]["tier_label"] == "Không hoàn thành nhiệm vụ"


def test_an_organization_officer_reads_its_own_only(client, db, login):
    _two_organizations(db)
    login("officer", "a-long-password")
    document = client.get("/api/v1/evaluations/2025?lang=en").get_json()
    assert [o["org"] for o in document["organizations"]] == ["nongdan"]
    assert document["organizations"][0]["tier_label"] == "Did not complete its tasks"


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/api/v1/evaluations/2025")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
