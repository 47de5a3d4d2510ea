"""outbox messages: the kind of mail (for one-click unsubscribe) and a calendar invitation;
registrations: their own iCalendar sequence and last change

Revision ID: 3f1c9a7d2e51
Revises: b7e2d4a91c05
Create Date: 2026-12-06 12:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f1c9a7d2e51'
down_revision = 'b7e2d4a91c05'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=64), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('calendar', sa.Text(), server_default='',
                                      nullable=False))
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('changed_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('changed_at')
        batch_op.drop_column('sequence')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('calendar')
        batch_op.drop_column('kind')
