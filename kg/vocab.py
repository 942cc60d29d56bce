"""The mlkg vocabulary as code: every ontology IRI is written here once.

`tests/test_ontology.py` checks that this module and `ontology/mlkg.ttl`
declare exactly the same terms.
"""

from __future__ import annotations

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Triple

MLKG_NS = "https://w3id.org/mlkg/ontology#"
DEFAULT_BASE = "https://w3id.org/mlkg/id/"

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
OWL_NS = "http://www.w3.org/2002/07/owl#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
QB_NS = "http://purl.org/linked-data/cube#"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"

#: Prefixes used in serializations, JSON-LD contexts and bundled queries.
PREFIXES = {
    "mlkg": MLKG_NS,
    "rdf": RDF_NS,
    "rdfs": RDFS_NS,
    "owl": OWL_NS,
    "xsd": XSD_NS,
    "wd": WIKIDATA_ENTITY,
    "qb": QB_NS,
    "skos": SKOS_NS,
}

CLASSES = (
    "Paper",
    "TrainingRun",
    "Model",
    "Hardware",
    "Organization",
    "Dataset",
    "Country",
    "Year",
    "Mention",
    "HardwareUsage",
    "ComputeEstimate",
    "ComputeMethod",
)

OBJECT_PROPERTIES = (
    "reports",
    "trainedModel",
    "hardware",
    "country",
    "year",
    "organization",
    "trainingDataset",
    "manufacturer",
    "variantOf",
    "inPaper",
    "factSubject",
    "factProperty",
    "hardwareUsage",
    "usedHardware",
    "computeEstimate",
    "computeMethod",
    "estimationMethod",
    # dimensions of the running totals (qb:DimensionProperty)
    "forModel",
    "forRun",
    "sameRunAs",
    "forHardware",
    "forCountry",
    "forYear",
    "forManufacturer",
)

DATATYPE_PROPERTIES = (
    "trainingCompute",
    "trainingTokens",
    "flop",
    "flopLow",
    "flopHigh",
    "utilization",
    "peakFlops",
    "numericalFormat",
    "extractedBy",
    "confidence",
    "hardwareQuantity",
    "trainingDuration",
    "trainingHours",
    "parameterCount",
    "acceleratorType",
    "memoryGB",
    "releaseYear",
    "peakFP16Flops",
    "isoCode",
    "yearValue",
    "paperId",
    "sourcePath",
    "contentHash",
    "plainText",
    "tagName",
    "mentionText",
    "startOffset",
    "endOffset",
    "sentenceStart",
    "sentenceEnd",
    "approximate",
    "qualifier",
    "warning",
    "usedQuantity",
    "acceleratorHoursBasis",
    "conversion",
    # the running totals: a dimension, measures and attributes
    "forParameterCount",
    "forSpelling",
    "firstSeen",
    "runCount",
    "reportCount",
    "runsWithCompute",
    "runsWithYear",
    "runsWithTrainingCompute",
    "totalTrainingCompute",
    "mentionCount",
    "paperCount",
    "papersWithYear",
    "acceleratorCount",
    "acceleratorHours",
    "papersWithParameterCount",
    "maxParameterCount",
    "parameterCountValues",
    "modelName",
    "hardwareName",
)

#: factValue may hold a node or a literal, so it is an rdf:Property only.
OTHER_PROPERTIES = ("factValue",)

TERMS = CLASSES + OBJECT_PROPERTIES + DATATYPE_PROPERTIES + OTHER_PROPERTIES

#: The data sets (qb:DataSet) of running totals that every build keeps.
DATASETS = (
    "runTotals",
    "runsByYear",
    "runsByHardware",
    "runsByHardwareAndYear",
    "computeByCountry",
    "runsByCountryAndHardware",
    "computeByManufacturer",
    "models",
    "modelParameterCounts",
    "runsByHardwareAndModel",
    "modelSpellings",
    "restatedRuns",
)


#: Named individuals: the methods of a compute estimate (mlkg:ComputeMethod).
INDIVIDUALS = ("StatedCompute", "HardwareMethod", "ParameterTokenMethod")


def mlkg_term(iri: str) -> str | None:
    """The local name of an mlkg: IRI ("Paper"), or None for any other IRI."""
    return iri[len(MLKG_NS) :] if iri.startswith(MLKG_NS) else None


def term_value(term: NamedNode | BlankNode | Literal | Triple | DefaultGraph) -> str:
    """An IRI, a blank node's id or a literal's lexical form: the string a stored term stands for.

    pyoxigraph types every subject and object as possibly a quoted triple
    (RDF-star) and a graph name as possibly the default graph; mlkg stores
    neither where it reads a value, so meeting one is a bug, said here.
    """
    if isinstance(term, (Triple, DefaultGraph)):
        raise TypeError(f"expected a node or a literal, not {term!r}")
    return term.value


class _Namespace:
    """Attribute access to the terms of one namespace, refusing typos."""

    def __init__(self, base: str, names: tuple[str, ...] | None = None):
        self._base = base
        self._names = frozenset(names) if names is not None else None

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._names is not None and name not in self._names:
            raise AttributeError(f"{self._base}{name} is not a declared term")
        node = NamedNode(self._base + name)
        setattr(self, name, node)
        return node

    def __getitem__(self, name: str) -> NamedNode:
        """``MLKG["hardware"]``: a term named by a value, refused like ``MLKG.typo``."""
        node: NamedNode = getattr(self, name)
        return node

    def iri(self, name: str) -> str:
        return self[name].value


MLKG = _Namespace(MLKG_NS, TERMS + DATASETS + INDIVIDUALS)
RDF = _Namespace(RDF_NS, ("type",))
RDFS = _Namespace(RDFS_NS, ("label", "comment"))
OWL = _Namespace(OWL_NS, ("sameAs",))
SKOS = _Namespace(SKOS_NS, ("prefLabel", "altLabel"))
XSD = _Namespace(XSD_NS, ("string", "integer", "decimal", "double", "boolean", "duration", "gYear"))
