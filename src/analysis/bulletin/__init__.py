"""The weekly 青年大学习 bulletin (``python -m analysis bulletin``): for one period, a quarter or a month,
the 通报 (official-document style), the ranking picture for the secretaries' group and each branch's
list of members still to study, written to reports/<Y>/通报/<期次 | 2022Q2 | 2022年5月>/.

- ``scope``: which periods a bulletin covers (one period, the latest complete one, a quarter, a month);
- ``numbers``: the town's and each branch's 参学率 by the indicators' own functions, the data gaps of
  the completeness check, who never studied this quarter;
- ``document``, ``picture``, ``lists``: the three files; ``cli``: the command.
"""
