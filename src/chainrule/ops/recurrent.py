"""Whole-sequence recurrences (Elman RNN, LSTM, GRU) as one op per layer and direction.

Each op takes the input sequence x (T, N, in), the initial state(s) (N, H) and the layer's
weights, and runs in three parts:

1. the input term of every time step in one matrix product, x (T·N, in) @ W_ihᵀ + b;
2. the recurrence, a Python loop over time that adds h_{t-1} @ W_hhᵀ, applies the gate
   nonlinearities in place and keeps the activated gates for backward;
3. backward (backpropagation through time) loops back over time, writing each step's
   gate gradient into one (T, N, G·H) array, so that dx, dW_ih, dW_hh and the biases
   each cost ONE product or sum over all time steps at the end.

One graph node per layer and direction, instead of dozens per time step.

Layout.  The hidden states live in one array ``R`` of T + 2 rows: row 1 + t holds h_t
(time order, whatever the direction).  The row on the side where the recurrence starts
holds h0 (row 0 for the forward direction, row T + 1 for the reverse one), so the
previous state of every step is the contiguous block ``R[prev]`` and dW_hh is one product.
The row on the side where it ends is free; the LSTM puts its last cell state c_T there so
that h_0..h_{T-1} and c_T leave the op as one array (a view, no copy):

    forward:  R = [h0, h_0 .. h_{T-1}, c_T]   output R[1:]    (T+1 rows: hs, then c_T)
    reverse:  R = [c_T, h_0 .. h_{T-1}, h0]   output R[:-1]   (T+1 rows: c_T, then hs)

RNN and GRU ops output the T hidden states R[1:T+1].
"""
from chainrule.backend import xp
from chainrule.ops.base import Op


def _sides(T, reverse):
    """Where h0 sits in R, the block of previous states, and the time steps in running order."""
    if reverse:
        return T + 1, slice(2, T + 2), range(T - 1, -1, -1)
    return 0, slice(0, T), range(T)


class _Recurrence(Op):
    """What the three recurrences share: the input projection and the final weight products."""

    def __init__(self, reverse=False):
        self.reverse = reverse

    def _project(self, x, w_ih, bias):
        """z = x @ W_ihᵀ + bias for all T·N rows at once: (T, N, in) -> (T, N, G·H)."""
        T, N, _ = x.shape
        self.x_shape, self.w_ih = x.shape, w_ih
        self.x2d = x.reshape(T * N, x.shape[2])
        z = self.x2d @ w_ih.T
        if bias is not None:
            z += bias
        return z.reshape(T, N, w_ih.shape[0])

    def _parameter_grads(self, dz, dz_h, n_states):
        """dx, dW_ih, dW_hh, db_ih, db_hh from the gradients of the input term (dz) and of the
        hidden term (dz_h), both (T, N, G·H): one product or sum each over every time step."""
        needs = self.needs_input_grad[n_states + 1:]
        T, N, GH = dz.shape
        H = self.w_hh.shape[1]
        dz = dz.reshape(T * N, GH)
        dz_h = dz if dz_h is None else dz_h.reshape(T * N, GH)   # None: the two terms share it
        dx = (dz @ self.w_ih).reshape(self.x_shape) if self.needs_input_grad[0] else None
        grads = [dz.T @ self.x2d if needs[0] else None,
                 dz_h.T @ self.R[self.prev].reshape(T * N, H) if needs[1] else None]
        if self.has_bias:
            db = dz.sum(axis=0) if needs[2] or (needs[3] and dz_h is dz) else None
            db_h = (db.copy() if dz_h is dz else dz_h.sum(axis=0)) if needs[3] else None
            grads += [db if needs[2] else None, db_h]
        return dx, grads


class RNNTanh(_Recurrence):
    """h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh);
    da_t = (dh_t + da_{t+1} W_hh) · (1 - h_t²)  (a: the pre-activation)."""

    relu = False

    def forward(self, x, h0, w_ih, w_hh, b_ih=None, b_hh=None):
        T, N, _ = x.shape
        self.has_bias = b_ih is not None
        z = self._project(x, w_ih, b_ih + b_hh if self.has_bias else None)
        start, self.prev, order = _sides(T, self.reverse)
        R = xp.empty((T + 2, N, w_hh.shape[1]), dtype=z.dtype)
        R[start] = h0
        step = -1 if self.reverse else 1
        w_hh_t = w_hh.T
        for t in order:
            a = z[t]
            a += R[1 + t - step] @ w_hh_t
            if self.relu:
                xp.maximum(a, 0, out=R[1 + t])
            else:
                xp.tanh(a, out=R[1 + t])
        self.R, self.w_hh = R, w_hh
        return R[1:T + 1]

    def backward(self, g):
        T = g.shape[0]
        hs = self.R[1:T + 1]
        if self.relu:
            da = (hs > 0).astype(g.dtype)       # becomes each step's pre-activation gradient
        else:
            da = 1 - hs * hs
        order = range(T) if self.reverse else range(T - 1, -1, -1)
        w_hh = self.w_hh
        dh_next = None
        for t in order:
            dh = g[t] if dh_next is None else g[t] + dh_next
            da[t] *= dh
            dh_next = da[t] @ w_hh
        dx, grads = self._parameter_grads(da, None, 1)
        dh0 = dh_next if self.needs_input_grad[1] else None
        return (dx, dh0, *grads)


class RNNReLU(RNNTanh):
    """h_t = relu(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh);
    da_t = (dh_t + da_{t+1} W_hh) · [h_t > 0]."""

    relu = True


class LSTM(_Recurrence):
    """Gates (i, f, g, o) = (σ, σ, tanh, σ)(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh);
    c_t = f c_{t-1} + i g,  h_t = o tanh(c_t).
    Backward, with dc carried back through time:
    dc = dc_{t+1} f_{t+1} + dh o (1 - tanh² c_t);  di = dc g, df = dc c_{t-1}, dg = dc i,
    do = dh tanh c_t;  each times its activation's derivative (σ' = σ(1-σ), tanh' = 1-tanh²).
    """

    def forward(self, x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None):
        T, N, _ = x.shape
        H = w_hh.shape[1]
        self.has_bias = b_ih is not None
        z = self._project(x, w_ih, b_ih + b_hh if self.has_bias else None)
        # σ(a) = (tanh(a/2) + 1) / 2, so all four gates are one tanh: tanh(a·s)·s + shift
        scale = xp.full((4, H), 0.5, dtype=z.dtype)
        scale[2] = 1
        shift = xp.full((4, H), 0.5, dtype=z.dtype)
        shift[2] = 0
        scale, shift = scale.reshape(4 * H), shift.reshape(4 * H)
        start, self.prev, order = _sides(T, self.reverse)
        R = xp.empty((T + 2, N, H), dtype=z.dtype)
        C = xp.empty((T + 2, N, H), dtype=z.dtype)   # same layout as R: c0 on the start side
        tanh_c = xp.empty((T, N, H), dtype=z.dtype)
        R[start], C[start] = h0, c0
        gates = z.reshape(T, N, 4, H)
        step = -1 if self.reverse else 1
        w_hh_t = w_hh.T
        for t in order:
            a = z[t]
            a += R[1 + t - step] @ w_hh_t
            a *= scale
            xp.tanh(a, out=a)
            a *= scale
            a += shift
            i, f, g, o = gates[t, :, 0], gates[t, :, 1], gates[t, :, 2], gates[t, :, 3]
            c = C[1 + t]
            xp.multiply(f, C[1 + t - step], out=c)
            c += i * g
            xp.tanh(c, out=tanh_c[t])
            xp.multiply(o, tanh_c[t], out=R[1 + t])
        end = 0 if self.reverse else T + 1
        R[end] = C[1 + order[-1]]
        self.R, self.C, self.tanh_c, self.gates, self.w_hh = R, C, tanh_c, gates, w_hh
        return R[:T + 1] if self.reverse else R[1:]

    def backward(self, g):
        T = g.shape[0] - 1
        dhs, dc_last = (g[1:], g[0]) if self.reverse else (g[:T], g[T])
        gates, tanh_c = self.gates, self.tanh_c
        i, f, gg, o = gates[:, :, 0], gates[:, :, 1], gates[:, :, 2], gates[:, :, 3]
        # each gate's derivative (σ' = σ(1-σ), tanh' = (1-tanh)(1+tanh)) times the factor its
        # gradient meets, for all steps at once; the loop then only multiplies by dc or dh
        # (written with out= throughout: fresh arrays of this size cost page faults)
        dz4 = xp.multiply(gates, gates)
        xp.subtract(gates, dz4, out=dz4)                  # σ' = σ - σ² for every gate ...
        dg = dz4[:, :, 2]
        xp.multiply(gg, gg, out=dg)
        xp.subtract(1, dg, out=dg)                        # ... but g's is tanh' = 1 - tanh²
        dz4[:, :, 0] *= gg
        dz4[:, :, 1] *= self.C[self.prev]
        dg *= i
        dz4[:, :, 3] *= tanh_c
        dc_from_h = xp.multiply(tanh_c, tanh_c)
        xp.subtract(1, dc_from_h, out=dc_from_h)
        dc_from_h *= o
        order = range(T) if self.reverse else range(T - 1, -1, -1)
        w_hh = self.w_hh
        dc, dh_next = dc_last, None
        N, H = g.shape[1], g.shape[2]
        for t in order:
            dh = dhs[t] if dh_next is None else dhs[t] + dh_next
            dc = dc + dh * dc_from_h[t]
            step_grad = dz4[t]
            step_grad[:, :3] *= dc[:, None, :]
            step_grad[:, 3] *= dh
            dc = dc * f[t]
            dh_next = step_grad.reshape(N, 4 * H) @ w_hh
        dx, grads = self._parameter_grads(dz4.reshape(T, N, 4 * H), None, 2)
        needs = self.needs_input_grad
        return (dx, dh_next if needs[1] else None, dc if needs[2] else None, *grads)


class GRU(_Recurrence):
    """r, z = σ(x_t W_irᵀ + b_ir + h W_hrᵀ + b_hr), σ(… z …);
    n = tanh(x_t W_inᵀ + b_in + r (h W_hnᵀ + b_hn));  h_t = (1 - z) n + z h_{t-1}.
    Backward: dn = dh (1-z), dz = dh (h_{t-1} - n), dh_{t-1} = dh z + dgh W_hh, where the
    hidden term's gradient dgh equals the input term's for r and z, and is r · da_n for n.
    """

    def forward(self, x, h0, w_ih, w_hh, b_ih=None, b_hh=None):
        T, N, _ = x.shape
        H = w_hh.shape[1]
        self.has_bias = b_ih is not None
        z = self._project(x, w_ih, b_ih)
        start, self.prev, order = _sides(T, self.reverse)
        R = xp.empty((T + 2, N, H), dtype=z.dtype)
        R[start] = h0
        hn = xp.empty((T, N, H), dtype=z.dtype)     # h W_hnᵀ + b_hn, which backward needs
        gates = z.reshape(T, N, 3, H)
        step = -1 if self.reverse else 1
        w_hh_t = w_hh.T
        for t in order:
            h_prev = R[1 + t - step]
            gh = h_prev @ w_hh_t
            if b_hh is not None:
                gh += b_hh
            a = gates[t]
            rz = a[:, :2]
            rz += gh.reshape(N, 3, H)[:, :2]
            rz *= 0.5                              # σ(a) = (tanh(a/2) + 1) / 2
            xp.tanh(rz, out=rz)
            rz *= 0.5
            rz += 0.5
            r, u, n = a[:, 0], a[:, 1], a[:, 2]
            hn[t] = gh[:, 2 * H:]
            n += r * hn[t]
            xp.tanh(n, out=n)
            h = R[1 + t]
            xp.subtract(h_prev, n, out=h)          # h_t = n + z (h_{t-1} - n)
            h *= u
            h += n
        self.R, self.gates, self.hn, self.w_hh = R, gates, hn, w_hh
        return R[1:T + 1]

    def backward(self, g):
        T, N, H = g.shape
        gates = self.gates
        r, u, n = gates[:, :, 0], gates[:, :, 1], gates[:, :, 2]
        # per-step factors, for all steps at once: the loop multiplies them by dh (and da_n)
        dz = xp.empty((T, N, 3, H), dtype=g.dtype)
        xp.multiply(1 - u, 1 - n * n, out=dz[:, :, 2])                          # da_n / dh
        xp.multiply(u * (1 - u), self.R[self.prev] - n, out=dz[:, :, 1])        # da_z / dh
        xp.multiply(r * (1 - r), self.hn, out=dz[:, :, 0])                      # da_r / da_n
        dz_h = xp.empty_like(dz)
        order = range(T) if self.reverse else range(T - 1, -1, -1)
        w_hh = self.w_hh
        dh_next = None
        for t in order:
            dh = g[t] if dh_next is None else g[t] + dh_next
            d = dz[t]
            d[:, 1:] *= dh[:, None, :]
            d[:, 0] *= d[:, 2]
            dh_step = dz_h[t]
            dh_step[:, :2] = d[:, :2]
            xp.multiply(d[:, 2], r[t], out=dh_step[:, 2])
            dh_next = dh_step.reshape(N, 3 * H) @ w_hh
            dh_next += dh * u[t]
        dx, grads = self._parameter_grads(dz.reshape(T, N, 3 * H), dz_h.reshape(T, N, 3 * H), 1)
        return (dx, dh_next if self.needs_input_grad[1] else None, *grads)
