"""Optimizers and learning-rate schedules, with PyTorch's names, defaults and state dicts.

    opt = chainrule.optim.Adam(model.parameters(), lr=1e-3)
    sched = chainrule.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=50)
    for epoch in range(50):
        for x, y in loader:
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
        sched.step()
"""
from chainrule.optim.optimizer import Optimizer
from chainrule.optim.sgd import SGD
from chainrule.optim.rmsprop import RMSprop
from chainrule.optim.adam import Adam, AdamW
from chainrule.optim.adagrad import Adagrad
from chainrule.optim.adadelta import Adadelta
from chainrule.optim import lr_scheduler

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "lr_scheduler"]
