"""The gap rollup, every figure recomputed here from the generated ratings by a plain
computation that does not use kmc_reports.analyses.gaps; the training plan on the gap tasks;
bundled and real standards."""

from __future__ import annotations

from statistics import fmean

import pytest

import gapgen
from kmc_reports.analyses.gaps import Bar, gap_course, person_gaps, team_gaps
from kmc_reports.analyses.syllabus import load_levels
from kmc_reports.errors import KmcError
from kmc_reports.importers import import_file
from kmc_reports.ratings import read_ratings
from kmc_reports.store import Library, save_standard
from real_gold import REAL

CODE = "KMC2432-001v4"


@pytest.fixture(scope="module")
def std(library):
    return library.get(CODE)


@pytest.fixture(scope="module")
def team12(std, library, tmp_path_factory):
    people = gapgen.team(std, 12)
    path = gapgen.team_workbook(std, people, tmp_path_factory.mktemp("team") / "team.xlsx")
    return people, read_ratings([path], library)[1]


def recompute(std, people, decide, required=3.0, strong=4.0):
    """Plain sums over the generated ratings: per person and task (self, supervisor, value),
    per person and duty and in all the value; the gap tasks and learning needs."""
    items = gapgen.indicators(std)
    out = {}
    for p in people:
        def mean(which, keep):
            xs = [r[which] for r, item in zip(p.ratings, items) if keep(item)]
            xs = [x for x in xs if x is not None]
            return sum(xs) / len(xs) if xs else None

        def value(keep):
            return decide(mean(0, keep), mean(1, keep))

        tasks = {t.code: (mean(0, lambda i, c=t.code: i[1] == c),
                          mean(1, lambda i, c=t.code: i[1] == c),
                          value(lambda i, c=t.code: i[1] == c)) for _, t in std.tasks()}
        gaps = [c for c, (_, _, v) in tasks.items() if v < required]
        needs = {(kind, ref.code) for c in gaps for band in std.task(c).bands
                 for kind, refs in (("K", band.knowledge), ("S", band.skills)) for ref in refs}
        out[p.name] = {
            "tasks": tasks, "gaps": gaps,
            "strengths": sorted(c for c, (_, _, v) in tasks.items() if v >= strong),
            "duties": {d.code: value(lambda i, c=d.code: i[0] == c) for d in std.duties},
            "all": value(lambda i: True), "needs": needs}
    return out


def by_supervisor(own, sup):
    return sup if sup is not None else own


def test_every_figure_of_the_12_person_rollup(std, team12):
    people, ratings = team12
    assert any(p.ratings[0][1] is None for p in people)  # some gave self ratings only
    want = recompute(std, people, by_supervisor)
    team = team_gaps(std, ratings)
    assert [p.person for p in team.people] == [p.name for p in people]
    for got in team.people:
        w = want[got.person]
        assert got.score.value == pytest.approx(w["all"])
        assert {d.code: d.score.value for d in got.duties} == pytest.approx(w["duties"])
        for t in got.tasks:
            own, sup, value = w["tasks"][t.code]
            assert (t.score.self, t.score.value) == pytest.approx((own, value))
            assert t.score.supervisor == (pytest.approx(sup) if sup is not None else None)
            assert t.score.diff == (pytest.approx(sup - own) if sup is not None else None)
            assert t.rated and t.gap == (value < 3)
        assert [t.code for t in got.gaps] == w["gaps"]
        assert sorted(t.code for t in got.strengths) == w["strengths"]
        assert {(n.kind, n.code) for n in got.needs} == w["needs"]
        assert person_gaps(std, ratings, got.person) == got

    counts = {t.code: sum(t.code in w["gaps"] for w in want.values()) for _, t in std.tasks()}
    assert {t.code: n for t, n in team.common_gaps} == {c: n for c, n in counts.items() if n}
    assert [n for _, n in team.common_gaps] == sorted((n for _, n in team.common_gaps),
                                                      reverse=True)
    assert sum(1 for n in counts.values() if n >= 6) >= 1  # some tasks are weak for many
    for t, _ in team.common_gaps:
        assert t.score.value == pytest.approx(fmean(w["tasks"][t.code][2]
                                                    for w in want.values()))
    needed = {}
    for w in want.values():
        for key in w["needs"]:
            needed[key] = needed.get(key, 0) + 1
    assert {(n.kind, n.code): n.people for n in team.needs} == needed
    assert [n.people for n in team.needs] == sorted(needed.values(), reverse=True)


def test_self_ratings_run_above_the_supervisors(std, team12):
    team = team_gaps(std, team12[1])
    assert -0.8 < team.score.diff < -0.1
    assert team.score.self > team.score.supervisor


@pytest.mark.parametrize("bar, decide", [
    (Bar(3.5, "lower"), lambda own, sup: min(x for x in (own, sup) if x is not None)),
    (Bar(2.5, "self", strong=4.5), lambda own, sup: own)])
def test_other_bars(std, team12, bar, decide):
    people, ratings = team12
    want = recompute(std, people, decide, bar.required, bar.strong)
    for got in team_gaps(std, ratings, bar).people:
        assert [t.code for t in got.gaps] == want[got.person]["gaps"]
        assert sorted(t.code for t in got.strengths) == want[got.person]["strengths"]
        assert got.score.value == pytest.approx(want[got.person]["all"])


def test_a_bar_off_the_scale_is_refused():
    with pytest.raises(KmcError, match="門檻 6 應為 1 到 5"):
        Bar(6)
    with pytest.raises(KmcError, match="判定依據「boss」"):
        Bar(by="boss")


def test_the_training_plan_covers_just_the_gap_tasks(std, team12):
    person = next(p for p in team_gaps(std, team12[1]).people if len(p.gaps) >= 2)
    codes = [t.code for t in person.gaps]
    plan = gap_course(std, codes, None, load_levels())
    assert [r.code for r in plan.tasks] == codes
    assert plan.total_hours == max(6, 3 * len(codes))
    assert sum(u.hours for u in plan.units) == plan.total_hours
    assert gap_course(std, codes, 7.5, load_levels()).total_hours == 7.5
    assert gap_course(std, [], None, load_levels()) is None
    with pytest.raises(KmcError, match="--hours 0.3"):
        gap_course(std, codes, 0.3, load_levels())


def test_every_bundled_standard_rolls_up(library, tmp_path):
    for code in library.codes():
        std = library.get(code)
        people = gapgen.team(std, 3)
        path = gapgen.team_workbook(std, people, tmp_path / f"{code}.xlsx")
        team = team_gaps(std, read_ratings([path], library)[1])
        assert [p.person for p in team.people] == [p.name for p in people]
        assert all(t.rated and 1 <= t.score.value <= 5 for p in team.people for t in p.tasks)
        assert len(team.duties) == len(std.duties)


def test_a_block_of_tasks_shares_its_indicators(tmp_path):
    """AVA2173-005v3 prints one block of indicators for its seven tasks: each task is
    scored on the whole block."""
    if not REAL.is_dir():
        pytest.skip("../shared/real is not beside the checkout")
    folder = tmp_path / "standards"
    folder.mkdir()
    code = "AVA2173-005v3"
    save_standard(import_file(REAL / "ocs-json" / f"{code}.json", lambda _: None),
                  folder / f"{code}.yaml")
    library = Library(folder)
    std = library.get(code)
    people = gapgen.team(std, 4)
    path = gapgen.team_workbook(std, people, tmp_path / "ava.xlsx")
    team = team_gaps(std, read_ratings([path], library)[1])
    for got, p in zip(team.people, people):
        sups = [s for _, s in p.ratings]
        value = fmean(sups) if None not in sups else fmean(s for s, _ in p.ratings)
        assert len(got.tasks) == 7
        assert {round(t.score.value, 9) for t in got.tasks} == {round(value, 9)}
