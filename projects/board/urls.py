from django.urls import path

from . import views

ACTIVITY = "activities/<str:reference>/"
PERIOD = ACTIVITY + "periods/<int:number>/"

urlpatterns = [
    path(ACTIVITY + "board/record/", views.activity_board_record, name="board-activity-record"),
    path(ACTIVITY + "board/open/", views.activity_board_open, name="board-activity-open"),
    path(PERIOD + "board/record/", views.period_board_record, name="board-period-record"),
    path(PERIOD + "board/open/", views.period_board_open, name="board-period-open"),
    # A PoA, a component project, a transition request, a renewal (pages.py).
    path("board/<str:kind>/<int:pk>/record/", views.subject_board_record, name="board-subject-record"),
    path("board/<str:kind>/<int:pk>/open/", views.subject_board_open, name="board-subject-open"),
    path("board/decisions/<int:pk>/vote/", views.board_vote, name="board-vote"),
]
