"""The browser tests run with reduced motion (conftest.browser_context_args, issue 11): no Bootstrap
transition is in progress when a test types or ticks, which made a checkbox click change nothing."""


def test_the_browser_prefers_reduced_motion_and_bootstrap_honours_it(page):
    page.goto("/")
    assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches") is True
    duration = page.evaluate("""() => {
        const probe = document.createElement('div');
        probe.className = 'collapsing';
        document.body.appendChild(probe);
        return getComputedStyle(probe).transitionDuration;
    }""")
    assert duration == "0s"
