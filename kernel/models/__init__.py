"""The kernel's own models: installed modules, companies, users, roles, permissions, record rules,
sequences, settings and external ids. They belong to the ``kernel`` migration branch."""

from loom.kernel.models import company, external_id, module, security, sequence, setting


def register(loom):
    """Every model the kernel owns."""
    loom.models(
        module.InstalledModule,
        company.Company,
        security.Role,
        security.User,
        security.ModelAccess,
        security.RecordRule,
        sequence.Sequence,
        sequence.SequenceCounter,
        setting.SettingValue,
        external_id.ExternalId,
    )
