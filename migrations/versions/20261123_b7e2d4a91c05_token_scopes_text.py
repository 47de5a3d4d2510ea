"""token scopes as text: the joined scope names outgrew 200 characters

Revision ID: b7e2d4a91c05
Revises: 4c5b168db88c
Create Date: 2026-11-23 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e2d4a91c05'
down_revision = '4c5b168db88c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('scopes', existing_type=sa.String(length=200),
                              type_=sa.Text(), existing_nullable=False)


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('scopes', existing_type=sa.Text(),
                              type_=sa.String(length=200), existing_nullable=False)
