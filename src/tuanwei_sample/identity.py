"""Synthetic personal data: names, 身份证号 (with a valid check digit), phone numbers, 学号."""

from __future__ import annotations

import random
from datetime import date

# Common surnames and given-name characters; names are random combinations (no real persons).
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董肖程"
    "曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶闫余潘杜戴夏钟汪田任姜范方"
    "石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易"
    "常武乔贺赖龚文"
)
GIVEN_MALE = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳晨"
    "博文豪轩睿航泽子宏志建国海峰亮成天卓铭家嘉振"
)
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲燕婷雪琳晶倩颖璐欣怡佳瑶梦涵琪悦雯菲妍诗雨萱思月雅洁慧蕾薇茜"

# Uyghur-style names written with a middle dot (given name · father's name).
MINORITY_FEMALE = ("阿依古丽", "古丽米拉", "热依拉", "迪丽努尔")
MINORITY_MALE = ("买买提江", "艾克拜尔", "阿不都热依木")
MINORITY_FATHER = ("买买提", "艾力", "吐尔逊", "热合曼", "阿不都拉")

# Fictional administrative division codes (province code 99 does not exist).
REGION_CODES = ("990102", "990103", "990121")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PHONE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "157",
    "158",
    "159",
    "176",
    "177",
    "180",
    "181",
    "182",
    "183",
    "186",
    "187",
    "188",
    "189",
    "198",
    "199",
)


def id_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_is_valid(number: str) -> bool:
    """18 characters, digits, correct check character (x accepted as X)."""
    number = number.upper()
    return len(number) == 18 and number[:17].isdigit() and id_check_digit(number[:17]) == number[17]


def id_birth_date(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


class IdentityFactory:
    """Hands out unique names, ID numbers and phone numbers from one random generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.names: set[str] = set()
        self.ids: set[str] = set()
        self.phones: set[str] = set()

    def name(self, gender: str) -> str:
        """A Han name not handed out before."""
        chars = GIVEN_MALE if gender == "男" else GIVEN_FEMALE
        while True:
            given = self.rng.choice(chars)
            if self.rng.random() < 0.7:
                given += self.rng.choice(chars)
            name = self.rng.choice(SURNAMES) + given
            if name not in self.names and len(set(name)) == len(name):
                self.names.add(name)
                return name

    def minority_name(self, gender: str) -> str:
        firsts = MINORITY_MALE if gender == "男" else MINORITY_FEMALE
        while True:
            name = f"{self.rng.choice(firsts)}·{self.rng.choice(MINORITY_FATHER)}"
            if name not in self.names:
                self.names.add(name)
                return name

    def id_number(self, birth: date, gender: str) -> str:
        """18-digit 身份证号: region + birth date + sequence (odd = male) + check digit."""
        while True:
            seq = self.rng.randrange(0, 50) * 2 + (1 if gender == "男" else 0)
            body = f"{self.rng.choice(REGION_CODES)}{birth:%Y%m%d}{self.rng.randrange(0, 10)}{seq:02d}"
            number = body + id_check_digit(body)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = self.rng.choice(_PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number
