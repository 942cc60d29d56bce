"""mlkg's SHACL checker gives pyshacl's results, construct by construct, and refuses what it does not know."""

from __future__ import annotations

import pytest
from pyoxigraph import RdfFormat, parse, serialize
from rdflib import Graph

from kg.shapes import Checker, UnsupportedShapes
from kg.validate import ontology_text, pyshacl_results, shapes_for, to_rdflib

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
"""


def both(shapes_ttl: str, data_ttl: str):
    """The results of both engines on the same shapes and data, each sorted."""
    shapes = Graph().parse(data=PREFIXES + shapes_ttl, format="turtle")
    triples = list(parse((PREFIXES + data_ttl).encode(), RdfFormat.TURTLE))
    data = to_rdflib(serialize(triples, format=RdfFormat.N_TRIPLES))
    ours = sorted(Checker(shapes).check(triples))
    theirs = sorted(pyshacl_results(data, shapes))
    return ours, theirs


def property_shape(constraints: str, message: str = "broken", extra: str = "") -> str:
    return f"""
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
    sh:property [ sh:path ex:p ; {constraints} ; sh:message "{message}"@en ] .
{extra}"""


BIG = "9" * 99  # the longest run of digits read as an int without rdflib

#: (construct, shapes, data, how many results pyshacl gives): every row has
#: results, so a checker that found nothing would fail it.
CASES = [
    (
        "datatype integer",
        property_shape("sh:datatype xsd:integer"),
        'ex:a a ex:C ; ex:p 1, "x", "2"^^xsd:decimal, ex:b, "abc"^^xsd:integer .',
        4,
    ),
    ("datatype string", property_shape("sh:datatype xsd:string"), 'ex:a a ex:C ; ex:p "x", "y"@en, 3, ex:b .', 3),
    (
        "datatype decimal",
        property_shape("sh:datatype xsd:decimal"),
        'ex:a a ex:C ; ex:p 1.5, 2, "1.x"^^xsd:decimal .',
        2,
    ),
    (
        "datatype double and boolean",
        property_shape("sh:datatype xsd:double")
        + 'ex:T a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:q ; sh:datatype xsd:boolean ; sh:message "b" ] .',
        'ex:a a ex:C ; ex:p 1.5e3, 1.5, "x"^^xsd:double ; ex:q true, "maybe"^^xsd:boolean, 1 .',
        4,
    ),
    (
        "datatype duration",
        property_shape("sh:datatype xsd:duration"),
        'ex:a a ex:C ; ex:p "PT5H"^^xsd:duration, "5 hours" .',
        1,
    ),
    ("nodeKind IRI", property_shape("sh:nodeKind sh:IRI"), 'ex:a a ex:C ; ex:p ex:b, "b", [ ex:q 1 ] .', 2),
    ("nodeKind Literal", property_shape("sh:nodeKind sh:Literal"), 'ex:a a ex:C ; ex:p ex:b, "b", [ ex:q 1 ] .', 2),
    (
        "nodeKind IRIOrLiteral",
        property_shape("sh:nodeKind sh:IRIOrLiteral"),
        'ex:a a ex:C ; ex:p ex:b, "b", [ ex:q 1 ] .',
        1,
    ),
    (
        "class",
        property_shape("sh:class ex:D"),
        "ex:a a ex:C ; ex:p ex:d, ex:e, ex:f, 3 . ex:d a ex:D . ex:e a ex:E . ex:E rdfs:subClassOf ex:D . ex:f a ex:F .",
        2,
    ),
    ("minCount", property_shape("sh:minCount 2"), "ex:a a ex:C ; ex:p 1 . ex:b a ex:C ; ex:p 1, 2 . ex:c a ex:C .", 2),
    ("maxCount", property_shape("sh:maxCount 1"), "ex:a a ex:C ; ex:p 1, 2 . ex:b a ex:C ; ex:p 1 .", 1),
    (
        "maxCount counts values as rdflib reads them",
        property_shape("sh:maxCount 1"),
        'ex:a a ex:C ; ex:p 1, "01"^^xsd:integer . ex:b a ex:C ; ex:p 1, 2 .',
        1,
    ),
    ("minInclusive", property_shape("sh:minInclusive 1"), 'ex:a a ex:C ; ex:p 0, 1, 2.5, -1.0e0, "x", ex:b, true .', 5),
    (
        "minExclusive",
        property_shape("sh:minExclusive 0"),
        'ex:a a ex:C ; ex:p 0, 0.0, 1, "5"^^xsd:decimal, "no"^^xsd:integer .',
        3,
    ),
    ("maxInclusive", property_shape("sh:maxInclusive 1"), "ex:a a ex:C ; ex:p 0, 1, 1.5, 2 .", 2),
    ("maxExclusive", property_shape("sh:maxExclusive 1"), "ex:a a ex:C ; ex:p 0, 1, 0.5 .", 1),
    (
        "in",
        property_shape('sh:in ( ex:x "FP16" 3 )'),
        'ex:a a ex:C ; ex:p ex:x, "FP16", "FP32", 3, 4, ex:y, "FP16"@en .',
        4,
    ),
    ("pattern", property_shape('sh:pattern "^[A-Z]{2}$"'), 'ex:a a ex:C ; ex:p "US", "usa", "GB"@en, ex:US, 12 .', 3),
    (
        "pattern on IRIs",
        property_shape('sh:pattern "^http://example\\\\.org/Q[0-9]+$"'),
        "ex:a a ex:C ; ex:p ex:Q1, ex:P2 .",
        1,
    ),
    (
        "inversePath",
        """ex:S a sh:NodeShape ; sh:targetClass ex:C ;
        sh:property [ sh:path [ sh:inversePath ex:has ] ; sh:minCount 1 ; sh:maxCount 1 ; sh:class ex:Owner ;
        sh:message "one owner" ] .""",
        "ex:a a ex:C . ex:b a ex:C . ex:o1 ex:has ex:b . ex:o2 ex:has ex:b . ex:o1 a ex:Owner . ex:c a ex:C . ex:o3 ex:has ex:c .",
        4,
    ),
    (
        "equals",
        property_shape("sh:equals ex:q"),
        'ex:a a ex:C ; ex:p "x", "y" ; ex:q "x", "z" . ex:b a ex:C ; ex:p 1 ; ex:q 1 .',
        2,
    ),
    (
        "disjoint",
        property_shape("sh:disjoint ex:q"),
        'ex:a a ex:C ; ex:p "x", "y" ; ex:q "x" . ex:b a ex:C ; ex:p 1 ; ex:q 2 .',
        1,
    ),
    (
        "lessThanOrEquals",
        property_shape("sh:lessThanOrEquals ex:q"),
        'ex:a a ex:C ; ex:p 3, 5 ; ex:q 4 . ex:b a ex:C ; ex:p 1 ; ex:q "1" . ex:c a ex:C ; ex:p "a" ; ex:q "b" .',
        2,
    ),
    # integers written as digits are compared as ints, without rdflib terms: every spelling must agree
    (
        "integers in every spelling",
        property_shape("sh:datatype xsd:integer"),
        'ex:a a ex:C ; ex:p "+5"^^xsd:integer, "05"^^xsd:integer, "-0"^^xsd:integer, "1_000"^^xsd:integer, '
        f'" 7"^^xsd:integer, "{BIG}"^^xsd:integer, "5"^^xsd:int, "5"^^xsd:long .',
        2,
    ),
    (
        "integer ranges in every spelling",
        property_shape("sh:minInclusive 0 ; sh:maxExclusive 10"),
        'ex:a a ex:C ; ex:p "+5"^^xsd:integer, "05"^^xsd:integer, "-0"^^xsd:integer, "-1"^^xsd:integer, '
        f'"10"^^xsd:integer, "1_0"^^xsd:integer, "{BIG}"^^xsd:integer, 3.5, "9"^^xsd:int .',
        3,
    ),
    (
        "integer range with a decimal bound",
        property_shape("sh:maxInclusive 2.5"),
        'ex:a a ex:C ; ex:p 2, 3, "+3"^^xsd:integer, "02"^^xsd:integer .',
        1,
    ),
    (
        "lessThanOrEquals on integers in every spelling",
        property_shape("sh:lessThanOrEquals ex:q"),
        'ex:a a ex:C ; ex:p "05"^^xsd:integer ; ex:q 5 . ex:b a ex:C ; ex:p "+7"^^xsd:integer, 6 ; ex:q 6, "-0"^^xsd:integer . '
        'ex:c a ex:C ; ex:p 10 ; ex:q "1_0"^^xsd:integer . ex:d a ex:C ; ex:p 3 ; ex:q 2.5 .',
        4,
    ),
    (
        "decimals and doubles in every spelling",
        property_shape("sh:datatype xsd:decimal")
        + 'ex:T a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:q ; sh:datatype xsd:double ; sh:message "d" ] .',
        'ex:a a ex:C ; ex:p "+1.50"^^xsd:decimal, "-0.0"^^xsd:decimal, "007"^^xsd:decimal, "1."^^xsd:decimal, '
        f'".5"^^xsd:decimal, "{BIG}.{BIG}"^^xsd:decimal, "1e3"^^xsd:decimal, "1.5"^^xsd:double ; '
        f'ex:q "+2"^^xsd:double, "0.10"^^xsd:double, "1e3"^^xsd:double, "NaN"^^xsd:double, "{BIG}"^^xsd:double, '
        '"1.5"^^xsd:decimal, "x"^^xsd:double .',
        3,
    ),
    (
        "pattern on strings of every kind",
        property_shape('sh:pattern "^[a-z]+$"'),
        'ex:a a ex:C ; ex:p "abc", "ABC", "abc"@en, "abc"^^xsd:token, "ab c", ex:abc, 12 .',
        4,
    ),
    ("severity", property_shape("sh:maxCount 1 ; sh:severity sh:Warning"), "ex:a a ex:C ; ex:p 1, 2 .", 1),
    (
        "targetNode",
        """ex:S a sh:NodeShape ; sh:targetNode ex:a, ex:missing ;
        sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:message "needs p" ] .""",
        "ex:a ex:q 1 .",
        2,
    ),
    (
        "targetClass through subclasses",
        property_shape("sh:minCount 1"),
        "ex:a a ex:Sub . ex:Sub rdfs:subClassOf ex:C . ex:b a ex:SubSub . ex:SubSub rdfs:subClassOf ex:Sub .",
        2,
    ),
    (
        "a named property shape shared by two node shapes",
        """ex:label a sh:PropertyShape ; sh:path rdfs:label ; sh:minCount 1 ; sh:message "label" .
     ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:label .
     ex:T a sh:NodeShape ; sh:targetClass ex:D ; sh:property ex:label .""",
        "ex:a a ex:C, ex:D . ex:b a ex:D .",
        3,
    ),
    (
        "node and closed",
        """ex:S a sh:NodeShape ; sh:targetNode ex:set ;
        sh:property [ sh:path [ sh:inversePath ex:dataSet ] ;
            sh:node [ a sh:NodeShape ; sh:closed true ; sh:ignoredProperties ( rdf:type ex:dataSet ) ;
                      sh:property ex:needs-count, ex:allows-name ] ;
            sh:message "an observation has exactly its components" ] .
        ex:needs-count a sh:PropertyShape ; sh:path ex:count ; sh:minCount 1 ; sh:message "needs count" .
        ex:allows-name a sh:PropertyShape ; sh:path ex:name .""",
        """ex:o1 ex:dataSet ex:set ; ex:count 1 ; ex:name "n" ; a ex:Obs .
        ex:o2 ex:dataSet ex:set ; ex:count 1 ; ex:extra 2, ex:thing, "t", true .
        ex:o3 ex:dataSet ex:set ; ex:name "m" .""",
        7,
    ),
]


@pytest.mark.filterwarnings("ignore:Parsing weird boolean")  # rdflib on "maybe"^^xsd:boolean, as meant
@pytest.mark.parametrize("construct, shapes, data, expected", CASES, ids=[c[0] for c in CASES])
def test_each_construct_gives_pyshacls_results(construct, shapes, data, expected):
    ours, theirs = both(shapes, data)
    assert len(theirs) == expected, theirs  # the case breaks what it says it breaks
    assert ours == theirs


def test_a_value_rdflib_holds_false_is_written_in_the_result():
    """ "hardwareQuantity 0" breaks a minimum: the report must say 0 was the value, not leave it blank."""
    ours, theirs = both(property_shape("sh:minExclusive 0"), 'ex:a a ex:C ; ex:p 0, false, "" .')
    assert ours == theirs
    assert sorted(result.value for result in ours) == ["", "0", "false"]


def test_conforming_data_gives_no_results_in_either_engine():
    ours, theirs = both(property_shape("sh:datatype xsd:integer ; sh:minCount 1"), "ex:a a ex:C ; ex:p 1 .")
    assert ours == theirs == []


@pytest.mark.parametrize("kind", ["papers", "shared", "statistics"])
def test_the_published_shapes_compile_for_every_kind_of_slice(kind):
    shapes = Graph().parse(data=ontology_text("shapes.ttl"), format="turtle")
    checker = Checker(shapes_for(kind, shapes))
    assert checker.shapes and all(shape.target_classes or shape.target_nodes for shape in checker.shapes)


UNSUPPORTED = [
    ("sh:or", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:or ( [ sh:datatype xsd:string ] [ sh:class ex:D ] ) ."),
    ("sh:minLength", property_shape("sh:minLength 3")),
    (
        "sh:targetSubjectsOf",
        'ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:q ; sh:minCount 1 ; sh:message "m" ] .',
    ),
    (
        "a sequence path",
        'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ( ex:p ex:q ) ; sh:minCount 1 ; sh:message "m" ] .',
    ),
    ("sh:sparql", 'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "SELECT $this WHERE {}" ] .'),
    (
        "an implicit class target",
        'ex:C a sh:NodeShape, rdfs:Class ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:message "m" ] .',
    ),
    (
        "a recursive shape",
        'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:node ex:S ; sh:message "m" ] .',
    ),
    ("a shape without a message", property_shape("sh:minCount 1").replace(' ; sh:message "broken"@en', "")),
]


@pytest.mark.parametrize("construct, shapes", UNSUPPORTED, ids=[c[0] for c in UNSUPPORTED])
def test_a_construct_the_checker_does_not_know_is_refused(construct, shapes):
    """Never a silent pass: a shapes file the checker cannot evaluate is an error when it is read."""
    with pytest.raises(UnsupportedShapes, match="pyshacl can"):
        Checker(Graph().parse(data=PREFIXES + shapes, format="turtle"))
