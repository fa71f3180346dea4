"""The model zoo as data: typed transformer shapes (dense and MoE) and their parameter counts."""

from colossim.models.params import ParamCounts, attention_dims, param_counts
from colossim.models.schema import MlaSpec, ModelSpec, MoeSpec
from colossim.models.zoo import Zoo, get_model, load_zoo

__all__ = [
    "MlaSpec",
    "ModelSpec",
    "MoeSpec",
    "ParamCounts",
    "Zoo",
    "attention_dims",
    "get_model",
    "load_zoo",
    "param_counts",
]
