"""Notifications are a person's own messages, read in the app (/notifications/): not in the
admin, where staff would read other people's messages about activities they may not see."""
