"""The generic cycle engine: machines and writes declared once, one skeleton runs them.

- `declarations`: Transition and Action, the two kinds of write a machine declares.
- `machines`: Machine and the registry every generic part looks machines up in.
- `run`: `write_run`, the one skeleton (locks in the machine's order, actor, state, guards,
  write, one typed event, work on commit).
- `offers`: `available_actions(user, subject)`, the one answer to "what may this person do here
  now", and the queue filters built from the same declarations.
- `timers`: the timer pass over every machine's timed states.
- `notify`: who is told of a change (from `offers`), on commit.

It never imports `projects`: subjects register their machines in their AppConfig.ready().
"""
