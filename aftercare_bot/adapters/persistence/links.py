"""One-time enrollment and staff-invitation links, found by the hash of their token."""

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.tables import enrollment_links
from aftercare_bot.domain.enrollment_links import EnrollmentLink, LinkPurpose


class LinkRepository:
    """Stored links."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, link: EnrollmentLink) -> None:
        """Stage a new link."""
        self._session.add(link)

    async def by_token_hash(self, token_hash: str) -> EnrollmentLink | None:
        """The link whose token hashes to `token_hash`."""
        return await self._session.scalar(
            select(EnrollmentLink).where(enrollment_links.c.token_hash == token_hash)
        )

    async def by_id(self, link_id: int) -> EnrollmentLink | None:
        """The link with this id."""
        return await self._session.get(EnrollmentLink, link_id)

    async def revoke_unused_for(self, patient_id: int, purpose: LinkPurpose) -> None:
        """Make a patient's earlier unused links unusable, when a new one is issued."""
        await self._session.execute(
            update(enrollment_links)
            .where(
                enrollment_links.c.patient_id == patient_id,
                enrollment_links.c.purpose == purpose,
                enrollment_links.c.used_at.is_(None),
            )
            .values(expires_at=enrollment_links.c.created_at)
            .execution_options(synchronize_session=False)
        )
