"""Identity matching of records (study, check-ins, reviews, participants, transfers) to roster members.

Order of evidence (docs/definitions.md, section 4, item 10): an ID number, then a 学号/卡号, then the name when it is unique among
the members of the record's branch on the record's date, then — only for records without a branch —
the name when unique town-wide. Two or more candidates make the record ambiguous: it is never
credited to a member and is listed for the analyst.
"""

from __future__ import annotations

import pandas as pd

from analysis.processed.membership import Membership


def match_records(
    records: pd.DataFrame,
    members: pd.DataFrame,
    membership: Membership,
    *,
    id_key: str = "id_key",
    student_no: str = "student_no",
    name: str = "name_norm",
    branch: str = "branch_canonical",
    day: str = "day",
    scopes: dict[str, frozenset[str]] | None = None,
) -> pd.DataFrame:
    """Return DataFrame(member_id, match) aligned with ``records``.

    ``records`` columns: ``id_key`` (pseudonym of an ID number or NA), ``student_no``, ``name``
    (normalised), ``branch`` (canonical name, or NA when the record has none or it is unknown) and ``day``.
    A record whose branch text was given but not recognised should pass ``branch`` = NA and be
    excluded by the caller from town-wide matching via the ``has_branch_text`` column (if present).
    A record whose organisation is the committee or a parent organisation carries a ``scope`` (a key of
    ``scopes``): its name is matched among the members of the scope's branches on that date.
    """
    n = len(records)
    if members.empty:  # nothing to match against: every record is unmatched
        return pd.DataFrame(
            {"member_id": pd.Series([None] * n, index=records.index, dtype=object), "match": "unmatched"}
        )
    out = pd.DataFrame(
        {"member_id": pd.Series([None] * n, index=records.index, dtype=object), "match": "unmatched"}
    )

    def col(c: str) -> pd.Series:
        return records[c] if c in records else pd.Series(pd.NA, index=records.index, dtype=object)

    ids, students, names, branches = col(id_key), col(student_no), col(name), col(branch)
    scope = col("scope").astype(object)
    days = pd.to_datetime(col(day))
    has_branch_text = (
        records["has_branch_text"].astype(bool) if "has_branch_text" in records else branches.notna()
    )

    # 1. ID number
    known_ids = set(members["member_id"])
    by_id = ids.notna() & ids.isin(known_ids)
    out.loc[by_id, "member_id"] = ids[by_id]
    out.loc[by_id, "match"] = "id"

    # 2. student number, when unique on the roster
    todo = out["match"].eq("unmatched") & students.notna()
    if todo.any() and "student_no" in members:
        roster = members.dropna(subset=["student_no"])
        counts = roster["student_no"].value_counts()
        unique = roster[roster["student_no"].isin(counts[counts == 1].index)].set_index("student_no")[
            "member_id"
        ]
        hit = todo & students.isin(unique.index)
        out.loc[hit, "member_id"] = students[hit].map(unique)
        out.loc[hit, "match"] = "student_no"

    # 3./4. names
    todo = out["match"].eq("unmatched") & names.notna()
    if todo.any():
        cand = pd.DataFrame(
            {
                "_i": records.index[todo],
                "name_norm": names[todo].to_numpy(),
                "rec_branch": branches[todo].to_numpy(),
                "has_branch": has_branch_text[todo].to_numpy(),
                "scope": scope[todo].to_numpy(),
                "day": days[todo].to_numpy(),
            }
        )
        cand = cand.merge(_member_evidence(members), on="name_norm", how="inner")
        if not cand.empty:
            cand = _consistent_with_evidence(cand, students, col("id_tail"))
            active = membership.active_pairs(cand["member_id"], cand["day"]).to_numpy()
            cand = cand[active]
            cand = cand.assign(mem_branch=membership.branch_on(cand["member_id"], cand["day"]).to_numpy())
            with_branch = cand[cand["has_branch"]]
            with_branch = with_branch[
                with_branch["mem_branch"].astype(object) == with_branch["rec_branch"].astype(object)
            ]
            without = cand[~cand["has_branch"]]
            scoped = without["scope"].notna()
            if scoped.any():
                inside = [
                    b in (scopes or {}).get(s, frozenset())
                    for s, b in zip(without["scope"], without["mem_branch"], strict=True)
                ]
                without = without[~scoped | pd.Series(inside, index=without.index)]
            for frame, how in ((with_branch, "name_branch"), (without, "name_town")):
                if frame.empty:
                    continue
                n_cand = frame.groupby("_i")["member_id"].transform("nunique")
                single = frame[n_cand == 1].drop_duplicates("_i")
                out.loc[single["_i"].to_numpy(), "member_id"] = single["member_id"].to_numpy()
                out.loc[single["_i"].to_numpy(), "match"] = how
                multi = frame.loc[n_cand > 1, "_i"].unique()
                out.loc[multi, "match"] = "ambiguous"
    return out


def _member_evidence(members: pd.DataFrame) -> pd.DataFrame:
    """Each member's name with the identity fragments a record may carry: 学号 and the ID number's tail."""
    tail = members["id_masked"].astype("str").str[-4:] if "id_masked" in members else pd.NA
    student = members["student_no"].astype("str") if "student_no" in members else pd.NA
    return pd.DataFrame(
        {
            "member_id": members["member_id"],
            "name_norm": members["name_norm"],
            "m_student": student,
            "m_tail": tail,
        }
    )


def _consistent_with_evidence(cand: pd.DataFrame, students: pd.Series, tails: pd.Series) -> pd.DataFrame:
    """Namesakes told apart by what the record carries: when some candidates of a record agree with its
    学号 or ID tail (a 学号 of four characters may be an ID tail: "102X张伟"), only those stay."""
    r_student = pd.Series(students.astype("str").reindex(cand["_i"]).to_numpy(), index=cand.index)
    r_tail = pd.Series(tails.astype("str").reindex(cand["_i"]).to_numpy(), index=cand.index)
    if not (r_student.notna() | r_tail.notna()).any():
        return cand
    m_student, m_tail = cand["m_student"].astype("str"), cand["m_tail"].astype("str")
    agree = (
        r_student.eq(m_student).fillna(False)
        | r_tail.eq(m_tail).fillna(False)
        | r_student.eq(m_tail).fillna(False)  # a 学号 of four characters may be an ID tail
    ).astype(bool)
    any_agree = agree.groupby(cand["_i"]).transform("any")
    return cand[agree | ~any_agree]


def person_keys(records: pd.DataFrame, matched: pd.DataFrame) -> pd.Series:
    """The learner behind each record: the member, else (branch, normalised name or identity)."""
    empty = pd.Series(pd.NA, index=records.index, dtype="str")
    branch = records["branch"].astype("str").fillna("") if "branch" in records else empty.fillna("")
    ident = records["name_norm"].astype("str") if "name_norm" in records else empty
    evidence = empty
    for fallback in ("student_no", "id_tail", "id_key"):
        if fallback in records:
            ident = ident.fillna(records[fallback].astype("str"))
            evidence = evidence.fillna(records[fallback].astype("str"))
    # namesakes are one learner only when nothing tells them apart: a record without a 学号 or ID
    # fragment joins the one namesake of its branch that has one, when there is exactly one
    base = "u:" + branch + "|" + ident.fillna("?")  # vectorised on Arrow strings
    seen = pd.DataFrame({"base": base, "ev": evidence}).dropna().drop_duplicates()
    if len(seen):
        alone = ~seen["base"].duplicated(keep=False)  # one piece of evidence for this (branch, name)
        single = seen[alone].set_index("base")["ev"]
        evidence = evidence.fillna(base.map(single).astype("str"))
    unmatched = base + ("#" + evidence).fillna("")
    member = matched["member_id"].astype("str")
    return unmatched if member.isna().all() else member.fillna(unmatched)
