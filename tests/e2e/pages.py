"""Small helpers that drive the activity pages the way a person does: labels, buttons, forms.

Each helper that submits a form waits for the page it lands on and returns the response, so a
test can check that no step ended on an error page. Forms are found by what they post to (the
same label, "Comment (optional)", sits in every button's form).
"""
import hashlib
import re

from playwright.sync_api import expect

from pacm.common.uploads import sample_pdf

PASSWORD = "pacm-test-pw"  # tests/factories.py user()


def submit(page, button):
    """Click a submit button and return the response of the page the browser lands on."""
    with page.expect_navigation() as navigation:
        button.click()
    response = navigation.value
    assert response is not None and response.status < 400, f"{page.url} answered {response and response.status}"
    return response


def form_login(page, user, password=PASSWORD):
    """Sign `user` in through the real login form (the previous session is dropped first)."""
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(password)
    submit(page, page.get_by_role("button", name="Log in"))
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.locator("nav")).to_contain_text(user.get_username())


def reveal(container, name):
    """Press the button that unfolds a form and wait, as a person does, until the form is open and
    still: Bootstrap's collapse has finished (class `show`, no longer `collapsing`), the form is
    visible and the button says it is expanded. Typing or ticking during the unfolding could land
    on a moving target (issue 11: a checkbox click that changed nothing)."""
    button = container.get_by_role("button", name=name)
    button.click()
    target = container.page.locator(button.get_attribute("data-bs-target"))
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(target).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(target).not_to_have_class(re.compile(r"(^|\s)collapsing(\s|$)"))
    expect(target).to_be_visible()
    return target


def activity_open(page, reference):
    response = page.goto(f"/activities/{reference}/")
    assert response.status == 200, f"{reference} answered {response.status}"
    return response


def state_badge(page):
    return page.locator("#state-badge")


def expect_success(page, text=""):
    """The page shows a success message (and no error message) after a form was sent."""
    messages = page.locator(".pacm-messages")
    expect(messages.locator(".alert-danger")).to_have_count(0)
    expect(messages.locator(".alert-success")).to_contain_text(text)


def transition_form(page, name):
    return page.locator(f"#actions form[action$='/do/{name}/']")


def transition_press(page, name, *, reasons=None, comment=None):
    """Press the button of transition `name` on the activity page, with reasons if it needs them."""
    form = transition_form(page, name)
    expect(form).to_have_count(1)
    if reasons is not None:
        form.get_by_label("Reasons").fill(reasons)
    if comment is not None:
        form.get_by_label("Comment (optional)").fill(comment)
    response = submit(page, form.get_by_role("button"))
    expect_success(page, "done.")
    return response


def issuance_confirm(page):
    """pacm issue 9: a participant confirms the DOE's issuance request (the OMGE election and the
    distribution it shows) on the period page, before the secretariat's checks."""
    box = page.locator("#issuance-confirm")
    expect(box).to_contain_text("OMGE cancellation of")
    submit(page, box.get_by_role("button", name="Confirm the OMGE election and the distribution"))
    expect_success(page, "done.")
    expect(page.locator("#issuance-confirmation")).to_contain_text("Confirmed by")


def fee_pay(page, *, kind, reference):
    """The secretariat records the payment of the fee of `kind` ("Issuance fee", "Registration fee")
    from the page's fee list; returns the fee's row, read again after the page reloaded."""
    row = page.locator("#fees tbody tr", has_text=kind)
    row.get_by_label("Payment reference").fill(reference)
    submit(page, row.get_by_role("button", name="Record payment"))
    expect_success(page, "Payment recorded.")
    return page.locator("#fees tbody tr", has_text=kind)


def document_upload(page, *, kind, path, title=""):
    """The 'Upload a document' card: choose the kind by its label, attach the file."""
    card = page.locator("#upload")
    card.get_by_label("Document").select_option(label=kind)
    if title:
        card.get_by_label("Title").fill(title)
    card.get_by_label("File").set_input_files(str(path))
    response = submit(page, card.get_by_role("button", name="Upload"))
    expect_success(page, "Document uploaded")
    return response


def pdf_write(path, marker):
    """A small real PDF file whose bytes differ by `marker`; returns (path, its SHA-256)."""
    content = sample_pdf(str(marker))
    path.write_bytes(content)
    return path, hashlib.sha256(content).hexdigest()


def timeline(page):
    return page.locator("#timeline")


def timeline_entries(page):
    """The timeline's headlines, oldest first ('State changed: Draft → ...')."""
    return [re.sub(r"\s+", " ", t).strip() for t in page.locator("#timeline li strong").all_inner_texts()]


def dialog_accept_next(page):
    """The next confirm() the page opens ("Cancelled units can never move again...") is accepted."""
    page.once("dialog", lambda dialog: dialog.accept())


def table_rows(locator):
    """The rows of a table as lists of cell texts, whitespace collapsed."""
    return [
        [re.sub(r"\s+", " ", cell).strip() for cell in row.locator("td").all_inner_texts()]
        for row in locator.locator("tbody tr").all()
    ]
