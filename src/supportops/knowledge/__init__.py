"""Knowledge gaps: the topics of a period's tickets that no help-center article covers, ranked
by the agent hours an article would save.

Modules, one concept each: :mod:`~.articles` (a folder of Markdown/HTML articles),
:mod:`~.space` (the text embedding: MiniLM, or TF-IDF reduced by SVD without torch),
:mod:`~.topics` (clustering tickets into topics, their words, titles and outlines) and
:mod:`~.gaps` (coverage by the articles, the gap score, deflection opportunity per article).
"""

from __future__ import annotations

__all__: list[str] = []
