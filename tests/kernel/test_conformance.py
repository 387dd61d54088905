"""The conformance suite applied to the kernel's test modules (each module's own tests name it too)."""

from conformance import ModuleConformance


class TestBaseConformance(ModuleConformance):
    module = "base"


class TestAlphaConformance(ModuleConformance):
    module = "loomtest_alpha"


class TestBetaConformance(ModuleConformance):
    module = "loomtest_beta"


class TestBridgeConformance(ModuleConformance):
    module = "loomtest_alpha_beta"
