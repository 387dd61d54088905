"""The business story test_third_party_module.py runs in an interpreter that has loom-partner-rating.

Usage: ``python partner_rating_story.py DATABASE_URL``, on a database where ``partner_rating`` is
installed, the setting ``partner_rating.review_months`` is 6, ``sam`` is a master-data user
(``base.user``) and ``rita`` a credit rater (``partner_rating.rater``). It prints one JSON object:
what each step gave, and every refusal as its code, field and message in English and Chinese.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from loom.kernel.db import create_engine, run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.errors import LoomError
from loom.kernel.installer import ModuleManager
from loom.kernel.users import find_user
from loom_partner_rating.partner import due_for_review

TODAY = dt.date(2026, 11, 25)


class Story:
    """Units of work on one database, each as one of its users."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        manager = ModuleManager(self.engine)
        self.registry = manager.registry(manager.installed())

    def as_user(self, login: str, work) -> Any:
        def unit(session):
            user = find_user(Environment(self.registry, session, su=True), login)
            return work(Environment(self.registry, session, uid=user.id))

        return run_unit_of_work(self.engine, unit)

    def refused(self, login: str, work) -> dict[str, Any]:
        try:
            self.as_user(login, work)
        except LoomError as exc:
            return {"code": exc.message_id, "field": exc.field, "en": exc.message("en"),
                    "zh_CN": exc.message("zh_CN")}
        return {"code": None}


def partner(env, name: str) -> Any:
    return env["base.partner"].search([["name", "=", name]])[0]


def rate(name: str, rating: str | None, rated_on: str | None):
    def work(env):
        env["base.partner"].write([partner(env, name)], {"credit_rating": rating, "credit_rated_on": rated_on})
    return work


def create_partners(env) -> None:
    acme, _ = env["base.partner"].create([{"name": "Acme Trading", "is_company": True, "is_customer": True},
                                          {"name": "Brightwater Foods", "is_company": True}])
    env["base.partner"].create({"name": "Li Lei", "parent_id": acme.id})


def report(env) -> dict[str, Any]:
    names = ["Acme Trading", "Brightwater Foods", "Li Lei"]
    rows = env["base.partner"].read([partner(env, n) for n in names], ["name", "credit_rating", "credit_rated_on"])
    return {"partners": [{**row, "credit_rated_on": row["credit_rated_on"] and row["credit_rated_on"].isoformat()}
                         for row in rows],
            "li_lei_effective": partner(env, "Li Lei").effective_credit_rating(),
            "due_for_review": [p.name for p in due_for_review(env, TODAY)]}


def main(url: str) -> dict[str, Any]:
    story = Story(url)
    story.as_user("sam", create_partners)
    result = {"sam_may_not_rate": story.refused("sam", rate("Brightwater Foods", "D", "2026-11-01"))}
    story.as_user("rita", rate("Acme Trading", "A", "2026-03-02"))
    story.as_user("rita", rate("Brightwater Foods", "B", "2026-09-15"))
    result["contact_refused"] = story.refused("rita", rate("Li Lei", "C", "2026-11-01"))
    result["date_required"] = story.refused("rita", rate("Brightwater Foods", "C", None))
    result["unknown_rating"] = story.refused("rita", rate("Brightwater Foods", "E", "2026-11-01"))
    result.update(story.as_user("sam", report))
    story.engine.dispose()
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1]), ensure_ascii=False))
