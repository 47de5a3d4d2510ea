from tests import factories


def test_sign_in_and_see_team(client, login):
    org = factories.org()
    login(org.leader_a)
    response = client.get("/team")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Dana Reyes" in page and "Rita Rep" in page
    assert "Raj Rep" not in page
