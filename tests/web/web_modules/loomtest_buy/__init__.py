"""Test module buy: purchase requests that wait for approval, tasks on a kanban of stages, and a
partner print sheet specialised by template inheritance."""

from loomtest_buy import request, task


def register(loom):
    """Everything buy contributes: its models (its templates are found by the loader)."""
    loom.models(request.PurchaseRequest, request.PurchaseLine, task.Stage, task.Task)
