"""Models of the awards app: the catalogue and rule sets, the facts, nominations to decisions."""

from awards.models.catalogue import AwardType, RuleSet
from awards.models.facts import Discipline, Initiative, Leave, Rating, ReviewFlag
from awards.models.nominations import (
    AwardRecord,
    CouncilSeat,
    CouncilSession,
    Decision,
    Exemplar,
    Nomination,
    NominationDocument,
    Recusal,
    Vote,
)

__all__ = [
    "AwardRecord",
    "AwardType",
    "CouncilSeat",
    "CouncilSession",
    "Decision",
    "Discipline",
    "Exemplar",
    "Initiative",
    "Leave",
    "Nomination",
    "NominationDocument",
    "Rating",
    "Recusal",
    "ReviewFlag",
    "RuleSet",
    "Vote",
]
