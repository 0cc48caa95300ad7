"""The refund ladders of the fees, as rule-set data (`RuleSet.refund_ladders`; docs/rules-coverage.md refund-1).

A ladder maps the stage a request ended at to what of the paid fee is reimbursed: ["full"], ["none"],
["above", "1500"] (any amount above USD 1,500) or ["amount", "8500"] (USD 8,500, at most what was paid).
Stages: `before_checks` (withdrawn before the secretariat starts the completeness check),
`completeness`, `substantive` (withdrawn or concluded incomplete at that stage), `after_substantive`
(withdrawn later), `rejected` (by the SB).
"""
STAGES = ("before_checks", "completeness", "substantive", "after_substantive", "rejected")


def refund_ladders_default():
    registration = {  # A6.4-PROC-AC-002 v03.0 App.1 para 7 (the renewal fee: para 17)
        "before_checks": ["full"], "completeness": ["above", "1500"], "substantive": ["above", "5000"],
        "after_substantive": ["none"], "rejected": ["none"],
    }
    issuance = {  # A6.4-PROC-AC-002 v03.0 App.1 para 14; A6.4-PROC-AC-003 v03.0 App.1 para 15
        "before_checks": ["full"], "completeness": ["above", "1500"], "substantive": ["above", "5000"],
        "after_substantive": ["above", "10000"], "rejected": ["above", "10000"],
    }
    poa_registration = {  # A6.4-PROC-AC-003 v03.0 App.1 para 7 (the PoA renewal fee: para 19)
        "before_checks": ["full"], "completeness": ["amount", "8500"], "substantive": ["amount", "5000"],
        "after_substantive": ["none"], "rejected": ["none"],
    }
    none = {stage: ["none"] for stage in STAGES}  # PROC-AC-003 App.1 paras 8, 20: CP inclusion and renewal fees
    return {"registration": registration, "issuance": issuance, "poa_registration": poa_registration,
            "poa_issuance": dict(issuance), "cp": none}
