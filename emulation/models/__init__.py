"""Models of the emulation app, one module per part of the workflow."""

from emulation.models.movement import Criterion, Movement, Period, TaskArea
from emulation.models.pledges import (
    ClusterCovenant,
    CovenantConfirmation,
    IndividualRegistration,
    Pledge,
    PledgeTarget,
)
from emulation.models.rankings import RankingEntry, RankingSnapshot, ReminderLog, ScheduledRun
from emulation.models.scoring import (
    Adjustment,
    CriterionResult,
    Evidence,
    Score,
    ScorerAssignment,
    SelfScore,
    Submission,
)

__all__ = [
    "Adjustment",
    "ClusterCovenant",
    "CovenantConfirmation",
    "Criterion",
    "CriterionResult",
    "Evidence",
    "IndividualRegistration",
    "Movement",
    "Period",
    "Pledge",
    "PledgeTarget",
    "RankingEntry",
    "RankingSnapshot",
    "ReminderLog",
    "ScheduledRun",
    "Score",
    "ScorerAssignment",
    "SelfScore",
    "Submission",
    "TaskArea",
]
