"""_recipe.py - condmap.Recipe: which tensors of a model get which scheme,
over a dict of NumPy arrays (a state dict) or a safetensors file; and
condmap.restore_checkpoint().
"""
from __future__ import annotations

import ctypes
import os
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _lib
from ._errors import take_error as _take_error
from ._lib import lib
from ._runtime import Runtime, _Handle

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy.typing as npt

    from . import Converter

__all__ = ["Recipe", "restore_checkpoint"]

_PLANE_DTYPES = {None: 0, "f64": 1, "f32": 2, "f16": 3}


class Recipe(_Handle):
    """A recipe: a default config and rules (globs on tensor names; the
    first match wins) that say which tensors of a model are converted with
    which config and which stay digital.

    Make one with Recipe.from_file(runtime, path), Recipe.from_yaml() or
    Recipe.for_config(); then to_conductances() converts a state dict and
    to_weights() turns the planes back, and convert_checkpoint() converts
    a safetensors file as `condmap convert -r` does.  The default applies
    to floating tensors of rank >= 2 that no rule matches; other tensors
    pass through unless a rule names them.  See docs/checkpoints.md.
    """

    _runtime: Runtime
    _converters: dict

    def __init__(self, *args: object, **kwargs: object) -> None:
        """Not for use: make a Recipe with from_file(), from_yaml() or
        for_config()."""
        raise TypeError("condmap: use Recipe.from_file(), Recipe.from_yaml() "
                        "or Recipe.for_config()")

    @classmethod
    def _new(cls, runtime: Runtime, create: Any) -> Recipe:
        if not isinstance(runtime, Runtime):
            raise TypeError("condmap: runtime must be a condmap.Runtime, "
                            "not %s" % type(runtime).__name__)
        _declare()
        err = _lib.GErrorP()
        ptr = create(runtime._handle(), ctypes.byref(err))
        if not ptr:
            raise _take_error(err)
        self = object.__new__(cls)
        self._own(ptr, lib.condmap_recipe_free)
        self._runtime = runtime
        self._converters = {}
        return self

    @classmethod
    def from_file(cls, runtime: Runtime,
                  path: str | bytes | os.PathLike) -> Recipe:
        """Loads a recipe file (format condmap-recipe/1).

        Config paths in it are relative to the recipe.  Every config is
        loaded and checked now.

        Raises:
            condmap.Error: IO, PARSE, CONFIG, UNKNOWN_KEY (with a
                did-you-mean) or the errors of a config it names, with
                file, line and column.
        """
        cpath = os.fsencode(path)
        return cls._new(runtime, lambda rt, err:
                        lib.condmap_recipe_new_from_file(rt, cpath, err))

    @classmethod
    def from_yaml(cls, runtime: Runtime, text: str | bytes,
                  origin: str | bytes | os.PathLike | None = None
                  ) -> Recipe:
        """Loads a recipe from YAML text.

        origin names it in messages and is the base of relative config
        paths (None: "<recipe>").  Raises condmap.Error as from_file()."""
        data = text.encode() if isinstance(text, str) else bytes(text)
        org = os.fsencode(origin) if origin is not None else None
        return cls._new(runtime, lambda rt, err:
                        lib.condmap_recipe_new_from_yaml(rt, data, len(data),
                                                         org, err))

    @classmethod
    def for_config(cls, runtime: Runtime,
                   config: str | bytes | os.PathLike | None = None
                   ) -> Recipe:
        """A recipe without rules whose default is the config file
        config, or single-pair with aihwkit's defaults if it is None (as
        `condmap convert -c` and neither)."""
        cpath = os.fsencode(config) if config is not None else None
        return cls._new(runtime, lambda rt, err:
                        lib.condmap_recipe_new_for_config(rt, cpath, err))

    @property
    def rules(self) -> list[tuple[str, int, bool]]:
        """The rules as (glob, line in the recipe, whether a tensor has
        matched it yet), for a warning about rules that match nothing."""
        out = []
        for i in range(lib.condmap_recipe_get_n_rules(self._handle())):
            line, used = ctypes.c_uint(), ctypes.c_int()
            pattern = lib.condmap_recipe_get_rule(
                self._handle(), i, ctypes.byref(line), ctypes.byref(used))
            out.append((pattern.decode(), line.value, bool(used.value)))
        return out

    def choose(self, name: str, w: npt.ArrayLike) -> Converter | None:
        """The converter for tensor name with the shape and dtype of w,
        or None if it passes through (also an empty tensor).

        Raises:
            TypeError: a rule converts a tensor that is not floating.
        """
        from . import Converter

        a = np.asarray(w)
        floating = a.dtype.kind == "f"
        rule = ctypes.c_int()
        ptr = lib.condmap_recipe_choose(self._handle(), name.encode(),
                                        a.ndim, floating, ctypes.byref(rule))
        if not ptr:
            return None
        if not floating:
            raise TypeError("condmap: tensor %r is %s, but rule %d of the "
                            "recipe converts it: only floating tensors can "
                            "be converted; add {match: %r, skip: true} "
                            "before it" % (name, a.dtype, rule.value + 1,
                                           name))
        if a.size == 0:
            return None
        key = ctypes.cast(ptr, ctypes.c_void_p).value
        if key not in self._converters:
            self._converters[key] = Converter._borrow(self._runtime, ptr,
                                                      self)
        return self._converters[key]

    def to_conductances(self, state_dict: Mapping[str, npt.ArrayLike]
                        ) -> tuple[dict[str, dict[str, np.ndarray]],
                                   dict[str, dict[str, float]]]:
        """Converts every tensor of a state dict the recipe converts.

        Args:
            state_dict: {name: array}, as {k: v.numpy() for k, v in
                model.state_dict().items()} gives.  float16 tensors are
                widened to float32, as the command does.

        Returns:
            (planes_by_tensor, params): {name: {plane name: array}} and
            {name: {param: float}} for the converted tensors only; the
            others pass through (they are not in either dict).  Each
            tensor's planes are those of converting it alone, bit for bit.

        Raises:
            TypeError: a rule converts a tensor that is not floating.
            condmap.Error: INPUT for non-finite weights.
        """
        planes_by_tensor, params = {}, {}
        for name, w in state_dict.items():
            conv = self.choose(name, w)
            if conv is None:
                continue
            planes, p = conv.to_conductances(w)
            planes_by_tensor[name] = dict(zip(conv.plane_names, planes))
            params[name] = p
        return planes_by_tensor, params

    def to_weights(self, planes_by_tensor: Mapping[str, Mapping[str,
                                                                npt.ArrayLike]],
                   params: Mapping[str, Mapping[str, float]],
                   state_dict: Mapping[str, npt.ArrayLike] | None = None
                   ) -> dict[str, np.ndarray]:
        """Turns planes (as written, or measured) back into weights.

        Args:
            planes_by_tensor: {name: {plane name: array}}, as
                to_conductances() returns.
            params: {name: {param: float}}, as to_conductances() returns.
            state_dict: None, or the original state dict: then the result
                holds every tensor of it, in its order, the converted ones
                rounded back to their dtype (float16 to nearest even) and
                the others as they are.

        Returns:
            {name: array}: the restored weights.

        Raises:
            KeyError: a tensor lacks planes or params.
            ValueError: a plane is missing or of another shape.
            condmap.Error: as Converter.to_weights().
        """
        def restore(name: str, like: Any) -> np.ndarray:
            conv = self.choose(name, like)
            planes = planes_by_tensor[name]
            missing = [p for p in conv.plane_names if p not in planes]
            if missing:
                raise ValueError("condmap: tensor %r lacks plane(s) %s"
                                 % (name, ", ".join(missing)))
            return conv.to_weights([planes[p] for p in conv.plane_names],
                                   params[name])

        if state_dict is None:
            return {name: restore(name, next(iter(planes.values())))
                    for name, planes in planes_by_tensor.items()}
        out = {}
        for name, w in state_dict.items():
            a = np.asarray(w)
            out[name] = (restore(name, a).astype(a.dtype)
                         if name in planes_by_tensor else a)
        return out

    def convert_checkpoint(self, model: str | bytes | os.PathLike,
                           outdir: str | bytes | os.PathLike,
                           force: bool = False, npy: bool = False,
                           plane_dtype: str | None = None) -> None:
        """Converts a safetensors checkpoint into an output directory, as
        `condmap convert -r` does: planes.safetensors (or NAME/PLANE.npy
        with npy), passthrough.safetensors and params.yaml, one tensor in
        memory at a time, built atomically.

        Args:
            model: the .safetensors file.
            outdir: the directory to create.
            force: replace an existing directory once the new one is done.
            npy: write NAME/PLANE.npy files instead of planes.safetensors.
            plane_dtype: "f16", "f32" or "f64", or None for the default
                (f64 for F64 tensors, f32 for the others).

        Raises:
            ValueError: another plane_dtype.
            condmap.Error: FORMAT (a damaged checkpoint, naming the
                tensor), EXISTS, INPUT, IO.
        """
        if plane_dtype not in _PLANE_DTYPES:
            raise ValueError("condmap: plane_dtype must be \"f16\", \"f32\", "
                             "\"f64\" or None, not %r" % (plane_dtype,))
        flags = (1 if force else 0) | (2 if npy else 0)
        err = _lib.GErrorP()
        if not lib.condmap_checkpoint_convert(
                self._handle(), os.fsencode(model), os.fsencode(outdir),
                flags, _PLANE_DTYPES[plane_dtype], None, None,
                ctypes.byref(err)):
            raise _take_error(err)

    def __repr__(self) -> str:
        state = " closed" if self.closed else ""
        return "<condmap.Recipe rules=%d%s>" % (
            0 if self.closed else lib.condmap_recipe_get_n_rules(
                self._handle()), state)


def restore_checkpoint(outdir: str | bytes | os.PathLike,
                       output: str | bytes | os.PathLike,
                       runtime: Runtime | None = None) -> None:
    """Rebuilds a whole checkpoint from an output directory of
    Recipe.convert_checkpoint() (or `condmap convert -r`), as `condmap
    restore` does: every tensor in its order, name, shape and dtype, the
    tensors that passed through and the metadata; the planes may be
    measured ones.  Written atomically.

    Raises:
        condmap.Error: FORMAT (a damaged params.yaml, naming the line),
            INPUT (a plane of another shape or dtype, naming the tensor),
            IO.
    """
    if runtime is None:
        with Runtime() as rt:
            return restore_checkpoint(outdir, output, rt)
    _declare()
    err = _lib.GErrorP()
    if not lib.condmap_checkpoint_restore(
            runtime._handle(), os.fsencode(outdir), os.fsencode(output),
            None, None, ctypes.byref(err)):
        raise _take_error(err)
    return None


class _RecipeC(ctypes.Structure):
    pass


_RecipeP = ctypes.POINTER(_RecipeC)
_declared = False


def _declare() -> None:
    """Declares the recipe and checkpoint functions on first use."""
    global _declared
    if _declared:
        return
    c = _lib.load()[0]
    err = ctypes.POINTER(_lib.GErrorP)
    d = _lib._declare
    d(c, "condmap_recipe_new_from_file", _RecipeP, _lib.RuntimeP,
      ctypes.c_char_p, err)
    d(c, "condmap_recipe_new_from_yaml", _RecipeP, _lib.RuntimeP,
      ctypes.c_char_p, ctypes.c_ssize_t, ctypes.c_char_p, err)
    d(c, "condmap_recipe_new_for_config", _RecipeP, _lib.RuntimeP,
      ctypes.c_char_p, err)
    d(c, "condmap_recipe_free", None, _RecipeP)
    d(c, "condmap_recipe_choose", _lib.ConverterP, _RecipeP,
      ctypes.c_char_p, ctypes.c_uint, ctypes.c_int,
      ctypes.POINTER(ctypes.c_int))
    d(c, "condmap_recipe_get_n_rules", ctypes.c_size_t, _RecipeP)
    d(c, "condmap_recipe_get_rule", ctypes.c_char_p, _RecipeP,
      ctypes.c_size_t, ctypes.POINTER(ctypes.c_uint),
      ctypes.POINTER(ctypes.c_int))
    d(c, "condmap_checkpoint_convert", ctypes.c_int, _RecipeP,
      ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int,
      ctypes.c_void_p, ctypes.c_void_p, err)
    d(c, "condmap_checkpoint_restore", ctypes.c_int, _lib.RuntimeP,
      ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p,
      err)
    _declared = True
