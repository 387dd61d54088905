"""Users, roles, model permissions and record rules: the data the environment enforces."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.fields import Many2Many, Many2One, boolean
from loom.kernel.model import Model, Unique

NOBODY = ("kernel.nobody",)  # a role no user has: the field is never readable through a channel


class Role(Model):
    """A named set of permissions shipped by a module as data (``kernel.administrator``, ...).

    ``all_access`` grants every model permission; record rules and company isolation still apply.
    ``name_zh`` is the name Chinese readers see (the web shell shows it when set)."""

    __model__ = "loom.role"
    __indexes__ = (Unique("code"),)

    code: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))
    all_access: Mapped[bool] = boolean(False)


class User(Model):
    """A person who logs in: password hash (argon2id), roles, allowed companies, active company."""

    __model__ = "loom.user"
    __active__ = True
    __rec_name__ = "login"
    __indexes__ = (Unique("login"),)

    login: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255), info={"roles": NOBODY})
    lang: Mapped[str] = mapped_column(String(8), default="en", server_default="en",
                                      info={"selection": ("en", "zh_CN")})
    tz: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai", server_default="Asia/Shanghai")
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                                 info={"readonly": True})
    company_id = Many2One("loom.company", nullable=False, label="Active company")
    company_ids = Many2Many("loom.company", table="loom_user_company_rel")
    role_ids = Many2Many("loom.role", table="loom_user_role_rel")

    def validate(self, env, changed):
        """Nobody changes their own roles through a channel (B7): another person, or the superuser,
        must. The time zone is an IANA name this machine knows (``Asia/Shanghai``)."""
        from zoneinfo import available_timezones

        from loom.kernel.errors import AccessError, ValidationError

        if "role_ids" in changed and not env.su and env.uid == self.id:
            raise AccessError("kernel.own_roles_unchangeable", field="role_ids", user=self.login)
        from loom.kernel.users import check_role_changes

        check_role_changes(env, self)  # only roles the acting user holds, only users within reach (A8)
        if "tz" in changed and self.tz is not None and self.tz not in available_timezones():
            raise ValidationError("kernel.user_tz_unknown", field="tz", value=self.tz)


class ModelAccess(Model):
    """Permissions of one role on one model; no row means no access (deny by default)."""

    __model__ = "loom.access"
    __indexes__ = (Unique("role_id", "model"),)

    role_id = Many2One("loom.role", nullable=False, ondelete="CASCADE")
    model: Mapped[str] = mapped_column(String(100))
    perm_read: Mapped[bool] = boolean(False)
    perm_create: Mapped[bool] = boolean(False)
    perm_write: Mapped[bool] = boolean(False)
    perm_delete: Mapped[bool] = boolean(False)
    perm_export: Mapped[bool] = boolean(False)


class RecordRule(Model):
    """A domain limiting which records of a model a role (or everyone, when global) may touch.

    Global rules (no role) are AND-ed; the rules of the user's roles are OR-ed together."""

    __model__ = "loom.rule"

    name: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(100), index=True)
    role_id = Many2One("loom.role", ondelete="CASCADE")
    domain: Mapped[list] = mapped_column(JSON)
    perm_read: Mapped[bool] = boolean(True)
    perm_write: Mapped[bool] = boolean(True)
    perm_create: Mapped[bool] = boolean(True)
    perm_delete: Mapped[bool] = boolean(True)

    def validate(self, env, changed):
        """The model must exist and the domain compile for it (with its placeholders filled in), so
        a bad rule is refused when it is saved, not by every later query of the model."""
        from loom.kernel.access import check_rule_domain
        from loom.kernel.errors import LoomError, ValidationError

        if {"model", "domain"} & changed:
            if self.model not in env.registry:
                raise ValidationError("kernel.model_unknown", field="model", model=self.model)
            try:
                check_rule_domain(env, self.model, self.domain)
            except LoomError as exc:
                raise ValidationError("kernel.rule_domain_invalid", field="domain", model=self.model,
                                      problem=exc.message()) from exc
