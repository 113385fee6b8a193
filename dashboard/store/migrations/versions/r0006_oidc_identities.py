"""OpenID Connect identities: which provider identity signs in as which account.

Deployments with an OpenID Connect provider let people sign in through Streamlit's ``st.login``
(issue 14). The provider tells who someone is — a subject, and an e-mail address it may have
verified — and ``oidc_identities`` says which account that is: one row per identity (a verified
address in lower case, or ``sub:`` + the provider's subject), created by an
administrator (``python -m dashboard user add NAME --role ROLE --oidc EMAIL``). An identity with no
row gets no role. A new table: nothing existing changes, nothing is backfilled.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oidc_identities",
        sa.Column("identity", sa.String(320), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_oidc_identities_user_id", "oidc_identities", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_oidc_identities_user_id", table_name="oidc_identities")
    op.drop_table("oidc_identities")
