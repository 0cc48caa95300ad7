from django.urls import path

from . import views

ACTIVITY = "activities/<str:reference>/"
PERIOD = ACTIVITY + "periods/<int:number>/"

urlpatterns = [
    path(ACTIVITY + "board/record/", views.activity_board_record, name="board-activity-record"),
    path(ACTIVITY + "board/open/", views.activity_board_open, name="board-activity-open"),
    path(PERIOD + "board/record/", views.period_board_record, name="board-period-record"),
    path(PERIOD + "board/open/", views.period_board_open, name="board-period-open"),
    path("board/decisions/<int:pk>/vote/", views.board_vote, name="board-vote"),
]
