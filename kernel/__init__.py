"""The Loom kernel: mechanism only (registry, modules, migrations, hooks, security, data services).

Business logic lives in modules. Import what you need from the submodules; this package imports
nothing heavy so that ``loom --help`` stays fast.
"""
