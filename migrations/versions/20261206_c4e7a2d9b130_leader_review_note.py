"""leader reviews: the leader's note, required when confirming a month with no check-in held

Revision ID: c4e7a2d9b130
Revises: 9b041cf58106
Create Date: 2026-12-06 14:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e7a2d9b130'
down_revision = '9b041cf58106'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('leader_reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('leader_reviews', schema=None) as batch_op:
        batch_op.drop_column('note')
