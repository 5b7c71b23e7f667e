"""Imports every model so metadata (and Alembic) see the whole schema."""
from .accounts.models import Address, SmsCode, User  # noqa: F401
from .agents.models import Agent, AgentDividend  # noqa: F401
from .assist.models import AssistCampaign, AssistHelp, AssistProduct  # noqa: F401
from .cart.models import CartItem  # noqa: F401
from .catalog.models import Category, Product, ProductImage, Sku  # noqa: F401
from .center.models import PromoMaterial  # noqa: F401
from .coupons.models import Coupon, CouponTemplate  # noqa: F401
from .distribution.models import (  # noqa: F401
    Application,
    BindingLog,
    Commission,
    CommissionSettings,
    Distributor,
    Grade,
    GradeChange,
    ProductCommission,
    ReferralNode,
    ReferralPath,
    RuleVersion,
)
from .flash.models import FlashItem, FlashSlot, FlashTake  # noqa: F401
from .groupbuy.models import Group, GroupActivity, GroupMember, GroupOrder, GroupPrice  # noqa: F401
from .growth.models import FraudFlag, Sighting, VisitCounter  # noqa: F401
from .orders.models import Order, OrderLine  # noqa: F401
from .payments.models import (  # noqa: F401
    Payment,
    PaymentAlert,
    Refund,
    RefundLine,
    SandboxRefund,
    SandboxTransaction,
    SandboxTransfer,
)
from .points.models import Checkin, PointsAccount, PointsEntry  # noqa: F401
from .pool.models import PoolAdjustment, PoolOrder, PoolPeriod, PoolShare  # noqa: F401
from .reports.models import AuditRun, DailyDistributorSales, DailyFigures, DailyProductSales  # noqa: F401
from .settings import Setting  # noqa: F401
from .staff.models import OperationLog, Staff  # noqa: F401
from .stores.models import Store, StoreClerk, StoreMember  # noqa: F401
from .wallet.models import Account, LedgerEntry, Withdrawal  # noqa: F401
