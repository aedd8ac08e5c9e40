"""The stores of every engine, as the event-log tests make them."""

from tests.model.conftest import any_store, engine_name, new_store

__all__ = ["any_store", "engine_name", "new_store"]
