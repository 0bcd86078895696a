"""Keras's ``models``: ``Sequential`` (the same class as ``chainrule.nn.Sequential``), and
whole-model files with ``model.save(path)`` / ``load_model(path)``.

    from chainrule import layers, models
    model = models.Sequential([layers.Dense(512, activation="relu", input_shape=(784,)),
                               layers.Dense(10, activation="softmax")])
    model.compile("rmsprop", "categorical_crossentropy", metrics=["accuracy"])
    model.save("mnist.safetensors")
    same = models.load_model("mnist.safetensors")
"""
from chainrule.nn.container import Sequential
from chainrule.models.config import UndescribableModelError, model_from_config, model_to_config
from chainrule.models.saving import load_model, save_model
from chainrule.models.functional import Model  # functional API and subclassing

__all__ = ["Sequential", "UndescribableModelError", "load_model", "model_from_config",
           "model_to_config", "save_model", "Model"]
