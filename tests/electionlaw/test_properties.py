"""Property-based tests (hypothesis) of the counting engine.

Tallies are generated from simulated ballots (each marks at most ``seats`` distinct
keys), so every generated tally is one the law can produce. ``fractions.Fraction``
is used here only as an independent oracle for the G1 integer formulas.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from electionlaw import (
    BallotSection,
    Decision,
    decide_party,
    decide_post,
    decide_posts_in_order,
    decide_runoff,
    eligible_on,
    is_on_or_before_deadline,
    last_day_within,
    latest_date_before,
    latest_eligible_birth_date,
    min_party_candidates,
    party_quorum_met,
    read_ballot,
    recall_initiation_sufficient,
    recall_passed,
    tally_readings,
    turnout_valid,
)

FAST = settings(max_examples=200, deadline=None)
KEYS = ["a", "b", "c", "d", "e", "f", "写:张三", "写:李四"]
HALF = Fraction(1, 2)


@st.composite
def tallies(draw: st.DrawFn, *, max_voters: int = 30) -> tuple[int, int, dict[str, int]]:
    """(seats, ballots, tally) from simulated ballots; some keys may have 0 votes."""
    seats = draw(st.integers(1, 4))
    keys = draw(st.lists(st.sampled_from(KEYS), max_size=7, unique=True))
    ballots = draw(st.integers(0, max_voters))
    tally: Counter[str] = Counter(dict.fromkeys(keys, 0))
    if keys:
        marks = st.lists(st.sampled_from(keys), max_size=seats, unique=True)
        for _ in range(ballots):
            tally.update(draw(marks))
    return seats, ballots, dict(tally)


def oracle(seats: int, votes: Mapping[str, int], qualifies: Callable[[int], bool]) -> Decision:
    """An independent reading of "most votes win; a tie straddling the last seat re-votes"."""
    qualified = {k: v for k, v in votes.items() if qualifies(v)}
    elected, tied = [], []
    for key, v in qualified.items():
        above = sum(1 for w in qualified.values() if w > v)
        at_least = sum(1 for w in qualified.values() if w >= v)
        if at_least <= seats:
            elected.append(key)
        elif above < seats:
            tied.append(key)
    contested = seats - len(elected) if tied else 0
    return Decision(
        elected=tuple(sorted(elected, key=lambda k: (-votes[k], k))),
        tied=tuple(sorted(tied)),
        contested=contested,
        shortfall=seats - len(elected) - contested,
        reasons=(),
    )


def check_invariants(
    decision: Decision, seats: int, votes: Mapping[str, int], qualifies: Callable[[int], bool]
) -> None:
    assert len(decision.elected) + decision.contested + decision.shortfall == seats
    if decision.tied:
        assert 0 < decision.contested < len(decision.tied)
        assert len({votes[k] for k in decision.tied}) == 1
    else:
        assert decision.contested == 0
    for key in (*decision.elected, *decision.tied):
        assert qualifies(votes[key])
    inside = [votes[k] for k in decision.elected]
    outside = [v for k, v in votes.items() if k not in decision.elected]
    if inside and outside:
        assert max(outside) <= min(inside)
    if decision.tied and inside:
        assert min(inside) > votes[decision.tied[0]]
    if decision.shortfall:
        assert not decision.tied
        assert all(k in decision.elected for k, v in votes.items() if qualifies(v))
    assert list(decision.elected) == sorted(decision.elected, key=lambda k: (-votes[k], k))


def same_without_reasons(decision: Decision, expected: Decision) -> None:
    assert (decision.elected, decision.tied, decision.contested, decision.shortfall) == (
        expected.elected,
        expected.tied,
        expected.contested,
        expected.shortfall,
    )


def shuffled(votes: Mapping[str, int], seed: int) -> dict[str, int]:
    items = list(votes.items())
    random.Random(seed).shuffle(items)
    return dict(items)


# --- R27/R28 decide_post ---------------------------------------------------------------------


@FAST
@given(tallies(), st.integers(0, 2**32))
def test_decide_post_matches_the_oracle_and_keeps_its_invariants(case, seed):
    seats, participants, votes = case

    def qualifies(v: int) -> bool:
        return participants > 0 and Fraction(v, participants) > HALF

    decision = decide_post(seats=seats, participants=participants, votes=votes)
    check_invariants(decision, seats, votes, qualifies)
    same_without_reasons(decision, oracle(seats, votes, qualifies))
    assert (
        decide_post(seats=seats, participants=participants, votes=shuffled(votes, seed)) == decision
    )
    assert decision.reasons[:2] == ("R27", "G1")
    assert ("R31" in decision.reasons) == (decision.shortfall > 0)


@FAST
@given(tallies(), st.integers(0, 10))
def test_extra_blank_ballots_never_elect_anyone_new(case, blanks):
    seats, participants, votes = case
    before = decide_post(seats=seats, participants=participants, votes=votes)
    after = decide_post(seats=seats, participants=participants + blanks, votes=votes)
    assert set(after.elected) <= set(before.elected) | set(before.tied)


# --- R31 decide_runoff ------------------------------------------------------------------------


@FAST
@given(
    tallies(),
    st.integers(0, 10),
    st.sampled_from([(1, 3), (1, 4), (1, 2), (0, 1), (2, 5)]),
    st.integers(0, 2**32),
)
def test_decide_runoff_matches_the_oracle_and_keeps_its_invariants(case, invalid, threshold, seed):
    seats, valid_ballots, votes = case
    total = valid_ballots + invalid  # invalid ballots count in the total (G6)
    num, den = threshold

    def qualifies(v: int) -> bool:
        return v > 0 and total > 0 and Fraction(v, total) >= Fraction(num, den)

    decision = decide_runoff(
        seats=seats, total_ballots_cast=total, votes=votes, threshold_num=num, threshold_den=den
    )
    check_invariants(decision, seats, votes, qualifies)
    same_without_reasons(decision, oracle(seats, votes, qualifies))
    assert (
        decide_runoff(
            seats=seats,
            total_ballots_cast=total,
            votes=shuffled(votes, seed),
            threshold_num=num,
            threshold_den=den,
        )
        == decision
    )


# --- P11–P13 decide_party ---------------------------------------------------------------------


@FAST
@given(tallies(), st.integers(0, 2**32))
def test_decide_party_matches_the_oracle_and_keeps_its_invariants(case, seed):
    seats, present, approvals = case

    def qualifies(v: int) -> bool:
        return present > 0 and Fraction(v, present) > HALF

    decision = decide_party(seats=seats, present=present, approvals=approvals)
    check_invariants(decision, seats, approvals, qualifies)
    same_without_reasons(decision, oracle(seats, approvals, qualifies))
    assert (
        decide_party(seats=seats, present=present, approvals=shuffled(approvals, seed)) == decision
    )
    assert decision.reasons[:2] == ("P11", "G1")


# --- R29 several posts --------------------------------------------------------------------------


@st.composite
def multi_post_ballots(draw: st.DrawFn) -> tuple[dict[str, int], int, dict[str, dict[str, int]]]:
    """One ballot for all posts, each person marked in at most one column (R26)."""
    seats = {
        "director": 1,
        "deputy_director": draw(st.integers(1, 2)),
        "member": draw(st.integers(1, 4)),
    }
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=7, unique=True))
    voters = draw(st.integers(0, 20))
    votes: dict[str, Counter[str]] = {post: Counter() for post in seats}
    for _ in range(voters):
        pool = list(draw(st.permutations(keys)))
        for post, n in seats.items():
            take = draw(st.integers(0, min(n, len(pool))))
            votes[post].update(pool[:take])
            pool = pool[take:]
    return seats, voters, {post: dict(c) for post, c in votes.items()}


@FAST
@given(multi_post_ballots(), st.sampled_from(["none", "downward_cumulative"]))
def test_nobody_is_elected_to_two_posts_and_each_post_keeps_its_invariants(case, aggregation):
    seats, participants, votes = case
    result = decide_posts_in_order(
        seats=seats, participants=participants, votes=votes, aggregation=aggregation
    )
    everyone = [k for d in result.decisions.values() for k in d.elected]
    assert len(everyone) == len(set(everyone))
    for post, decision in result.decisions.items():
        effective = result.effective_votes[post]

        def qualifies(v: int) -> bool:
            return participants > 0 and Fraction(v, participants) > HALF

        check_invariants(decision, seats[post], effective, qualifies)
    assert set(result.decisions) | set(result.pending) == set(seats)


# --- R26 ballot reading --------------------------------------------------------------------------


@st.composite
def paper_ballots(draw: st.DrawFn) -> list[BallotSection]:
    sections = []
    for post, seats in (("director", 1), ("deputy_director", 1), ("member", 3)):
        marks = draw(st.lists(st.sampled_from(KEYS), max_size=5, unique=True))
        split = draw(st.integers(0, len(marks)))
        sections.append(
            BallotSection(
                post,
                seats,
                approvals=tuple(marks[:split]),
                write_ins=tuple(marks[split:]),
                unmarked_write_ins=tuple(draw(st.lists(st.sampled_from(KEYS), max_size=1))),
                illegible=draw(st.booleans()),
            )
        )
    return sections


@FAST
@given(
    st.lists(paper_ballots(), max_size=8),
    st.sampled_from(["per_post", "whole"]),
    st.sampled_from(["invalid_ballot", "higher_post_only"]),
    st.sampled_from(["invalid", "approve"]),
)
def test_a_counted_ballot_never_exceeds_seats_nor_names_anyone_twice(
    ballots, invalidation, same_person, unmarked
):
    readings = [
        read_ballot(
            b,
            ballot_invalidation=invalidation,
            same_person_two_posts=same_person,
            writein_without_mark=unmarked,
        )
        for b in ballots
    ]
    for sections, reading in zip(ballots, readings, strict=True):
        named = [k for keys in reading.counted.values() for k in keys]
        assert len(named) == len(set(named))
        for section in sections:
            assert len(reading.counted[section.post]) <= section.seats
        if not reading.valid:
            assert named == []
        if reading.blank:
            assert reading.valid
        assert reading.reasons[0] == "R26"
    tally = tally_readings(readings)
    assert tally.ballots_cast == len(ballots)
    assert tally.invalid_ballots == sum(1 for r in readings if not r.valid)
    for post, seats in (("director", 1), ("deputy_director", 1), ("member", 3)):
        post_votes = tally.votes.get(post, {})
        assert all(v <= tally.ballots_cast for v in post_votes.values())
        assert sum(post_votes.values()) <= seats * tally.ballots_cast


# --- G1 formulas vs. a Fraction oracle -------------------------------------------------------------


COUNTS = st.integers(0, 400)


@FAST
@given(st.integers(0, 400).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))))
def test_turnout_thresholds_agree_with_fractions(case):
    registered, participants = case
    share = Fraction(participants, registered) if registered else Fraction(0)
    majority = participants > 0 and share > HALF
    assert turnout_valid(registered, participants) is majority
    assert turnout_valid(registered, participants, method="household") is majority
    assert turnout_valid(registered, participants, method="group_reps") is (
        participants > 0 and share >= Fraction(2, 3)
    )


@FAST
@given(st.integers(0, 400).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))))
def test_party_quorum_agrees_with_fractions(case):
    expected, present = case
    share = Fraction(present, expected) if expected else Fraction(0)
    assert party_quorum_met(expected, present) is (present > 0 and share > Fraction(4, 5))
    assert party_quorum_met(expected, present, inclusive=True) is (
        present > 0 and share >= Fraction(4, 5)
    )


@FAST
@given(st.integers(1, 400).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))))
def test_recall_initiation_agrees_with_fractions(case):
    registered, signers = case
    share = Fraction(signers, registered)
    assert recall_initiation_sufficient(signers, registered) is (share >= Fraction(1, 5))
    assert recall_initiation_sufficient(signers, registered, by="representatives") is (
        share >= Fraction(1, 3)
    )


@FAST
@given(
    st.integers(1, 400).flatmap(
        lambda n: st.integers(0, n).flatmap(
            lambda v: st.tuples(st.just(n), st.just(v), st.integers(0, v))
        )
    )
)
def test_recall_passing_agrees_with_fractions(case):
    registered, voting, yes = case
    expected = Fraction(voting, registered) > HALF and voting > 0 and Fraction(yes, voting) > HALF
    assert recall_passed(registered, voting, yes) is expected


@FAST
@given(st.integers(1, 200), st.integers(0, 100))
def test_party_difference_agrees_with_a_ceiling_of_fractions(seats, pct):
    assert min_party_candidates(seats, pct=pct) == seats + math.ceil(Fraction(seats * pct, 100))
    assert min_party_candidates(seats, pct=pct, rounding="floor") == seats + math.floor(
        Fraction(seats * pct, 100)
    )


# --- G3, G5 dates --------------------------------------------------------------------------------


DATES = st.dates(min_value=date(1950, 1, 1), max_value=date(2080, 12, 31))


@FAST
@given(DATES, DATES, st.integers(0, 60), st.booleans())
def test_a_deadline_n_days_before_leaves_n_days_to_election_day(action, election, days, clear):
    gap = (election - action).days
    assert is_on_or_before_deadline(action, election, days, clear_days=clear) is (
        gap >= days + (1 if clear else 0)
    )
    assert (election - latest_date_before(election, days, clear_days=clear)).days == days + clear


@FAST
@given(DATES, st.integers(0, 30), st.sets(st.integers(0, 40), max_size=20))
def test_an_extended_period_ends_on_the_first_working_day_from_the_nominal_last_day(
    start, days, rest_offsets
):
    rest = {start + timedelta(days=n) for n in rest_offsets}
    nominal = start + timedelta(days=days)
    last = last_day_within(start, days, rest_days=rest, extend_for_rest_days=True)
    assert last >= nominal
    assert last not in rest
    assert all(nominal + timedelta(days=n) in rest for n in range((last - nominal).days))


def _age_oracle(birth: date, on: date) -> int:
    """Full years, with 29 Feb treated as 28 Feb in common years."""
    month_day = (birth.month, birth.day)
    if month_day == (2, 29) and not (
        on.year % 4 == 0 and (on.year % 100 != 0 or on.year % 400 == 0)
    ):
        month_day = (2, 28)
    return on.year - birth.year - (1 if (on.month, on.day) < month_day else 0)


@FAST
@given(DATES, DATES)
def test_eligibility_agrees_with_counting_full_years(birth, election):
    assert eligible_on(birth, election) is (_age_oracle(birth, election) >= 18)


@FAST
@given(st.dates(min_value=date(1980, 1, 1), max_value=date(2080, 12, 31)))
def test_the_birth_date_cut_off_is_the_last_eligible_birth_date(election):
    cutoff = latest_eligible_birth_date(election)
    assert eligible_on(cutoff, election)
    assert not eligible_on(cutoff + timedelta(days=1), election)
    assert eligible_on(cutoff - timedelta(days=1), election)
