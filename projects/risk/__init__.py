"""The reversal risk assessment and its revisions (A6.4-STAN-METH-002 v01.0 paras 38-42, 49): a small
machine of its own beside the activity (docs/architecture.md, "The reversal risk rating")."""
