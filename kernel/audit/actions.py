"""The audit actions the kernel and its channels write (any dotted name is accepted)."""

#: Action name -> what it records. ``*.refused`` / ``*.failed`` variants record actions that rolled back.
ACTIONS: dict[str, str] = {
    "login.ok": "a user logged in (web shell, API token request)",
    "login.failed": "a login was refused: wrong name or password",
    "login.throttled": "a login was refused: too many failures for that name",
    "logout": "a user logged out (web shell)",
    "password.change": "a user changed their own password (web shell)",
    "approval_rule.change": "an approval rule was added, edited or removed",
    "role.grant": "a role was given to a user",
    "role.revoke": "a role was taken from a user",
    "module.install": "modules were installed",
    "module.uninstall": "modules were uninstalled",
    "module.upgrade": "modules were upgraded",
    "import": "records were imported",
    "export": "more than 1,000 rows were exported",
    "settings.change": "a company setting changed",
    "token.create": "an API token was created",
    "token.revoke": "an API token was revoked",
    "backup": "a backup was taken",
    "restore": "a backup was restored",
    "purge": "a module's business rows were purged with it",
}
