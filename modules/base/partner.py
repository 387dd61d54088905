"""Partners: one master for customers, suppliers and their contacts and addresses."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.errors import ValidationError
from loom.kernel.fields import Many2Many, Many2One, One2Many, boolean
from loom.kernel.model import Index, Model, computed
from loom.modules.base.address import Address
from loom.modules.base.duplicates import normalize_email, normalize_name, normalize_phone, normalize_tax_id
from loom.modules.base.uniqueness import check_scoped_unique, scoped_unique
from loom.modules.base.uscc import validate_uscc

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_COUNTRY = re.compile(r"[A-Z]{2}")
MAX_PARENT_DEPTH = 16


class Partner(Address, Model):
    """A company or a person the business deals with: customer, supplier or both, in one record.

    A company partner (``is_company``) holds the legal details: tax id (for Chinese companies a
    unified social credit code with a valid check character), bank account, address. Its
    contacts and its invoice or delivery addresses are child partners (``parent_id``), each with
    a ``type``. Partners are shared by all companies unless they belong to one. Partners with
    history are archived, never deleted. The normalized keys (``*_norm``) are kept up to date for
    duplicate detection; the normalized tax id is unique within the scope the partner is visible
    in (see :mod:`loom.modules.base.uniqueness`).
    """

    __model__ = "base.partner"
    __active__ = True
    __company__ = "optional"
    __order__ = "name"
    __form_lines__ = {"child_ids": ("name", "email", "phone", "mobile", "type")}  # columns of inline contacts
    __indexes__ = (
        *scoped_unique("base_partner", "tax_id_norm"),
        Index("name_norm"), Index("email_norm"), Index("phone_norm"), Index("mobile_norm"),
        Index("name", "id"),  # the default order: list pages and API pages read it instead of sorting
    )

    name: Mapped[str] = mapped_column(String(200))
    is_company: Mapped[bool] = boolean(False)
    parent_id = Many2One("base.partner", ondelete="CASCADE", label="Related company")
    child_ids = One2Many("base.partner", "parent_id", label="Contacts and addresses")
    type: Mapped[str] = mapped_column(String(16), default="contact", server_default="contact",
                                      info={"selection": ("contact", "invoice", "delivery", "other")})
    mobile: Mapped[str | None] = mapped_column(String(32))
    tax_id: Mapped[str | None] = mapped_column(String(32), info={"label": "Tax id (USCC)"})
    bank_name: Mapped[str | None] = mapped_column(String(200))
    bank_account: Mapped[str | None] = mapped_column(String(64))
    tag_ids = Many2Many("base.partner.tag", table="base_partner_tag_rel", label="Tags")
    is_customer: Mapped[bool] = boolean(False)
    is_supplier: Mapped[bool] = boolean(False)
    lang: Mapped[str] = mapped_column(String(8), default="zh_CN", server_default="zh_CN",
                                      info={"selection": ("en", "zh_CN")})
    comment: Mapped[str | None] = mapped_column(Text)
    tax_id_norm: Mapped[str | None] = computed(mapped_column(String(32)), depends=("tax_id",))
    name_norm: Mapped[str | None] = computed(mapped_column(String(200)), depends=("name",))
    email_norm: Mapped[str | None] = computed(mapped_column(String(200)), depends=("email",))
    phone_norm: Mapped[str | None] = computed(mapped_column(String(32)), depends=("phone",))
    mobile_norm: Mapped[str | None] = computed(mapped_column(String(32)), depends=("mobile",))

    def _compute_tax_id_norm(self) -> None:
        self.tax_id_norm = normalize_tax_id(self.tax_id)

    def _compute_name_norm(self) -> None:
        self.name_norm = normalize_name(self.name)

    def _compute_email_norm(self) -> None:
        self.email_norm = normalize_email(self.email)

    def _compute_phone_norm(self) -> None:
        self.phone_norm = normalize_phone(self.phone)

    def _compute_mobile_norm(self) -> None:
        self.mobile_norm = normalize_phone(self.mobile)

    def validate(self, env: Environment, changed: frozenset[str]) -> None:
        """Name given, parent chain without a loop, e-mail and country well formed, a Chinese
        company's tax id a valid USCC, and the tax id unique where the partner is visible."""
        if self.name is not None and not self.name.strip():
            raise ValidationError("base.partner_name_empty", field="name")
        self._check_parents()
        if self.email and not _EMAIL.fullmatch(self.email.strip()):
            raise ValidationError("base.partner_email_invalid", field="email", value=self.email)
        country = self.country_code  # None until the insert gives the default (CN) when sent as null
        if country is not None and not _COUNTRY.fullmatch(country):
            raise ValidationError("base.partner_country_invalid", field="country_code", value=country)
        if self.tax_id and self.is_company and country == "CN":
            validate_uscc(self.tax_id, field="tax_id")
        check_scoped_unique(env, self, "tax_id_norm", "tax_id", "base.partner_tax_id_duplicate")

    def _check_parents(self) -> None:
        node, depth = self.parent, 0
        while node is not None:
            depth += 1
            if node is self or depth > MAX_PARENT_DEPTH:
                raise ValidationError("base.partner_parent_loop", field="parent_id", partner=self.name)
            node = node.parent

    def commercial_partner(self) -> Any:
        """The partner that holds the legal details: the nearest company up the parent chain, else
        the top of the chain (a private person is their own commercial partner)."""
        node = self
        while not node.is_company and node.parent is not None:
            node = node.parent
        return node

    def address(self, kind: str) -> Any:
        """The commercial partner's first active child address of ``kind`` (``invoice``,
        ``delivery``), or the commercial partner itself when it has none."""
        commercial = self.commercial_partner()
        found = [child for child in commercial.child_ids if child.type == kind and child.active]
        return found[0] if found else commercial
