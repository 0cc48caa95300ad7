"""Issue 11 item 1: the site's and the admin's login are throttled (django-axes) and weak
passwords are refused (Django's password validators)."""
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

PASSWORD = "pacm-test-pw"  # tests/factories.py


def _logged_in(client):
    return "_auth_user_id" in client.session


def _hammer(client, url, username, times=50):
    """`times` wrong passwords; the answers' status codes."""
    return [client.post(url, {"username": username, "password": f"wrong-{i}"}).status_code for i in range(times)]


def test_fifty_wrong_passwords_then_the_right_one_does_not_log_in_on_the_site(client, world):
    codes = _hammer(client, reverse("login"), "ama")
    limit = settings.AXES_FAILURE_LIMIT
    assert codes[: limit - 1] == [200] * (limit - 1)  # the login form again, with its error
    assert set(codes[limit:]) == {429}  # locked out from the limit on
    response = client.post(reverse("login"), {"username": "ama", "password": PASSWORD})
    assert response.status_code == 429
    assert not _logged_in(client)
    html = response.content.decode()
    assert "Too many failed logins" in html and "Even the right password is refused" in html
    assert "30 minutes" in html  # PACM_LOGIN_COOLOFF_MINUTES' default
    assert client.get(reverse("dashboard")).status_code == 302  # still to the login page


def test_fifty_wrong_passwords_then_the_right_one_does_not_log_in_to_the_admin(client, world):
    get_user_model().objects.filter(pk=world.sam.pk).update(is_staff=True)
    url = reverse("admin:login")
    codes = _hammer(client, url, "sam")
    assert set(codes[settings.AXES_FAILURE_LIMIT:]) == {429}
    response = client.post(url, {"username": "sam", "password": PASSWORD, "next": reverse("admin:index")})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert not _logged_in(client)
    assert client.get(reverse("admin:index")).status_code == 302


def test_below_the_limit_the_right_password_logs_in_and_the_count_starts_again(client, world):
    _hammer(client, reverse("login"), "ama", times=settings.AXES_FAILURE_LIMIT - 1)
    response = client.post(reverse("login"), {"username": "ama", "password": PASSWORD})
    assert response.status_code == 302 and _logged_in(client)
    client.logout()
    # AXES_RESET_ON_SUCCESS: the failures before the success no longer count.
    _hammer(client, reverse("login"), "ama", times=settings.AXES_FAILURE_LIMIT - 1)
    assert client.post(reverse("login"), {"username": "ama", "password": PASSWORD}).status_code == 302


def test_the_lockout_is_per_username_and_address_so_others_still_log_in(client, world):
    """AXES_LOCKOUT_PARAMETERS: someone guessing ama's password does not lock kofi out."""
    _hammer(client, reverse("login"), "ama", times=settings.AXES_FAILURE_LIMIT + 2)
    response = client.post(reverse("login"), {"username": "kofi", "password": PASSWORD})
    assert response.status_code == 302 and _logged_in(client)


def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(client, world):
    """The address counted is REMOTE_ADDR: a client cannot pose as a new address per guess."""
    url = reverse("login")
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "ama", "password": f"wrong-{i}"}, HTTP_X_FORWARDED_FOR=f"10.9.8.{i}")
    response = client.post(url, {"username": "ama", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 429 and not _logged_in(client)


@pytest.mark.parametrize("weak", ["12345678", "password1234", "pacm", "ama@example.org"])
def test_weak_passwords_are_refused_by_the_validators(world, weak):
    with pytest.raises(ValidationError):
        validate_password(weak, user=world.ama)
    validate_password("correct horse battery staple 64", user=world.ama)  # a strong one passes


def test_the_admin_refuses_to_create_a_user_with_a_weak_password(admin_client):
    response = admin_client.post(reverse("admin:auth_user_add"), {
        "username": "newcomer", "usable_password": "true", "password1": "12345678", "password2": "12345678",
    })
    assert response.status_code == 200  # the form again, with the validators' messages
    html = response.content.decode()
    assert "This password is too common." in html and "This password is entirely numeric." in html
    assert not get_user_model().objects.filter(username="newcomer").exists()


def test_the_admin_refuses_a_weak_new_password_for_an_existing_user(admin_client, world):
    url = reverse("admin:auth_user_password_change", args=[world.ama.pk])
    response = admin_client.post(url, {"usable_password": "true", "password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200 and "This password is too common." in response.content.decode()
    world.ama.refresh_from_db()
    assert world.ama.check_password(PASSWORD)
