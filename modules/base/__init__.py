"""The ``base`` module: the business masters every other module shares."""

from loom.modules.base import company, currency, hooks, partner, partner_tag, product, tax, uom


def register(loom):
    """Everything base contributes: its models, the company extension and its hooks."""
    loom.models(
        company.Company,
        currency.Currency,
        currency.CurrencyRate,
        uom.UomCategory,
        uom.Uom,
        partner_tag.PartnerTag,
        partner.Partner,
        product.ProductCategory,
        product.Product,
        tax.Tax,
    )
    loom.hooks(hooks)
