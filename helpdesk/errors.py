"""Domain errors raised by actions; views turn them into a 404 or a 422 with the message in place."""


class DomainError(Exception):
    """A request the domain refuses. `message` is written for the teammate or customer who made it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    pass


class RuleViolation(DomainError):
    """A rule of the product (DESIGN.md section 3) refuses the change."""


class InvalidInput(DomainError):
    """Values that do not validate; `errors` maps a field name to its messages."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.errors = errors or {}
