import pytest
pytestmark = pytest.mark.django_db
def test_load(world):
    import time
    from projects.real_activities import real_activities_load
    t=time.time()
    rows, logins = real_activities_load(password="x")
    print("took", time.time()-t)
    for r in rows:
        print(r.cdm_reference, r.activity and (r.activity.reference, r.activity.state), r.transition_request and (r.transition_request.reference, r.transition_request.state))
