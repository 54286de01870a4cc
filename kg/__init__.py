"""kg: an offline knowledge-graph builder for e-commerce market intelligence.

Data flows one way: article files -> :class:`kg.records.Article` -> spaCy ``Doc``
-> :class:`kg.records.Triple` records -> RDF dataset -> networkx / pyvis / SPARQL.
Nothing heavy is imported here; import the module you need.
"""

__version__ = "0.1.0"
