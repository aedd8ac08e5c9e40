"""Quality assurance: scorecards, review scores and IQS, fair samples, grader calibration and
auto-QA checks — scored the way Zendesk QA and MaestroQA score.

    scorecard   the ``qa:`` settings: scorecards as data, the IQS target, auto checks
    scoring     review scores from rating rows (scales, weights, N/A, critical, bonus, auto-fail)
    scores      IQS and scores by category per agent / group / channel / period, with intervals
    exports     Zendesk QA and MaestroQA review exports read into the ``reviews`` table
    sample      the per-period review plan: stratified, quota per agent, risk picks apart
    agreement   Krippendorff's alpha, its bootstrap interval, grader bias
    auto        rule checks from the log, one more rater gated by agreement with humans
    text        text checks of the agents' messages with the Triage models, the same gate
    proficiency IQS and handle time of new agents by start cohort and week of tenure
"""
