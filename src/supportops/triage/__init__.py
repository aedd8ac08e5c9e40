"""AI triage: a text classifier trained on the team's own tickets, measured on later tickets
it never saw, with a calibrated confidence and a routing threshold chosen on validation.

Modules, one concept each: :mod:`~.texts` (what a ticket says), :mod:`~.labels` (targets and
``other``), :mod:`~.split` (time split), :mod:`~.models` (TF-IDF and sentence embeddings behind
one protocol), :mod:`~.calibration` (ECE, reliability, temperature), :mod:`~.threshold`
(routing threshold, coverage curve), :mod:`~.evaluation`, :mod:`~.training`, :mod:`~.saved`
(the model and its card in the workspace), :mod:`~.history` (training from the store or a
file), :mod:`~.prediction` (incl. the fields rules read) and :mod:`~.monitoring`.
"""

from __future__ import annotations

__all__: list[str] = []
