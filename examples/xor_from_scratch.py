"""XOR learned by backpropagation with nothing but the engine.

A 2-4-1 sigmoid network, mean squared error, and a gradient-descent update written by
hand: everything a layer, a loss and an optimizer will later do for you, in plain sight.

    python examples/xor_from_scratch.py
"""
import chainrule as cr

cr.manual_seed(0)
x = cr.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y = cr.tensor([[0.0], [1.0], [1.0], [0.0]])

w1 = cr.randn(2, 4, requires_grad=True)
b1 = cr.zeros(4, requires_grad=True)
w2 = cr.randn(4, 1, requires_grad=True)
b2 = cr.zeros(1, requires_grad=True)
params = [w1, b1, w2, b2]
learning_rate = 2.0

for step in range(1, 3001):
    hidden = (x @ w1 + b1).sigmoid()          # forward: every value is recorded in the graph
    prediction = (hidden @ w2 + b2).sigmoid()
    loss = ((prediction - y) ** 2).mean()

    for p in params:
        p.grad = None
    loss.backward()                            # backward: dloss/dp for every p, by the chain rule

    with cr.no_grad():                         # the update itself must not be recorded
        for p in params:
            p -= learning_rate * p.grad

    if step % 500 == 0:
        print(f"step {step:4d}  loss {loss.item():.5f}")

print("predictions:", prediction.detach().numpy().round(3).ravel().tolist())
