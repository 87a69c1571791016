"""The shapes of personal numbers — 身份证号 and mainland mobile numbers — as regular-expression text: the
one home for the patterns the ingest (identity strings), privacy (normalising, masking, scrubbing free
text) and the output audit use. Digits are ASCII (``[0-9]``): callers translate full-width digits first.
"""

from __future__ import annotations

ID18 = r"[0-9]{17}[0-9Xx]"  # 身份证号: 17 digits and a check character (X, sometimes typed x)
ID15 = r"[0-9]{15}"  # the old 15-digit 身份证号
MOBILE = r"1[3-9][0-9]{9}"  # a mainland mobile number
# a mobile number written in groups (138-1234-5678, 138 1234 5678): the same separator twice, or none
MOBILE_GROUPED = r"1[3-9][0-9](?P<sep>[- ]?)[0-9]{4}(?P=sep)[0-9]{4}"
# a run of 15 or more digits: an ID number (or nearly one: a digit typed twice or left out) in any cell
LONG_DIGITS = r"(?<![0-9])[0-9]{15,}(?![0-9])"
