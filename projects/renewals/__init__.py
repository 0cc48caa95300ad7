"""Renewal of crediting periods: projects, PoA periods and component projects (pacm issue 7).

A6.4-PROC-AC-002 v03.0 §10 (paras 231-250), A6.4-STAN-AC-002 §9 (paras 161-170), A6.4-PROC-AC-003
v03.0 §10 (paras 274-305), A6.4-STAN-AC-004 v03.0 §10 (paras 205-218); docs/architecture.md
"Renewal of crediting periods".
"""
