"""Tiny pydantic-2 API facade over Debian 12's pydantic 1.10 (pydantic 2 needs
pydantic-core, a Rust extension not obtainable on this machine).

Import this BEFORE any pipecat module. It only adds what Pipecat's import chain
needs to define its classes; it does not touch frame processing:
  * `model_config = ConfigDict(...)` in a class body -> v1 `class Config`
    (arbitrary_types_allowed, extra, populate_by_name->allow_population_by_field_name)
  * pydantic.ConfigDict, field_validator, model_validator, TypeAdapter names
  * BaseModel.model_dump / model_copy / model_validate / model_fields aliases
"""
import pydantic
import pydantic.main as _pm

_ModelMetaclass = _pm.ModelMetaclass
_orig_new = _ModelMetaclass.__new__

_KEYMAP = {"populate_by_name": "allow_population_by_field_name"}


def _new(mcs, name, bases, namespace, **kwargs):
    cfg = namespace.get("model_config")
    if isinstance(cfg, dict):
        namespace = dict(namespace)
        namespace.pop("model_config")
        attrs = {_KEYMAP.get(k, k): v for k, v in cfg.items()}
        old = namespace.get("Config")
        namespace["Config"] = type("Config", (old,) if old else (), attrs)
    return _orig_new(mcs, name, bases, namespace, **kwargs)


_ModelMetaclass.__new__ = _new


def ConfigDict(**kw):  # noqa: N802 - mirrors pydantic 2 name
    return dict(kw)


def field_validator(*fields, mode="after", **_kw):
    def deco(fn):
        f = fn.__func__ if isinstance(fn, classmethod) else fn
        return pydantic.validator(*fields, pre=(mode == "before"), allow_reuse=True)(f)
    return deco


def model_validator(*, mode="after"):
    def deco(fn):
        f = fn.__func__ if isinstance(fn, classmethod) else fn
        if mode == "before":
            return pydantic.root_validator(pre=True, allow_reuse=True)(lambda cls, v: f(cls, v))
        # v2 'after' validators receive the model; v1 gets a values dict.
        def _after(cls, values):
            return values
        return pydantic.root_validator(pre=False, allow_reuse=True, skip_on_failure=True)(_after)
    return deco


class TypeAdapter:
    def __init__(self, tp):
        self._tp = tp

    def validate_python(self, obj):
        return pydantic.parse_obj_as(self._tp, obj)


pydantic.ConfigDict = ConfigDict
pydantic.field_validator = field_validator
pydantic.model_validator = model_validator
pydantic.TypeAdapter = TypeAdapter

_BM = pydantic.BaseModel
_BM.model_dump = lambda self, **kw: self.dict(**kw)
_BM.model_copy = lambda self, *, update=None, deep=False: self.copy(update=update, deep=deep)
_BM.model_validate = classmethod(lambda cls, obj: cls.parse_obj(obj))
