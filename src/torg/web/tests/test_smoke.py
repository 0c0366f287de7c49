import pytest


@pytest.mark.django_db
def test_the_login_page_is_served_in_norwegian_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'lang="nb"' in response.content


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_failed_login_puts_the_focus_on_an_error_summary(client, db):
    response = client.post(
        "/accounts/login/", {"username": "nobody", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-error-summary" in html and "You could not be logged in" in html
