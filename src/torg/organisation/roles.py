"""What each role may do in its municipality.

One table, read by the scoping helper for pages, exports and the API alike.
"""

from __future__ import annotations

from enum import StrEnum

from torg.organisation.models import Role


class Permission(StrEnum):
    VIEW = "view"  # dashboards, lists, the catalogue
    EXPORT = "export"  # CSV and XLSX downloads, the API's list endpoints
    EDIT_CATALOGUE = "edit_catalogue"
    EDIT_ORGANISATION = "edit_organisation"  # sites, service points, models, hours
    IMPORT = "import"
    MANAGE_MEMBERS = "manage_members"
    RECORD_INQUIRIES = "record_inquiries"  # the desk page; correct one's own for a while
    CORRECT_INQUIRIES = "correct_inquiries"  # correct or delete anyone's, at any time
    MANAGE_SURVEYS = "manage_surveys"  # create surveys, open waves, hand out invitations
    ANALYSE_SURVEYS = "analyse_surveys"  # survey results (small groups suppressed)
    READ_FREE_TEXT = "read_free_text"  # survey free-text answers, above their threshold


ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.DESK_STAFF: frozenset({Permission.VIEW, Permission.RECORD_INQUIRIES}),
    Role.ANALYST: frozenset(
        {
            Permission.VIEW,
            Permission.EXPORT,
            Permission.ANALYSE_SURVEYS,
            Permission.READ_FREE_TEXT,
        }
    ),
    Role.MANAGER: frozenset(
        {
            Permission.VIEW,
            Permission.EXPORT,
            Permission.EDIT_CATALOGUE,
            Permission.EDIT_ORGANISATION,
            Permission.IMPORT,
            Permission.RECORD_INQUIRIES,
            Permission.CORRECT_INQUIRIES,
            Permission.MANAGE_SURVEYS,
            Permission.ANALYSE_SURVEYS,
        }
    ),
    Role.ADMINISTRATOR: frozenset(Permission),
}


def role_allows(role: str, permission: Permission) -> bool:
    """Return whether ``role`` (a :class:`Role` value) grants ``permission``."""
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
