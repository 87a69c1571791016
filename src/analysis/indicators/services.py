"""成长成才·爱心助学, 对标定级 and 教育评议."""

from __future__ import annotations

import pandas as pd

from analysis.indicators.common import in_year

RATING_ORDER = ["五星", "四星", "三星", "二星", "后进", "软弱涣散", "不予定级"]
REVIEW_ORDER = ["优秀", "合格", "基本合格", "不合格"]


def aid_of_year(aid: pd.DataFrame, year: int) -> pd.DataFrame:
    return aid[in_year(aid["date"], year)]


def aid_headline(aid: pd.DataFrame, year: int) -> dict[str, float]:
    """aid.recipients: distinct recipients of aid dated in Y (by ID number when present, else by
    name and village/branch); aid.amount: sum of the amounts (yuan) of aid dated in Y."""
    a = aid_of_year(aid, year)
    return {"aid.recipients": int(a["recipient_key"].nunique()), "aid.amount": float(a["amount"].sum())}


def aid_by_programme(aid: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per programme: distinct recipients, payments, amount (yuan)."""
    a = aid_of_year(aid, year)
    g = a.groupby("programme").agg(
        recipients=("recipient_key", "nunique"), payments=("amount", "size"), amount=("amount", "sum")
    )
    return g.sort_values("amount", ascending=False).reset_index()


def rating_distribution(ratings: pd.DataFrame, year: int) -> pd.DataFrame:
    """Branches per rating (五星 … 不予定级) for Y; ratings without a year column count for the export's year."""
    r = ratings[ratings["year"] == year]
    counts = r["rating"].value_counts()
    order = [x for x in RATING_ORDER if x in counts.index] + sorted(set(counts.index) - set(RATING_ORDER))
    return counts.reindex(order).rename_axis("rating").reset_index(name="branches")


def ratings_table(ratings: pd.DataFrame, year: int) -> pd.DataFrame:
    """Every rated branch of Y with its score and rating, best first."""
    r = ratings[ratings["year"] == year].copy()
    r["order"] = r["rating"].map({k: i for i, k in enumerate(RATING_ORDER)}).fillna(len(RATING_ORDER))
    return r.sort_values(["order", "score"], ascending=[True, False])[
        ["branch", "score", "rating"]
    ].reset_index(drop=True)


def review_distribution(reviews: pd.DataFrame, year: int) -> pd.DataFrame:
    """Members per review result (优秀 / 合格 / 基本合格 / 不合格) for Y, with shares."""
    r = reviews[reviews["year"] == year]
    counts = r["result"].value_counts().reindex(REVIEW_ORDER, fill_value=0)
    out = counts.rename_axis("result").reset_index(name="members")
    total = int(out["members"].sum())
    out["share"] = out["members"] / total if total else 0.0
    return out
