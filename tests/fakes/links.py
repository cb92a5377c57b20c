"""The fake of `LinkRepository`: enrollment and staff-invitation links."""

from aftercare_bot.domain.enrollment_links import EnrollmentLink, LinkPurpose
from tests.fakes.patients import check_unique
from tests.fakes.store import FakeSession


class FakeLinkRepository:
    """Stored links, in memory."""

    def __init__(self, session: FakeSession) -> None:
        self._session = session

    def add(self, link: EnrollmentLink) -> None:
        """Stage a new link; it gets its id at once."""
        check_unique(self._session, "enrollment_links", link, (("token_hash",),))
        if link.id is None:
            link.id = self._session.new_id("enrollment_links")
        self._session.table("enrollment_links")[link.id] = link

    async def by_token_hash(self, token_hash: str) -> EnrollmentLink | None:
        """The link whose token hashes to `token_hash`."""
        links = self._session.table("enrollment_links").values()
        return next((link for link in links if link.token_hash == token_hash), None)

    async def by_id(self, link_id: int) -> EnrollmentLink | None:
        """The link with this id."""
        return self._session.table("enrollment_links").get(link_id)

    async def revoke_unused_for(self, patient_id: int, purpose: LinkPurpose) -> None:
        """Make a patient's earlier unused links unusable, when a new one is issued."""
        for link in self._session.table("enrollment_links").values():
            if link.patient_id == patient_id and link.purpose == purpose and link.used_at is None:
                link.expires_at = link.created_at
