"""Membership over time: who is a member on a day, and in which branch (docs/definitions.md, “某日在团”).

A member is active on day d when joined on or before d (an unknown join date counts as joined) and
not left before or on d. A member whose 团籍状态 says they left but who has no leave date is treated
as having left before any day of interest. A member's branch on d follows transfers (on the transfer
date the member already belongs to the new branch); without transfers it is the roster's branch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

ACTIVE_STATUS = "正常"
_FAR_PAST = pd.Timestamp("1900-01-01")


def _ns(values: object) -> pd.Series:
    """Datetimes at one resolution (pandas 3 mixes µs and ns; merges need them equal)."""
    return pd.to_datetime(pd.Series(values) if not isinstance(values, pd.Series) else values).astype(
        "datetime64[ns]"
    )


@dataclass(frozen=True)
class Membership:
    """Members' active intervals and branch spells, with vectorised look-ups."""

    members: (
        pd.DataFrame
    )  # member_id (index), join_date, leave_date, left_undated, branch, is_cadre, birth_date
    spells: pd.DataFrame  # member_id, branch, start (sorted by start); only for members with transfers

    @classmethod
    def build(cls, members: pd.DataFrame, transfers: pd.DataFrame | None = None) -> Membership:
        m = members.set_index("member_id", drop=False)
        left_undated = (m["status"].fillna(ACTIVE_STATUS) != ACTIVE_STATUS) & m["leave_date"].isna()
        if "status_pending" in m:
            left_undated &= ~m["status_pending"].astype(bool)
        frame = pd.DataFrame(
            {
                "member_id": m["member_id"],
                "join_date": _ns(m["join_date"]),
                "leave_date": _ns(m["leave_date"]),
                "left_undated": left_undated.astype(bool),
                "branch": m["branch"],
                "is_cadre": m["is_cadre"].astype(bool),
                "birth_date": _ns(m["birth_date"]),
            }
        )
        spells = _spells(frame, transfers)
        return cls(frame, spells)

    def within(self, branch: str) -> Membership:
        """The members who belong to ``branch`` at some time (by the roster or a transfer): every look-up
        that ends in that branch gives the same answer, over far fewer members (a one-branch query)."""
        ever = set(self.members.index[self.members["branch"] == branch])
        ever |= set(self.spells.loc[self.spells["branch"] == branch, "member_id"])
        keep = self.members.index.isin(list(ever))
        return Membership(self.members[keep], self.spells[self.spells["member_id"].isin(list(ever))])

    def active_mask(self, day: pd.Timestamp) -> pd.Series:
        """Boolean per member (indexed by member_id): active on ``day``."""
        m = self.members
        joined = m["join_date"].isna() | (m["join_date"] <= day)
        not_left = ~(m["leave_date"] <= day) & ~m["left_undated"]
        return joined & not_left

    def active_pairs(self, member_ids: pd.Series, days: pd.Series) -> pd.Series:
        """Active flag for each (member, day) pair; unknown members are inactive."""
        m = self.members.reindex(member_ids.to_numpy())
        d = _ns(days).to_numpy()
        join = m["join_date"].to_numpy()
        leave = m["leave_date"].to_numpy()
        known = m["member_id"].notna().to_numpy()
        joined = pd.isna(join) | (join <= d)
        not_left = ~(leave <= d) & ~m["left_undated"].fillna(True).to_numpy(dtype=bool)
        return pd.Series(known & joined & not_left, index=member_ids.index)

    def branch_on(self, member_ids: pd.Series, days: pd.Series) -> pd.Series:
        """Branch of each member on each day (same index as ``member_ids``)."""
        base = self.members["branch"].reindex(member_ids.to_numpy()).to_numpy(dtype=object)
        result = pd.Series(base, index=member_ids.index, dtype=object)
        if self.spells.empty:
            return result.astype("str")
        moved = member_ids.isin(self.spells["member_id"])
        if moved.any():
            query = pd.DataFrame(
                {
                    "member_id": member_ids[moved].to_numpy(),
                    "day": _ns(days[moved]).to_numpy(),
                    "_i": np.flatnonzero(moved),
                }
            ).sort_values("day")
            found = pd.merge_asof(
                query,
                self.spells.sort_values("start"),
                left_on="day",
                right_on="start",
                by="member_id",
                direction="backward",
            )
            values = result.to_numpy(dtype=object, copy=True)
            values[found["_i"].to_numpy()] = found["branch"].to_numpy(dtype=object)
            result = pd.Series(values, index=member_ids.index, dtype=object)
        return result.astype("str")

    def snapshot(self, day: pd.Timestamp) -> pd.DataFrame:
        """Members active on ``day`` with their branch that day (columns of ``members``)."""
        active = self.members[self.active_mask(day)]
        branch = self.branch_on(active["member_id"], pd.Series(day, index=active.index))
        return active.assign(branch=branch)

    def roster_on(self, days: pd.Series) -> pd.DataFrame:
        """All (day, member) pairs of members active on each of ``days``, with their branch that day."""
        frames = []
        for day in pd.to_datetime(pd.Series(days)).dropna().unique():
            snap = self.snapshot(pd.Timestamp(day))
            frames.append(snap[["member_id", "branch", "is_cadre"]].assign(day=pd.Timestamp(day)))
        if not frames:
            return pd.DataFrame(columns=["member_id", "branch", "is_cadre", "day"])
        return pd.concat(frames, ignore_index=True)


def _spells(members: pd.DataFrame, transfers: pd.DataFrame | None) -> pd.DataFrame:
    columns = ["member_id", "branch", "start"]
    if transfers is None or transfers.empty:
        return pd.DataFrame(columns=columns)
    t = transfers.dropna(subset=["member_id", "date"]).sort_values(["member_id", "date"])
    t = t[t["member_id"].isin(members.index)]
    if t.empty:
        return pd.DataFrame(columns=columns)
    first = t.groupby("member_id", sort=False).head(1)
    roster_branch = members["branch"].reindex(first["member_id"]).to_numpy(dtype=object)
    origin = first["from_branch"].astype(object).where(first["from_branch"].notna(), roster_branch)
    initial = pd.DataFrame(
        {"member_id": first["member_id"].to_numpy(), "branch": origin.to_numpy(), "start": _FAR_PAST}
    )
    moves = pd.DataFrame(
        {
            "member_id": t["member_id"].to_numpy(),
            "branch": t["to_branch"].to_numpy(),
            "start": pd.to_datetime(t["date"]).to_numpy(),
        }
    )
    spells = pd.concat([initial, moves], ignore_index=True)
    spells["start"] = _ns(spells["start"])
    return spells.sort_values("start", kind="stable").reset_index(drop=True)
