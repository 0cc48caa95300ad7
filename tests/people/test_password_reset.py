"""Password reset by e-mail (pacm issue 9): Django's views with pacm's templates, the outbox, no
user enumeration, and django-axes still guarding the login afterwards."""
import re

from django.core import mail
from django.urls import reverse

from tests import factories as f


def _reset_link(message):
    return re.search(r"https?://[^/\s]+(/accounts/reset/[^\s]+/)", message.body).group(1)


def test_reset_by_email_sets_a_new_password_that_logs_in(client, world):
    response = client.post(reverse("password_reset"), {"email": "ama@example.org"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ama@example.org"]
    assert message.subject == "Reset your pacm password"
    assert "ama" in message.body
    link = _reset_link(message)
    # Django moves the token into the session and redirects to the set-password form.
    form = client.get(link, follow=True)
    assert form.status_code == 200 and b'id="password-set-form"' in form.content
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "A-new-pass-2026!",
                                                    "new_password2": "A-new-pass-2026!"})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    # The login form (django-axes authenticates with the request) takes the new password.
    login = client.post(reverse("login"), {"username": "ama", "password": "A-new-pass-2026!"})
    assert login.status_code == 302 and login["Location"] == reverse("dashboard")
    # The link works once.
    client.logout()
    again = client.get(link, follow=True)
    assert b'id="password-link-invalid"' in again.content


def test_unknown_address_gets_the_same_answer_and_no_mail(client, world):
    known = client.post(reverse("password_reset"), {"email": "ama@example.org"}, follow=True)
    mail.outbox.clear()
    unknown = client.post(reverse("password_reset"), {"email": "nobody-here@example.org"}, follow=True)
    assert unknown.status_code == known.status_code == 200
    assert unknown.redirect_chain == known.redirect_chain
    # The same page but for the CSRF token of the header's language switch (new each render).
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub(b"", unknown.content) == token.sub(b"", known.content)
    assert mail.outbox == []


def test_an_inactive_login_gets_no_mail(client, world):
    world.kofi.is_active = False
    world.kofi.save(update_fields=["is_active"])
    client.post(reverse("password_reset"), {"email": "kofi@example.org"})
    assert mail.outbox == []


def test_axes_still_locks_out_after_wrong_passwords(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 2
    f.user("lena", world.orgs["dev"])
    for _ in range(2):
        client.post(reverse("login"), {"username": "lena", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "lena", "password": "pacm-test-pw"})
    assert locked.status_code == 429
    # The reset form itself is no way round the lockout: it only sends a link.
    client.post(reverse("password_reset"), {"email": "lena@example.org"})
    assert len(mail.outbox) == 1


def test_the_login_page_links_to_the_reset(client, db):
    page = client.get(reverse("login"))
    assert reverse("password_reset").encode() in page.content
