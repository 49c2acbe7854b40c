"""The presets' words in Simplified Chinese: the terms a Chinese bank's records use.

Customer risk levels C1-C5 and product risk levels R1-R5 use the terms of
the industry's suitability practice (保守型/谨慎型/稳健型/积极型/激进型,
低/中低/中/中高/高风险, as in the banking wealth-management suitability
rules the regulatory preset cites); tiers the practice's 大众/中端/高端客户.
Rows are matched by id, or (contact rules and campaigns) by their English
text, so a preset row without a translation fails loudly in the tests
rather than silently showing English.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["zh_cn_locale"]

TIERS = {
    "mass": "大众客户",
    "mid_end": "中端客户",
    "high_end": "高端客户",
    "private_banking": "私人银行客户",
}
CATEGORIES = {
    "deposit": "定期存款和大额存单",
    "money_market": "货币基金和现金管理类产品",
    "bond_fund": "债券基金",
    "fixed_income_wm": "固定收益类理财产品",
    "balanced_fund": "混合型基金",
    "equity_fund": "股票型基金",
    "structured_product": "结构性产品",
    "private_wealth": "私人银行理财和私募基金",
    "protection_insurance": "保障型保险（医疗、重疾）",
    "pension_product": "养老产品（个人养老金、年金）",
    "education_savings": "教育储蓄计划",
}
SERVICES = {
    "wealth_package": "定制化理财套餐",
    "innovative_loans": "创新贷款产品",
    "financial_consultant": "专属理财顾问",
    "wealth_centre": "财富管理中心和贵宾窗口",
    "airport_service": "国内机场贵宾服务",
    "business_travel": "商旅增值服务",
    "medical_service": "医疗增值服务",
    "customer_salon": "客户沙龙、美容沙龙和品鉴会",
    "points_exchange": "积分兑换",
    "deposit_gift": "存款礼品和存款抽奖",
    "referral_reward": "推荐新客户奖励",
}
#: Contact rules by their description, campaigns by their label.
CONTACTS = {
    "Birthday call from the manager": "客户经理生日致电",
    "Holiday greeting from the manager": "客户经理节日问候",
    "Anniversary or family date greeting": "纪念日及家人重要日子问候",
    "Home visit": "上门拜访",
    "KYC review": "客户身份资料复核",
    "Risk re-assessment": "风险承受能力重新评估",
    "Maturity review": "产品到期回访",
    "Salon invitation": "沙龙活动邀请",
    "Regular call": "定期电话回访",
    "Birthday SMS": "生日祝福短信",
    "Holiday SMS": "节日祝福短信（春节、中秋）",
    "Maturity notice": "产品到期提醒",
    "Account service notice": "账户服务通知",
    "KYC update request": "客户资料更新提醒",
    "Spring Festival deposit gift": "春节存款礼",
    "First wealth product: a low-risk entry product": "首购理财：低风险入门产品",
    "Summer points exchange": "夏季积分兑换",
    "Refer a friend": "推荐好友",
    "Year-end deposit lottery": "年末存款抽奖",
    "Personal pension account: entry product": "个人养老金账户：入门产品",
}


def zh_cn_locale(
    data: Mapping[str, Any], levels: Mapping[str, str], product_levels: Mapping[str, str]
) -> dict[str, Any]:
    """The ``zh_CN`` entry of a preset's ``locales``: a label for every labelled row."""
    labels: dict[str, str] = {}
    labels.update((f"tier.{t['id']}", TIERS[t["id"]]) for t in data["tiers"])
    labels.update((f"level.{k}", v) for k, v in levels.items())
    labels.update((f"plevel.{k}", v) for k, v in product_levels.items())
    labels.update(
        (f"category.{c['id']}", CATEGORIES[c["id"]]) for c in data["allocation"]["categories"]
    )
    labels.update((f"service.{s['id']}", SERVICES[s["id"]]) for s in data["services"])
    cadence = data["cadence"]
    labels.update(
        (f"contact.{r['id']}", CONTACTS[r["description"]]) for r in cadence["contact_rules"]
    )
    labels.update((f"contact.{c['id']}", CONTACTS[c["label"]]) for c in cadence["campaigns"])
    return {"labels": dict(sorted(labels.items())), "amounts": "grouped"}
