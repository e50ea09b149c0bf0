"""tg.nest; expected structures and messages from TensorFlow 2.21's tf.nest."""
import collections

import numpy as np
import pytest

import tapegrad as tg

nest = tg.nest
P = collections.namedtuple("P", "x y")


def test_flatten():
    assert nest.flatten(None) == [None]
    assert nest.flatten(1) == [1]
    assert nest.flatten({"b": 1, "a": [2, (3, 4)]}) == [2, 3, 4, 1]
    assert nest.flatten(collections.OrderedDict([("b", 1), ("a", 2)])) == [2, 1]
    assert nest.flatten(P(1, [2, 3])) == [1, 2, 3]
    a = np.array([1, 2])
    assert nest.flatten(a)[0] is a and len(nest.flatten(a)) == 1
    assert nest.flatten([]) == [] and nest.flatten({}) == []
    assert nest.flatten({1}) == [{1}]
    with pytest.raises(TypeError, match="'<' not supported between instances of 'str' and "
                       "'int'"):
        nest.flatten({1: 1, "a": 2})
    v = tg.Variable(1.0)
    assert nest.flatten([tg.constant([1, 2]), v])[1] is v


def test_is_nested():
    assert nest.is_nested([1]) and nest.is_nested({}) and nest.is_nested(P(1, 2))
    assert not nest.is_nested(1) and not nest.is_nested(np.array([1]))
    assert not nest.is_nested(tg.constant([1.0]))


def test_pack_sequence_as():
    r = nest.pack_sequence_as({"b": 0, "a": [0, 0]}, [1, 2, 3])
    assert r == {"b": 3, "a": [1, 2]} and list(r) == ["b", "a"]
    assert nest.pack_sequence_as(P(0, [0]), [1, 2]) == P(1, [2])
    assert nest.pack_sequence_as(0, [5]) == 5
    od = nest.pack_sequence_as(collections.OrderedDict([("b", 0), ("a", 0)]), [1, 2])
    assert type(od) is collections.OrderedDict and list(od.items()) == [("b", 2), ("a", 1)]


def test_pack_sequence_as_errors():
    with pytest.raises(TypeError, match="Attempted to pack value:\n  5\ninto a structure, "
                       "but found incompatible type `<class 'int'>` instead."):
        nest.pack_sequence_as(0, 5)
    with pytest.raises(TypeError, match="Attempted to pack value"):
        nest.pack_sequence_as([0], 1)
    with pytest.raises(ValueError) as e:
        nest.pack_sequence_as([0, 0], [1])
    assert str(e.value) == ("Could not pack sequence. Structure had 2 atoms, but "
                            "flat_sequence had 1 items.  Structure: [0, 0], flat_sequence: [1].")
    with pytest.raises(ValueError, match="Structure had 2 atoms, but flat_sequence had 3"):
        nest.pack_sequence_as([0, 0], [1, 2, 3])
    with pytest.raises(ValueError) as e:
        nest.pack_sequence_as(0, [1, 2])
    assert str(e.value) == (
        "The target structure is of type `<class 'int'>`\n  0\nHowever the input is a "
        "sequence (<class 'list'>) of length 2.\n  [1, 2]\nnest cannot guarantee that it "
        "is safe to map one to the other.")


def test_map_structure():
    assert nest.map_structure(lambda a, b: a + b, [1, (2, 3)], [10, (20, 30)]) == [11, (22, 33)]
    r = nest.map_structure(lambda a: a * 2, {"b": 1, "a": 2})
    assert r == {"b": 2, "a": 4} and list(r) == ["b", "a"]
    assert nest.map_structure(lambda a, b: a + b, [1, 2], (1, 2), check_types=False) == [2, 4]
    assert nest.map_structure(lambda a: None, [1, [2]]) == [None, [None]]
    t = nest.map_structure(lambda x: x * 2.0, {"w": tg.constant([1.0, 2.0])})
    np.testing.assert_allclose(t["w"], [2.0, 4.0])


def test_map_structure_errors():
    with pytest.raises(ValueError, match="Must provide at least one structure"):
        nest.map_structure(lambda a: a)
    with pytest.raises(ValueError, match="Only valid keyword arguments are `check_types` and "
                       "`expand_composites`, not: `foo`"):
        nest.map_structure(lambda a: a, [1], foo=1)
    with pytest.raises(ValueError, match="don't have the same number of elements"):
        nest.map_structure(lambda a, b: a + b, [1, 2], [1, 2, 3])
    with pytest.raises(TypeError, match="don't have the same sequence type"):
        nest.map_structure(lambda a, b: a + b, [1, 2], (1, 2))


def test_assert_same_structure():
    assert nest.assert_same_structure([1, (2, 3)], [4, (5, 6)]) is None
    assert nest.assert_same_structure([1, (2, 3)], [4, [5, 6]], check_types=False) is None
    assert nest.assert_same_structure({"a": 1}, collections.OrderedDict(a=1)) is None
    with pytest.raises(ValueError) as e:
        nest.assert_same_structure([1, 2], [1, 2, 3])
    assert str(e.value) == (
        "The two structures don't have the same nested structure.\n\n"
        "First structure: type=list str=[1, 2]\n\n"
        "Second structure: type=list str=[1, 2, 3]\n\n"
        "More specifically: The two structures don't have the same number of elements. "
        "First structure: type=list str=[1, 2]. Second structure: type=list str=[1, 2, 3]\n"
        "Entire first structure:\n[., .]\nEntire second structure:\n[., ., .]")
    with pytest.raises(TypeError) as e:
        nest.assert_same_structure([1, (2, 3)], [4, [5, 6]])
    assert ("More specifically: The two namedtuples don't have the same sequence type. First "
            "structure type=tuple str=(2, 3) has type tuple, while second structure type=list "
            "str=[5, 6] has type list\nEntire first structure:\n[., (., .)]\n"
            "Entire second structure:\n[., [., .]]") in str(e.value)
    with pytest.raises(ValueError) as e:
        nest.assert_same_structure({"a": 1}, {"b": 1})
    assert ("More specifically: The two dictionaries don't have the same set of keys. First "
            "structure has keys type=list str=['a'], while second structure has keys "
            "type=list str=['b']\nEntire first structure:\n{'a': .}") in str(e.value)
    with pytest.raises(ValueError) as e:
        nest.assert_same_structure(1, [1])
    assert ('More specifically: Substructure "type=list str=[1]" is a sequence, while '
            'substructure "type=int str=1" is not\nEntire first structure:\n.\n') in str(e.value)
    with pytest.raises(ValueError, match='Substructure "type=list str=\\[2\\]" is a sequence'):
        nest.assert_same_structure([1, [2]], [1, 2])
    with pytest.raises(TypeError, match="P str=P\\(x=1, y=2\\) has type P, while"):
        nest.assert_same_structure(P(1, 2), (1, 2))
    with pytest.raises(ValueError, match="First structure: type=list str=\\[1\\]. Second "
                       "structure: type=list str=\\[1, 2\\]"):
        nest.assert_same_structure([[1]], [[1, 2]])
