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
from chainrule.optim.adamax import Adamax
from chainrule.optim.nadam import NAdam
from chainrule.optim.radam import RAdam
from chainrule.optim.rprop import Rprop
from chainrule.optim.asgd import ASGD
from chainrule.optim import lr_scheduler

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "NAdam",
           "RAdam", "Rprop", "ASGD", "lr_scheduler"]
