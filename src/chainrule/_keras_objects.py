"""What Keras-style objects (initializers, regularizers, optimizers) share: a config of their
constructor's arguments, a repr made from it, and the ``{'class_name', 'config'}`` dicts that
model files store them as."""


class Configurable:
    """An object rebuilt from ``get_config()``: ``type(obj).from_config(obj.get_config())``."""

    def get_config(self):
        """The constructor's arguments, as a dict of plain values."""
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


def from_class_config(identifier, classes, kind):
    """The object that ``{'class_name': ..., 'config': ...}`` describes, one of ``classes``
    (name -> class); ``kind`` ('initializer', ...) names it in the error for an unknown class."""
    cls = classes.get(identifier["class_name"])
    if cls is None:
        raise ValueError(f"Unknown {kind} class {identifier['class_name']!r}; known: "
                         f"{', '.join(sorted(classes))}")
    return cls.from_config(identifier.get("config", {}))


def serialize(obj, base, classes):
    """A ``{'class_name', 'config'}`` dict for a ``base`` object whose class is in ``classes``;
    any other (a custom function) by its ``__name__``."""
    if isinstance(obj, base) and type(obj).__name__ in classes:
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    return getattr(obj, "__name__", type(obj).__name__)
