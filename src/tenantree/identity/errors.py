from tenantree.errors import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound


class InvalidCredentials(NotAuthenticated):
    code = "invalid_credentials"


class InvalidToken(NotAuthenticated):
    code = "invalid_token"


class UserSuspended(Forbidden):
    code = "user_suspended"


class UserNotFound(NotFound):
    code = "user_not_found"


class InvitationNotFound(NotFound):
    code = "invitation_not_found"


class InvitationUnusable(Invalid):
    """An invitation token that is expired, revoked, already used, or unknown."""

    code = "invitation_unusable"


class AlreadyMember(Conflict):
    code = "already_member"


class PrimaryAdminProtected(Conflict):
    code = "primary_admin_protected"


class EmailTaken(Conflict):
    code = "email_taken"


class MfaEnrolmentRequired(Forbidden):
    """A session that may only enrol a second factor asked for something else."""

    code = "mfa_enrolment_required"


class InvalidSecondFactor(NotAuthenticated):
    code = "invalid_second_factor"


class SecondFactorNotFound(NotFound):
    code = "second_factor_not_found"


class SecondFactorExists(Conflict):
    code = "second_factor_exists"


class SignInToAccept(Forbidden):
    code = "sign_in_to_accept"


class EmailUnconfirmed(Forbidden):
    code = "email_unconfirmed"


class AwaitingConsent(Conflict):
    code = "awaiting_consent"
