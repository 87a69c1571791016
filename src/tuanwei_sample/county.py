"""County-scale plans for the sample generator: extra branches and their activities.

``build_town(seed)`` with default arguments is the bundled sample town (12 branches, ~300 members).
``build_town(seed, members=20_000, branches=200, years=2)`` keeps those 12 branches (with every trap
of the sample) and adds generated ones — villages, communities, schools, enterprises, organs — whose
sizes bring the members active on 2022-12-31 to about ``members``. The plan draws from its own
``random.Random`` so the sample town's generator is untouched by it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from tuanwei_sample import catalog as cat
from tuanwei_sample.model import SampleBranch

SAMPLE_MEMBERS = sum(size for _, size in cat.BRANCHES)  # members active on 2022-12-31 in the sample
SAMPLE_BRANCHES = len(cat.BRANCHES)
MIN_BRANCH_SIZE = 5

_FIRST = "东西南北中前后上下大小新旧高长平安永兴和太金银青红白黄"
_SECOND = "河山岭坡沟湾桥庄岗塘堡营店集屯寨园林溪港埠铺田洼泉峰"
_INDUSTRIES = ("电子", "纺织", "机械", "食品", "建材", "物流", "农业科技", "新能源")
# type → (share of generated branches, size weight range, planned study rate range)
_TYPES: dict[str, tuple[float, tuple[int, int], tuple[float, float]]] = {
    "村": (0.55, (40, 120), (0.65, 0.92)),
    "社区": (0.2, (60, 150), (0.75, 0.97)),
    "学校": (0.1, (150, 400), (0.9, 0.98)),
    "企业": (0.1, (20, 80), (0.65, 0.9)),
    "机关": (0.05, (20, 60), (0.9, 0.98)),
}


@dataclass(frozen=True)
class Scale:
    """What ``build_town`` was asked for beyond the sample town."""

    members: int  # members active on 2022-12-31 (approximately)
    branches: int  # total number of branches (the 12 of the sample included)
    years: tuple[int, ...]  # years whose exports are laid out


def make_scale(members: int | None, branches: int | None, years: int | None) -> Scale:
    """Validate the arguments of ``build_town``; None means the sample town's value."""
    members = SAMPLE_MEMBERS if members is None else int(members)
    branches = SAMPLE_BRANCHES if branches is None else int(branches)
    count = len(cat.YEARS) if years is None else int(years)
    if not 1 <= count <= len(cat.YEARS):
        raise ValueError(f"years must be 1 or {len(cat.YEARS)} (the sample covers {cat.YEARS})")
    if branches < SAMPLE_BRANCHES:
        raise ValueError(f"branches must be at least {SAMPLE_BRANCHES} (the sample town's branches)")
    extra = branches - SAMPLE_BRANCHES
    if extra == 0 and members != SAMPLE_MEMBERS:
        raise ValueError(f"members other than {SAMPLE_MEMBERS} need more than {SAMPLE_BRANCHES} branches")
    if extra and members - SAMPLE_MEMBERS < MIN_BRANCH_SIZE * extra:
        raise ValueError(
            f"{members} members are too few for {branches} branches "
            f"(at least {SAMPLE_MEMBERS + MIN_BRANCH_SIZE * extra})"
        )
    if len(_FIRST) * len(_SECOND) < extra * 2:
        raise ValueError(f"at most {len(_FIRST) * len(_SECOND) // 2 + SAMPLE_BRANCHES} branches")
    return Scale(members, branches, cat.YEARS[-count:])


def _sample_cores() -> set[str]:
    cores = set()
    for branch, _ in cat.BRANCHES:
        for name in (branch.name, *branch.aliases, *branch.variants):
            cores.add(name[:2])
    return cores


def plan_branches(seed: int, scale: Scale) -> list[tuple[SampleBranch, int]]:
    """Generated branches and their sizes (members active on 2022-12-31), after the sample's 12."""
    extra = scale.branches - SAMPLE_BRANCHES
    if extra <= 0:
        return []
    rng = random.Random(seed * 7919 + scale.branches)
    taken = _sample_cores()
    cores = [a + b for a in _FIRST for b in _SECOND if a + b not in taken and a != b]
    rng.shuffle(cores)
    types = list(_TYPES)
    shares = [_TYPES[t][0] for t in types]
    planned: list[tuple[SampleBranch, float]] = []
    for i in range(extra):
        core = cores[i]
        btype = "村" if i == 0 else rng.choices(types, shares)[0]
        _, (lo, hi), (r_lo, r_hi) = _TYPES[btype]
        rate = round(rng.uniform(r_lo, r_hi), 2)
        if btype == "村":
            name, aliases, variants = f"{core}村团支部", (f"{core}村",), (f"{core}村支部",)
        elif btype == "社区":
            name, aliases, variants = (
                f"{core}社区团支部",
                (f"{core}社区",),
                (f"{core}社区支部", f"{core}社区 团支部"),
            )
        elif btype == "学校":
            name, aliases, variants = f"{core}中学团支部", (f"{core}中学",), (f"{core}中学团委",)
        elif btype == "企业":
            firm = f"{core}{rng.choice(_INDUSTRIES)}有限公司"
            name, aliases, variants = f"{firm}团支部", (), (f"{firm}支部",)
        else:
            name, aliases, variants = f"{core}镇机关团支部", (f"{core}镇机关",), (f"{core}镇机关支部",)
        planned.append((SampleBranch(name, btype, aliases, variants, rate), rng.uniform(lo, hi)))
    # Sizes proportional to the drawn weights, summing to the members beyond the sample's (largest remainder).
    total = scale.members - SAMPLE_MEMBERS
    spare = total - MIN_BRANCH_SIZE * extra
    weight = sum(w for _, w in planned)
    exact = [spare * w / weight for _, w in planned]
    sizes = [int(x) for x in exact]
    order = sorted(range(extra), key=lambda i: exact[i] - sizes[i], reverse=True)
    for i in order[: spare - sum(sizes)]:
        sizes[i] += 1
    return [(branch, MIN_BRANCH_SIZE + size) for (branch, _), size in zip(planned, sizes, strict=True)]


def extra_cadres(size: int) -> int:
    """Cadre posts besides the secretary for a generated branch of ``size`` members."""
    return 0 if size < 10 else (1 if size < 40 else 2)


# Activities a generated branch organises: (活动名称, section, volunteer?) — names the default
# category keywords classify like the sample's own activities.
BRANCH_ACTIVITIES: tuple[tuple[str, str, bool], ...] = (
    ("主题团日活动", cat.IDE, False),
    ("组织生活会", cat.IDE, False),
    ("微团课", cat.IDE, False),
    ("时代青年说", cat.IDE, False),
    ("环境整治", cat.VOL, True),
    ("文明交通劝导", cat.VOL, True),
    ("扫雪清障", cat.VOL, True),
    ("文明用餐", cat.VOL, True),
    ("快乐阅读", cat.YTH, False),
    ("青少年自护讲座", cat.YTH, False),
    ("关爱弱势群体走访", cat.YTH, False),
    ("家长学校", cat.YTH, False),
    ("团支部换届选举", cat.SLF, False),
    ("发展团员大会", cat.SLF, False),
)


def grade_plan(n: int, shares: tuple[tuple[str, int], ...]) -> list[str]:
    """``n`` ratings in the proportions of ``shares`` (the sample's own plan when n equals its total)."""
    total = sum(k for _, k in shares)
    if n == total:
        return [g for g, k in shares for _ in range(k)]
    exact = [(g, n * k / total) for g, k in shares]
    counts = {g: int(x) for g, x in exact}
    by_remainder = sorted(exact, key=lambda e: e[1] - int(e[1]), reverse=True)
    for g, _ in by_remainder[: n - sum(counts.values())]:
        counts[g] += 1
    return [g for g, _ in shares for _ in range(counts[g])]
