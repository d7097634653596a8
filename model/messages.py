"""Calculation messages: codes, levels and the log a calculation writes them to."""

from model import wire

CRITICAL = "CRITICAL"
WARNING = "WARNING"

# Checks every mutation runs before its own.
UNKNOWN_MUTATION = "UNKNOWN_MUTATION"
INVALID_MUTATION_TYPE = "INVALID_MUTATION_TYPE"
INVALID_MUTATION_PROPERTIES = "INVALID_MUTATION_PROPERTIES"
DOSSIER_NOT_FOUND = "DOSSIER_NOT_FOUND"
NUMERIC_OVERFLOW = "NUMERIC_OVERFLOW"

DOSSIER_ALREADY_EXISTS = "DOSSIER_ALREADY_EXISTS"
INVALID_BIRTH_DATE = "INVALID_BIRTH_DATE"
INVALID_NAME = "INVALID_NAME"
INVALID_SALARY = "INVALID_SALARY"
INVALID_PART_TIME_FACTOR = "INVALID_PART_TIME_FACTOR"
DUPLICATE_POLICY = "DUPLICATE_POLICY"
NO_POLICIES = "NO_POLICIES"
NO_MATCHING_POLICIES = "NO_MATCHING_POLICIES"
NEGATIVE_SALARY_CLAMPED = "NEGATIVE_SALARY_CLAMPED"
NOT_ELIGIBLE = "NOT_ELIGIBLE"
RETIREMENT_BEFORE_EMPLOYMENT = "RETIREMENT_BEFORE_EMPLOYMENT"
INVALID_DATE_RANGE = "INVALID_DATE_RANGE"
PROJECTION_LIMIT_EXCEEDED = "PROJECTION_LIMIT_EXCEEDED"
PROJECTION_BEFORE_EMPLOYMENT = "PROJECTION_BEFORE_EMPLOYMENT"
SCHEME_REGISTRY_UNAVAILABLE = "SCHEME_REGISTRY_UNAVAILABLE"
# The response would hold more values than a request may produce (Limits.max_response_values).
RESPONSE_LIMIT_EXCEEDED = "RESPONSE_LIMIT_EXCEEDED"


class MutationRejected(Exception):
    """Raised after a CRITICAL message: the mutation changes nothing and the calculation halts."""


class MessageLog:
    """The messages of one calculation, in the order produced; a message's id is its index."""

    __slots__ = ("messages", "has_critical")

    def __init__(self) -> None:
        self.messages: list[wire.Message] = []
        self.has_critical = False

    def __len__(self) -> int:
        return len(self.messages)

    def warn(self, code: str, text: str) -> None:
        """Record a WARNING; the mutation goes on."""
        self.messages.append(wire.Message(id=len(self.messages), level=WARNING, code=code, message=text))

    def reject(self, code: str, text: str) -> MutationRejected:
        """Record a CRITICAL message and return the exception that halts the calculation."""
        self.messages.append(wire.Message(id=len(self.messages), level=CRITICAL, code=code, message=text))
        self.has_critical = True
        return MutationRejected(code)
