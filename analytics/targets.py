"""The commune's own targets (the resolution's "Mục tiêu chủ yếu", section 2.2), checked
against a year's Evaluation JSON.

Each target is met when every organization meets it; an organization without the figure is
named as unknown rather than counted as met or missed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

GOOD_TIERS = ("xuat_sac", "tot")
# The resolution's target for campaigns, whatever the rule set's scoring target.
CAMPAIGN_SHARE = 0.5


class Shortfall:
    """What the resolution asks of every organization, judged: `missed` names those short of
    it, `unknown` those without the figures; its words in Vietnamese and English."""

    label_vi: str
    label_en: str
    missed: tuple[str, ...]
    unknown: tuple[str, ...]

    @property
    def met(self) -> bool | None:
        """True when every organization meets it, False when one misses, None when unknown."""
        if self.missed:
            return False
        return None if self.unknown else True

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang == "en" else self.label_vi


@dataclass(frozen=True)
class CommuneTarget(Shortfall):
    """One target: its code, the resolution's words, and who falls short of it."""

    code: str
    label_vi: str
    label_en: str
    missed: tuple[str, ...]  # organization codes
    unknown: tuple[str, ...]  # organization codes without the figure


# code, Vietnamese (the resolution's words), English, the criterion and the value that meets it
_CRITERION_TARGETS = (
    (
        "member_development",
        "Tỷ lệ phát triển hội viên, đoàn viên của từng tổ chức đạt chỉ tiêu giao hàng năm",
        "Each organization's member development reaches its annual target",
        1.0,
    ),
    (
        "attendance",
        "Tỷ lệ tập hợp, thu hút đoàn viên, hội viên tham gia sinh hoạt của từng tổ chức đạt "
        "chỉ tiêu trên giao",
        "Each organization's members' attendance at activities reaches its target",
        1.0,
    ),
    (
        "meetings",
        "Duy trì nghiêm túc chế độ sinh hoạt định kỳ theo Điều lệ, quy chế làm việc của từng "
        "tổ chức",
        "Each organization holds its periodic meetings as its charter requires",
        1.0,
    ),
    (
        "campaigns",
        "Tỷ lệ đoàn viên, hội viên tham gia các cuộc vận động, các phong trào thi đua yêu nước "
        "đạt từ 50% trở lên",
        "At least half of the members take part in campaigns and emulation movements",
        CAMPAIGN_SHARE,
    ),
)


def commune_targets(document: Mapping) -> tuple[CommuneTarget, ...]:
    """The resolution's five targets for the year of `document` (the Evaluation JSON).

    >>> doc = {"organizations": [
    ...     {"org": "a", "tier": "tot", "criteria": [{"code": "campaigns", "value": 0.62}]},
    ...     {"org": "b", "tier": "hoan_thanh", "criteria": [{"code": "campaigns", "value": 0.4}]}]}
    >>> [(t.code, t.met, t.missed) for t in commune_targets(doc)][::4]
    [('tier', False, ('b',)), ('campaigns', False, ('b',))]
    """
    organizations = list(document["organizations"])
    checks = [
        CommuneTarget(
            "tier",
            "Hàng năm, Mặt trận Tổ quốc Việt Nam và các tổ chức chính trị - xã hội được đánh "
            "giá, xếp loại từ hoàn thành tốt nhiệm vụ trở lên",
            "Every year, the Fatherland Front and each socio-political organization is rated "
            "as having fulfilled its tasks well or better",
            tuple(
                o["org"]
                for o in organizations
                if o.get("rated", True) and o["tier"] not in GOOD_TIERS
            ),
            # Not rated yet (no annual figures): neither met nor missed.
            tuple(o["org"] for o in organizations if not o.get("rated", True)),
        )
    ]
    for code, label_vi, label_en, needed in _CRITERION_TARGETS:
        missed, unknown = [], []
        for organization in organizations:
            value = next((c["value"] for c in organization["criteria"] if c["code"] == code), None)
            if value is None:
                unknown.append(organization["org"])
            elif value < needed:
                missed.append(organization["org"])
        checks.append(CommuneTarget(code, label_vi, label_en, tuple(missed), tuple(unknown)))
    return tuple(checks)
