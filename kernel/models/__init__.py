"""The kernel's own models: installed modules, companies, users, roles, permissions, record rules,
sequences, settings, external ids and the models of the kernel services (workflow and approvals,
timeline, security audit log, outbox, attachments). They belong to the ``kernel`` migration branch."""

from loom.kernel.models import (
    api,
    attachment,
    audit,
    company,
    external_id,
    module,
    outbox,
    security,
    sequence,
    setting,
    web,
    workflow,
)


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
        *workflow.MODELS,
        *audit.MODELS,
        *outbox.MODELS,
        *attachment.MODELS,
        *web.MODELS,
        *api.MODELS,
    )
    loom.triggers(*workflow.TRIGGERS, *audit.TRIGGERS, *outbox.TRIGGERS, *attachment.TRIGGERS, *web.TRIGGERS,
                  *api.TRIGGERS)
    from loom.kernel.api import jobs as api_jobs  # idempotency keys forgotten after 24 hours
    from loom.kernel.attachments import forgetting as attachments_forgetting  # rows of vanished records
    from loom.kernel.jobs import hooks as jobs_hooks  # the nightly check, through the modules' own hook
    from loom.kernel.mail import hooks as mail_hooks  # the kernel's mail templates and the mail consumer
    from loom.kernel.outbox import forget as outbox_forget  # a leaving module's events and receipts
    from loom.kernel.workflow import checks as workflow_checks  # waiting documents have pending requests
    from loom.kernel.workflow import forgetting as workflow_forgetting  # timeline and approval rows

    loom.hooks(jobs_hooks, mail_hooks, outbox_forget, workflow_forgetting, attachments_forgetting, workflow_checks,
               api_jobs)
