"""The demo report's own words, per locale (reasons come from the message catalogue).

One format string per line kind; ``{}`` fields are filled by ``custtier._demo``.
"""

from __future__ import annotations

from collections.abc import Mapping

from custtier._i18n import Locale

__all__ = ["WORDS"]

_EN: dict[str, str | tuple[str, ...]] = {
    "title": "custtier demo: a synthetic book (seed {seed}, as of {as_of})",
    "playbook": "playbook   {id} v{version}  sha256:{hash}",
    "book": "book       {customers} customers, {managers} managers, {products} products, "
    "amounts in {currency}",
    "managers": "managers   {low}-{high} customers each; {none} customers without one "
    "(marketing system only)",
    "aum": "assets under management",
    "profit": "annual profit contribution",
    "profit_total": "  profit {total} in all; {negative} customers ({share}) lose money",
    "top_20": "  80/20 check: the top 20% ({top} customers) carry {share} of profit",
    "pyramid": "tier pyramid ({id}: bands, the 80/20 rule and KYC, as of {as_of})",
    "pyramid_head": ("tier", "customers", "share", "AUM share", "profit share"),
    "pareto": "  80/20 rule: {count} customers ({share}) carry {profit} of positive profit "
    "and are {tier}",
    "not_tiered": "  {count} records could not be tiered (error records)",
    "kyc": "KYC files against what each tier requires (the KYC problem set)",
    "kyc_head": ("tier", "complete", "gaps", "most common gaps"),
    "candidates": "upgrade candidates  {count} potential high-quality customers; top: {top}",
    "signals": "  signals: {signals}",
    "allocating": "allocating {amount} at the counter for one customer per risk level "
    "[conditions of sale]",
    "no_customer": "  {level}: no customer with a valid assessment at this level",
    "allocated": "  {level} ({key}, {tier}): {placed}",
    "refused": "    refused: {refused}",
    "cash": "cash",
    "refusal": "a suitability refusal, as the record reads ({product}, {level} customer):",
    "plan": "contact plan {start} to {end} ({calendar}): {required} contacts required, "
    "{planned} planned, {unscheduled} unscheduled, {provisional} provisional",
    "channel": "channel",
    "busiest": "  busiest manager weeks: {weeks}",
    "no_manager_work": "  no manager-owned work",
    "unscheduled": "  unscheduled: {counts}",
    "none": "none",
    "contact": "contact    do-not-contact {dnc}; no consent recorded {none}",
    "marketing": "           opted out of all marketing {opted_out}; SMS marketing allowed {sms}",
    "dates": "dates      29 February birthdays {leap}; birth date unknown {unknown}; "
    "aged 65+ {elderly}",
    "lunar": "           customers keeping lunar-calendar dates {lunar}",
    "risk": "risk       assessments valid {valid}; expired {expired}; none {none}",
    "referrals": "referrals  {count} customers were referred by another",
    "catalogue": "catalogue by category and risk level",
    "category": "category",
    "total": "total",
    "percentiles": ("p10", "p25", "median", "p90", "p99", "max"),
}

_ZH_CN: dict[str, str | tuple[str, ...]] = {
    "title": "custtier 演示：合成客户数据（随机种子 {seed}，截至 {as_of}）",
    "playbook": "规则手册   {id} v{version}  sha256:{hash}",
    "book": "客户数据   客户 {customers} 名，客户经理 {managers} 名，产品 {products} 款，"
    "金额单位 {currency}",
    "managers": "客户经理   每人管户 {low}-{high} 名；{none} 名客户无专属客户经理（仅由营销系统服务）",
    "aum": "管理资产（AUM）",
    "profit": "年度利润贡献",
    "profit_total": "  利润合计 {total}；{negative} 名客户（{share}）利润贡献为负",
    "top_20": "  二八检验：前20%的客户（{top} 名）贡献了 {share} 的利润",
    "pyramid": "客户分层金字塔（{id}：分层区间、二八原则和客户资料，截至 {as_of}）",
    "pyramid_head": ("层级", "客户数", "占比", "资产占比", "利润占比"),
    "pareto": "  二八原则：{count} 名客户（{share}）贡献了 {profit} 的正利润，列为{tier}",
    "not_tiered": "  {count} 条记录未能分层（错误记录）",
    "kyc": "各层级客户资料与层级要求的对照（KYC 问题集）",
    "kyc_head": ("层级", "完整", "缺项", "最常见的缺项"),
    "candidates": "潜在升级客户  {count} 名潜在优质客户；排名靠前：{top}",
    "signals": "  信号：{signals}",
    "allocating": "为每个风险等级各选一名客户，在网点配置 {amount}［销售条件］",
    "no_customer": "  {level}：没有该等级且评估有效的客户",
    "allocated": "  {level}（{key}，{tier}）：{placed}",
    "refused": "    未配置：{refused}",
    "cash": "现金",
    "refusal": "适当性不匹配的销售记录（产品 {product}，{level}客户）：",
    "plan": "联系计划 {start} 至 {end}（{calendar}）：应联系 {required} 次，已安排 {planned} 次，"
    "未安排 {unscheduled} 次，暂定 {provisional} 次",
    "channel": "渠道",
    "busiest": "  最忙的客户经理周：{weeks}",
    "no_manager_work": "  没有由客户经理负责的工作",
    "unscheduled": "  未安排：{counts}",
    "none": "无",
    "contact": "联系偏好   要求不被联系 {dnc}；未登记联系授权 {none}",
    "marketing": "           拒绝全部营销 {opted_out}；允许短信营销 {sms}",
    "dates": "日期       2月29日生日 {leap}；出生日期未知 {unknown}；65岁及以上 {elderly}",
    "lunar": "           按农历记日期的客户 {lunar}",
    "risk": "风险评估   有效 {valid}；已过期 {expired}；未评估 {none}",
    "referrals": "推荐       {count} 名客户由其他客户推荐",
    "catalogue": "产品目录（按类别和风险等级）",
    "category": "类别",
    "total": "合计",
    "percentiles": ("p10", "p25", "中位数", "p90", "p99", "最大值"),
    "code.ALLOC_EXCLUDED": "未入选",
    "code.SUIT_LEVEL_EXCEEDED": "风险等级不匹配",
    "code.SUIT_ELDERLY_CAP": "高龄客户等级下调后不匹配",
    "code.SUIT_RESERVED": "限定层级专属",
    "code.SUIT_NO_ASSESSMENT": "未做风险评估",
    "code.SUIT_ASSESSMENT_EXPIRED": "风险评估已过期",
    "code.SUIT_BELOW_MINIMUM": "低于起购金额",
    "code.SUIT_OFF_INCREMENT": "不符合递增金额",
    "code.CADENCE_NO_CONSENT": "未获联系授权",
    "code.CADENCE_DO_NOT_CONTACT": "要求不被联系",
    "code.CADENCE_CAPPED": "超出频次上限",
    "code.CADENCE_CAPACITY": "客户经理工时已满",
    "code.CADENCE_NO_MANAGER": "无客户经理",
    "code.CADENCE_NO_VALID_DAY": "无可用工作日",
    "code.CADENCE_NO_CALENDAR_DATA": "日历无数据",
    # Words of custtier's own vocabulary the report shows.
    "condition.cooling_off": "冷静期",
    "condition.extra_confirmation": "再次确认",
    "condition.recorded_sale": "双录",
}

#: Every locale's words; the tests hold their keys equal (conditions aside).
WORDS: Mapping[Locale, Mapping[str, str | tuple[str, ...]]] = {
    Locale.EN: _EN,
    Locale.ZH_CN: _ZH_CN,
}
