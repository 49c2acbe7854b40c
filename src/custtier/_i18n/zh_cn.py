"""简体中文: every reason code as a relationship manager or compliance officer writes it.

Levels read ``C3（稳健型）`` / ``R4（中高风险）`` by the playbook's labels,
amounts in yuan (``¥50,000.00``, or ``5.00万元`` when the playbook asks),
dates as ``2026年12月1日``. Each sentence ends in a full stop, so a
decision's reasons read as a record when written one after another.
"""

from __future__ import annotations

from custtier._i18n._catalogue import Cases, Catalogue, Entry
from custtier._i18n._format import Locale

__all__ = ["CATALOGUE"]

_HELD = "维持{previous_tier:tier}："
_AGED = "客户年满{elderly_age}周岁（依据{age_from:t.age_from&}）"
_SHORT_NEXT = "农历小月无三十日，顺延至次日"
_SHORT_KEPT = "农历小月无三十日，提前至二十九日"
_LEAP = "闰月按平月计"
_LEFT = {
    "no_product": "{category:category}：无适合的产品，该部分未能配置。",
    "remainder": "{category:category}：受产品起购金额和递增金额所限，余额未能配置。",
}
_UNSCHEDULED = {
    "CADENCE_NO_CONSENT": "客户未同意经该渠道接受此类联系，不予安排。",
    "CADENCE_DO_NOT_CONTACT": "客户要求不被联系，不予安排。",
    "CADENCE_CAPPED": "每个可选日期均会超出联系频次上限，不予安排。",
    "CADENCE_CAPACITY": "客户经理在每个可选日期的工作时间均已排满，不予安排。",
    "CADENCE_NO_MANAGER": "该联系须由客户经理完成，但客户不属于本次排程的任何客户经理，不予安排。",
    "CADENCE_NO_VALID_DAY": "计划期和规则时间窗内没有可用的工作日，不予安排。",
    "CADENCE_NO_CALENDAR_DATA": "日历没有该日期的（已公布）数据，不作推测，不予安排。",
}

MESSAGES: dict[str, Entry] = {
    # 客户分层
    "TIER_BAND": "{basis:t.basis}为{value:money}，落在区间{lower:from}, {upper:to}内。",
    "TIER_PARETO": "客户属于贡献全行{profit_share:pct}利润的客户群，按二八原则升入相应层级。",
    "TIER_OVERRIDE": "人工调整层级为{tier:tier}，由{set_by}设定（编号{reference}），"
    "有效期至{expires_on:date}。",
    "TIER_OVERRIDE_EXPIRED": "人工调整已于{expires_on:date}到期，按规则确定层级。",
    "TIER_OVERRIDE_PENDING": "人工调整自{set_on:date}起生效，当日尚未生效，按规则确定层级。",
    "TIER_UPGRADE": "由{previous_tier:tier}升级，升级即时生效。",
    "TIER_DOWNGRADE": Cases(
        "case",
        {
            "no_hysteresis": "由{previous_tier:tier}降级，规则手册未设缓冲期。",
            "hold_ended": "{previous_tier:tier}门槛下的缓冲保留已于{buffer_hold_ends_on:date}"
            "结束，宽限期已满{months_below}个月（宽限{grace_months}个月），予以降级。",
            "below_floor": "连续{months_below}个月低于{previous_tier:tier}门槛"
            "（扣除{buffer:pct}缓冲），宽限期{grace_months}个月已满，予以降级。",
        },
    ),
    "TIER_HELD": Cases(
        "case",
        {
            "buffer": _HELD + "仍在门槛下的缓冲区间内。",
            "buffer_until": _HELD
            + "仍在门槛下的缓冲区间内，缓冲保留至{buffer_hold_ends_on:date}。",
            "grace": _HELD + "已低于门槛{months_below}个月，宽限期{grace_months}个月未满。",
            "grace_hold_ended": _HELD + "缓冲保留已结束，已低于门槛{months_below}个月，"
            "宽限期{grace_months}个月未满。",
            "review": _HELD + "宽限期已满，待评审月份调整。",
        },
    ),
    "TIER_PARETO_NOT_EVALUATED": "二八原则需全量客户数据，本次未评估；如需与批量分层一致，"
    "请传入全行的二八切分（pareto_cut=）。",
    "BASIS_INCOMPLETE": Cases(
        "case",
        {
            "usable": "近{window_months}个月中缺少{months_missing}个月的余额数据"
            "（{policy:t.missing_months}），按规则手册计算平均值。",
            "unusable": "近{window_months}个月中缺少{months_missing}个月的余额数据"
            "（{policy:t.missing_months}），该口径不可用，按最低层级处理。",
        },
    ),
    "UPGRADE_SIGNAL": Cases(
        "signal",
        {
            "near_bar": "距{target:tier}门槛不足{threshold:pct}，为潜在升级客户。",
            "rising_balance": "近六个月余额增长至少{threshold:pct}，为潜在升级客户。",
            "declared_wealth": "本行资产加申报的他行资产达到{threshold:money}，为潜在升级客户。",
            "declared_income": "年收入达到{threshold:money}，为潜在升级客户。",
            "referrals": "已为本行推荐{referrals}名新客户，为潜在升级客户。",
            "product_breadth": "持有{products}种产品，为潜在升级客户。",
        },
    ),
    "KYC_GAP": "{tier:tier}的客户资料缺少：{missing:t.kyc*}。",
    # 风险承受能力评估
    "RISK_SCORED": "问卷得分{score}分，在[{lower}, {upper}]分区间内，"
    "风险承受能力评定为{level:level}。",
    "RISK_ELDERLY_CAP": Cases(
        "case",
        {
            "assessment": _AGED + "，风险承受能力由{scored_level:level}下调为"
            "{capped_level:level}，须再次确认。",
            "allocation": _AGED + "，配置日按{capped_level:level}的模型组合配置，"
            "而非{scored_level:level}。",
        },
    ),
    # 适当性
    "SUIT_LEVEL_OK": Cases(
        "case",
        {
            "matrix": "客户风险承受能力为{customer_level:level}，产品风险等级为"
            "{product_level:plevel}，未超过可购买的最高等级{max:plevel}，匹配。",
            "no_checks": "规则手册未设适当性检查。",
        },
    ),
    "SUIT_LEVEL_EXCEEDED": "客户风险承受能力为{customer_level:level}，产品风险等级为"
    "{product_level:plevel}，超过可购买的最高等级{max:plevel}，不匹配，不得销售。",
    "SUIT_RISK_FREE": "{category:category}属无风险类别且为最低风险等级，无需风险评估即可销售。",
    "SUIT_NO_ASSESSMENT": "客户未做风险承受能力评估，只能购买无风险产品，不得销售。",
    "SUIT_ASSESSMENT_EXPIRED": Cases(
        "case",
        {
            "dated_after_sale": "风险承受能力评估日期晚于销售日期，不得销售。",
            "too_old": "风险承受能力评估已超过规则手册规定的{validity_months}个月有效期，"
            "有效期至{effective_until:date}，须重新评估，不得销售。",
            "expired": "风险承受能力评估已于{effective_until:date}过期，须重新评估，不得销售。",
        },
    ),
    "SUIT_RESERVED": "该产品仅限{reserved_for:tier*}购买，不得销售。",
    "SUIT_BELOW_MINIMUM": "购买金额低于产品起购金额{minimum:money}，不得销售。",
    "SUIT_OFF_INCREMENT": "购买金额{amount:money}不符合递增金额{increment:money}的要求，"
    "可购买{below:money}或{above:money}。",
    "SUIT_COOLING_OFF": "销售条件：购买后有{hours}小时冷静期。",
    "SUIT_ELDERLY_CONFIRM": "销售条件：" + _AGED + "，购买风险产品须再次确认。",
    "SUIT_ELDERLY_CAP": _AGED + "，销售日风险承受能力由{customer_level:level}下调为"
    "{capped_level:level}，产品风险等级{product_level:plevel}超过可购买的最高等级"
    "{max:plevel}，不匹配，不得销售。",
    "SUIT_RECORDED_SALE": "销售条件：网点销售风险产品须同步录音录像（双录）。",
    # 资产配置
    "ALLOC_MODEL_WEIGHT": Cases(
        "case",
        {
            "portfolio": "按{level:level}的模型组合配置。",
            "weight": "占{level:level}模型组合的{weight:pct}。",
        },
    ),
    "ALLOC_NEED": "满足客户的需求：{needs:t.need*}。",
    "ALLOC_PRODUCT": "由产品{product}承接{category:category}的配置份额。",
    "ALLOC_CASH": Cases("case", {k: v[:-1] + "，留作现金。" for k, v in _LEFT.items()}),
    "ALLOC_UNPLACED": Cases("case", _LEFT),
    "ALLOC_EXCLUDED": Cases(
        "case",
        {
            "no_share": "{category:category}在该客户的配置中没有份额。",
            "preferred": "{category:category}中优先选择{preferred}。",
            "below_minimum": "{category:category}的配置份额低于产品起购金额。",
            "too_small": "{category:category}的配置份额过小，无法配置。",
            "unknown_level": "产品风险等级{risk_level}不在规则手册中。",
            "unknown_category": "产品类别{category}不在规则手册中。",
            "misfiled": "产品归入无风险类别却高于最低风险等级；请归入其本身的类别或更正评级。",
            "currency": "产品币种（{currency}）与客户不同。",
        },
    ),
    "ALLOC_NO_ASSESSMENT": "客户无有效的风险承受能力评估，全部配置于{category:category}。",
    # 分层服务
    "SERVICE_ENTITLED": Cases(
        "case",
        {
            "entitled": "客户所在层级可享受：{service:service}。",
            "none": "{tier:tier}没有列明的服务。",
        },
    ),
    # 联系计划
    "CADENCE_OCCASION": Cases(
        "case",
        {
            "contact": "{occasion:occasion}：{contact:contact}，经{channel:channel}联系，"
            "应于{due_on:date}完成。",
            "kyc_review": "反洗钱风险等级为{aml_rating:t.aml}，客户资料每{months}个月复核一次。",
        },
    ),
    "CADENCE_LEAP_DAY": "平年没有2月29日，按规则手册的闰日规则（{policy:t.leap_day}）安排。",
    "CADENCE_LUNAR_DATE": Cases(
        "case",
        {
            "exact": "按农历日期安排（农历{lunar_year}年）。",
            "leap_month": _LEAP + "（农历{lunar_year}年）。",
            "short_next": _SHORT_NEXT + "（农历{lunar_year}年）。",
            "short_kept": _SHORT_KEPT + "（农历{lunar_year}年）。",
            "leap_month_short_next": f"{_LEAP}；{_SHORT_NEXT}（农历{{lunar_year}}年）。",
            "leap_month_short_kept": f"{_LEAP}；{_SHORT_KEPT}（农历{{lunar_year}}年）。",
        },
    ),
    "CADENCE_ROLLED": "由{from_on:date}顺延至下一个工作日{to_on:date}。",
    "CADENCE_SLIPPED": "因较早日期的工作时间或频次上限已满，由{from_on:date}推迟至{to_on:date}。",
    "CADENCE_OVERDUE": "计划开始前已到期，尽早安排。",
    "CADENCE_QUIET_HOURS": Cases(
        "case",
        {
            "timed": "安排在客户当地允许联系的时段内（{time}）。",
            "window": "仅可在客户当地时间{earliest}至{latest}之间联系。",
        },
    ),
    "CADENCE_PROVISIONAL": "当年节假日安排尚未正式公布，暂按规则推算的工作日安排；公布后请复核。",
    "CADENCE_REGULATORY_DUTY": "属监管要求的义务，客户虽要求不被联系，仍须经其同意的渠道办理。",
    "CADENCE_COMPLETE_KYC": "本次联系时补全客户资料：{items:t.kyc*}。",
    **_UNSCHEDULED,
    # 客户经理工作清单
    "WORKLIST_PRIORITY": "{kind:t.work}（{tier:tier}）：优先级{priority}。",
    "WORKLIST_ASSESSMENT_EXPIRING": Cases(
        "case",
        {
            "lapsed": "风险承受能力评估已于{last_valid_on:date}失效，重新评估前不得销售风险产品。",
            "lapsing": "风险承受能力评估有效期至{last_valid_on:date}，请在此前重新评估，"
            "否则之后不得销售风险产品。",
        },
    ),
    "WORKLIST_MATURITY": "产品{product_id}于{matures_on:date}到期，到期金额{amount:money}待再投资。",
    "WORKLIST_REINVEST_OPTION": Cases(
        "case",
        {
            "product": "可再投资产品{product_id}，金额{amount:money}。",
            "cash": "留作现金{amount:money}。",
        },
    ),
    "WORKLIST_KYC_BLOCKS": "缺少{item:t.kyc}，影响：{blocks}。",
    "WORKLIST_OVERDUE": "应于{due_on:date}完成，至今未完成。",
    "WORKLIST_CARRIED_OVER": Cases(
        "case",
        {
            "later": "当天工时已用于优先级更高的事项，由{from_on:date}顺延至{to_on:date}。",
            "horizon": "计划期内（至{until:date}）没有可安排的时间，顺延至计划期之后。",
        },
    ),
    "WORKLIST_AHEAD": "问候日{due_on:date}为客户经理休息日，提前至{listed_on:date}准备或预约。",
}

VOCABULARY = {
    "basis.assets_under_management": "管理资产（AUM）",
    "basis.average_daily_balance": "日均余额",
    "basis.profit_contribution": "年度利润贡献",
    "missing_months.average_available": "按已有月份平均",
    "missing_months.count_as_zero": "缺失月份按零计",
    "missing_months.insufficient": "数据不足不予计算",
    "kyc.identity": "身份信息",
    "kyc.occupation": "职业",
    "kyc.declared_income": "申报收入",
    "kyc.source_of_funds": "资金来源",
    "kyc.aml_rating": "反洗钱风险等级",
    "kyc.risk_assessment": "风险承受能力评估",
    "kyc.birthday": "生日",
    "kyc.important_dates": "重要纪念日",
    "kyc.interests": "兴趣爱好",
    "kyc.family": "家庭情况",
    "kyc.external_assets": "他行资产",
    "kyc.contact_consent": "联系授权",
    "age_from.birth_date": "出生日期",
    "age_from.age_answer": "问卷年龄",
    "need.wealth_growth": "财富保值增值",
    "need.housing": "购房",
    "need.education": "子女教育",
    "need.medical": "医疗",
    "need.pension": "养老",
    "need.leisure": "休闲旅游",
    "need.insurance": "保险保障",
    "need.global_allocation": "全球资产配置",
    "need.daily_banking": "日常存取和收付",
    "signal.near_bar": "接近上一层级门槛",
    "signal.rising_balance": "余额持续上升",
    "signal.declared_wealth": "申报资产达标",
    "signal.declared_income": "申报收入达标",
    "signal.referrals": "推荐新客户",
    "signal.product_breadth": "持有多种产品",
    "outcome.allowed": "可以销售",
    "outcome.blocked": "不得销售",
    "outcome.risk_free_only": "仅限无风险产品",
    "work.contact": "客户联系",
    "work.risk_expiry": "风险评估到期",
    "work.maturity": "产品到期",
    "work.kyc_gap": "补全客户资料",
    "work.upgrade_candidate": "潜在升级客户",
    "aml.low": "低",
    "aml.medium": "中",
    "aml.high": "高",
    "leap_day.feb28": "提前至2月28日",
    "leap_day.mar1": "顺延至3月1日",
    "channel.home_visit": "上门拜访",
    "channel.phone": "电话",
    "channel.sms": "短信",
    "channel.email": "电子邮件",
    "channel.messaging_app": "即时通讯",
    "channel.in_branch_event": "网点活动",
    "channel.mass_sms": "群发短信",
    "channel.telemarketing": "电话营销",
    "occasion.birthday": "生日问候",
    "occasion.holiday": "节日问候",
    "occasion.important_date": "纪念日问候",
    "occasion.periodic": "定期联系",
    "occasion.event": "客户活动",
    "occasion.campaign": "营销活动",
    "occasion.kyc_refresh": "客户资料更新",
    "occasion.risk_reassessment": "风险承受能力重新评估",
    "occasion.product_maturity": "产品到期提醒",
}

CATALOGUE = Catalogue(
    locale=Locale.ZH_CN,
    messages=MESSAGES,
    vocabulary=VOCABULARY,
    list_separator="、",
    and_word="和",
    with_id="{id}（{label}）",
)
