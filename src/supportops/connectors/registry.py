"""The vendors supportops can sync, as data: each name and the module declaring its
:class:`~supportops.connectors.spec.Vendor` as ``VENDOR``. A new vendor is one line here."""

from __future__ import annotations

import importlib

from supportops.connectors.spec import Vendor
from supportops.errors import SyncError

__all__ = ["VENDOR_MODULES", "vendor_of"]

VENDOR_MODULES: dict[str, str] = {
    "freshdesk": "supportops.connectors.vendors.freshdesk",
    "zendesk": "supportops.connectors.vendors.zendesk",
    "intercom": "supportops.connectors.vendors.intercom",
    "helpscout": "supportops.connectors.vendors.helpscout",
    "salesforce": "supportops.connectors.vendors.salesforce",
}


def vendor_of(name: str) -> Vendor:
    """The declaration of vendor ``name``."""
    module = VENDOR_MODULES.get(name)
    if module is None:
        known = ", ".join(sorted(VENDOR_MODULES))
        raise SyncError(f"vendor {name!r} cannot be synced yet (known: {known})", source=None)
    vendor: Vendor = importlib.import_module(module).VENDOR
    return vendor
