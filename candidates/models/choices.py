"""Choices shared by the candidates app's tables (codes stable, labels Chinese)."""

from __future__ import annotations

from django.db import models


class Track(models.TextChoices):
    COMMITTEE = "committee", "居委会换届"
    PARTY = "party", "党组织换届"


class Post(models.TextChoices):
    """Posts of both tracks. The residents' committee codes are electionlaw.POSTS (R29
    order: higher post first); the party committee elects its 委员 at the 党员大会 and
    the 书记 / 副书记 at its first meeting (P14; a branch under 7 正式党员 elects its
    书记 directly at the 党员大会)."""

    DIRECTOR = "director", "主任"
    DEPUTY_DIRECTOR = "deputy_director", "副主任"
    MEMBER = "member", "委员"
    PARTY_COMMITTEE = "party_committee", "党组织委员"
    SECRETARY = "secretary", "书记"
    DEPUTY_SECRETARY = "deputy_secretary", "副书记"


COMMITTEE_POSTS: tuple[str, ...] = (Post.DIRECTOR, Post.DEPUTY_DIRECTOR, Post.MEMBER)
PARTY_POSTS: tuple[str, ...] = (Post.PARTY_COMMITTEE, Post.SECRETARY, Post.DEPUTY_SECRETARY)
POSTS_OF_TRACK: dict[str, tuple[str, ...]] = {
    Track.COMMITTEE: COMMITTEE_POSTS,
    Track.PARTY: PARTY_POSTS,
}


class Gender(models.TextChoices):
    MALE = "男", "男"
    FEMALE = "女", "女"


class Education(models.TextChoices):
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中、中专"
    COLLEGE = "college", "大专"
    BACHELOR = "bachelor", "大学本科"
    POSTGRADUATE = "postgraduate", "研究生"


#: Educations that count as "a college degree" for Q3's young member with 大专以上.
COLLEGE_OR_ABOVE = frozenset({Education.COLLEGE, Education.BACHELOR, Education.POSTGRADUATE})


class PoliticalStatus(models.TextChoices):
    MEMBER = "cpc", "中共党员"
    PROBATIONARY = "cpc_probationary", "中共预备党员"
    LEAGUE = "league", "共青团员"
    DEMOCRATIC = "democratic_party", "民主党派"
    NONE = "masses", "群众"
