"""Batches of sequences of different lengths, as ``torch.nn.utils.rnn``.

``pad_sequence`` stacks sequences into one padded tensor; ``pack_padded_sequence`` turns a
padded batch into a ``PackedSequence``: the valid steps only, time step by time step, each
step holding the sequences still running at it (longest first).  RNN, LSTM and GRU take a
PackedSequence and never look at the padding, so the final state of each sequence is the one
after its own last step.  ``pad_packed_sequence`` turns the result back into a padded tensor.

Every function moves rows with one fancy index (no loop over sequences), and is
differentiable: gradients flow from the packed or padded result back to the sequences.
"""
import collections

from chainrule.backend import xp
from chainrule.creation import full
from chainrule.functions import cat
from chainrule.tensor import Tensor, as_array

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "pack_sequence", "unpad_sequence", "unpack_sequence"]


class PackedSequence(collections.namedtuple(
        "PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"],
        defaults=(None, None))):
    """The valid time steps of a batch of sequences, packed (see the module docstring).

    data (sum of lengths, *): step 0 of every sequence, then step 1 of those still running, ...,
    sequences ordered longest first; batch_sizes (int64, one per step): how many sequences run
    at that step; sorted_indices: the batch position of each packed column (None when the
    batch was already sorted); unsorted_indices: its inverse.
    """

    __slots__ = ()

    @property
    def is_cuda(self):
        return False

    def to(self, *args, **kwargs):
        """The same packing with ``data.to(...)`` (indices stay int64)."""
        return self._replace(data=self.data.to(*args, **kwargs))

    def float(self):
        return self._replace(data=self.data.float())

    def double(self):
        return self._replace(data=self.data.double())

    def is_pinned(self):
        return False


def _index_array(values, what, where):
    array = values.data if isinstance(values, Tensor) else as_array(values, copy=False, op=where)
    array = xp.asarray(array)
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise ValueError(f"{where}: {what} must be a 1-d sequence of integers, got shape "
                         f"{array.shape} and dtype {array.dtype}")
    return array.astype(xp.int64)


def _check_sequences(sequences, where):
    sequences = list(sequences)
    if not sequences:
        raise ValueError(f"{where}: received an empty list of sequences")
    for i, s in enumerate(sequences):
        if not isinstance(s, Tensor):
            raise TypeError(f"{where}: sequence {i} is a {type(s).__name__}, not a Tensor")
        if s.ndim == 0 or s.shape[1:] != sequences[0].shape[1:]:
            raise ValueError(f"{where}: every sequence must be (L, *) with the same trailing "
                             f"shape; sequence 0 has shape {sequences[0].shape}, sequence {i} "
                             f"has {s.shape}")
    return sequences


def _rows_with_padding(data, index, padding_value):
    """data[index] along dim 0, where index == len(data) picks a row of ``padding_value``."""
    pad_row = full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype)
    return cat([data, pad_row])[index]


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences (L_i, *) into one tensor (L_max, B, *) ((B, L_max, *) if ``batch_first``),
    filling the steps after (``padding_side='right'``) or before ('left') each with
    ``padding_value``.

    >>> pad_sequence([chainrule.ones(3), chainrule.ones(1)]).tolist()
    [[1.0, 1.0], [1.0, 0.0], [1.0, 0.0]]
    """
    where = "pad_sequence"
    if padding_side not in ("left", "right"):
        raise ValueError(f"{where}: padding_side must be 'left' or 'right', got {padding_side!r}")
    sequences = _check_sequences(sequences, where)
    lengths = xp.array([s.shape[0] for s in sequences], dtype=xp.int64)
    longest = int(lengths.max())
    step = xp.arange(longest)[None, :]                        # (1, L_max)
    if padding_side == "right":
        valid = step < lengths[:, None]                      # (B, L_max)
    else:
        valid = step >= longest - lengths[:, None]
    index = xp.full(valid.shape, int(lengths.sum()), dtype=xp.int64)
    index[valid] = xp.arange(int(lengths.sum()))             # row-major: sequence by sequence
    padded = _rows_with_padding(cat(sequences), index, padding_value)   # (B, L_max, *)
    return padded if batch_first else padded.transpose(0, 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of sequences (L_i, *) held in a right-padded batch; the inverse of pad_sequence."""
    lengths = _index_array(lengths, "lengths", "unpad_sequence")
    batch = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [batch[i, :int(n)] for i, n in enumerate(lengths)]


def _sorting(lengths, enforce_sorted, where):
    if enforce_sorted:
        if (lengths[:-1] < lengths[1:]).any():
            raise RuntimeError(f"{where}: lengths {lengths.tolist()} are not sorted in decreasing "
                               "order; sort them, or pass enforce_sorted=False")
        return None, None
    sorted_indices = xp.argsort(-lengths, kind="stable")
    unsorted_indices = xp.empty_like(sorted_indices)
    unsorted_indices[sorted_indices] = xp.arange(sorted_indices.size)
    return Tensor(sorted_indices), Tensor(unsorted_indices)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T, B, *) ((B, T, *) if ``batch_first``) whose sequence b has
    ``lengths[b]`` valid steps.  With ``enforce_sorted`` the lengths must be decreasing;
    otherwise the batch is sorted here and the order is kept in the PackedSequence.
    """
    where = "pack_padded_sequence"
    lengths = _index_array(lengths, "lengths", where)
    if input.ndim < 2:
        raise ValueError(f"{where}: input must be at least 2-d (T, B, *), got shape {input.shape}")
    steps_dim, batch_dim = (1, 0) if batch_first else (0, 1)
    if lengths.size != input.shape[batch_dim]:
        raise ValueError(f"{where}: expected {input.shape[batch_dim]} lengths (the batch size "
                         f"of input of shape {input.shape}), got {lengths.size}")
    if lengths.size and lengths.min() <= 0:
        raise RuntimeError(f"{where}: every length must be > 0, got {lengths.tolist()}")
    if lengths.size and lengths.max() > input.shape[steps_dim]:
        raise RuntimeError(f"{where}: length {int(lengths.max())} is longer than the "
                           f"{input.shape[steps_dim]} steps of input of shape {input.shape}")
    sorted_indices, unsorted_indices = _sorting(lengths, enforce_sorted, where)
    order = xp.arange(lengths.size) if sorted_indices is None else sorted_indices.data
    sorted_lengths = lengths[order]
    running = xp.arange(int(sorted_lengths[0]))[:, None] < sorted_lengths[None, :]  # (T, B)
    steps, columns = xp.nonzero(running)                   # time-major: the packed order
    rows = (steps, order[columns]) if not batch_first else (order[columns], steps)
    batch_sizes = Tensor(running.sum(axis=1).astype(xp.int64))
    return PackedSequence(input[rows], batch_sizes, sorted_indices, unsorted_indices)


def _packed_lengths(batch_sizes):
    """Each packed column's length: how many steps have a batch wider than the column."""
    return (batch_sizes[None, :] > xp.arange(int(batch_sizes[0]))[:, None]).sum(axis=1)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Unpack a PackedSequence into (padded (T, B, *) or (B, T, *), lengths (B,) int64), both
    in the batch's original order; ``total_length`` pads to that many steps.
    """
    where = "pad_packed_sequence"
    batch_sizes = _index_array(sequence.batch_sizes, "batch_sizes", where)
    sorted_lengths = _packed_lengths(batch_sizes)
    longest = batch_sizes.size
    if total_length is not None:
        if total_length < longest:
            raise ValueError(f"{where}: expected total_length to be at least the length of the "
                             f"longest sequence ({longest}), got {total_length}")
        longest = int(total_length)
    running = xp.arange(longest)[:, None] < sorted_lengths[None, :]        # (T, B), sorted
    index = xp.full(running.shape, sequence.data.shape[0], dtype=xp.int64)
    index[running] = xp.arange(sequence.data.shape[0])
    lengths = sorted_lengths
    if sequence.sorted_indices is not None:       # columns back to the batch's own order
        unsorted = _index_array(sequence.unsorted_indices, "unsorted_indices", where)
        index, lengths = index[:, unsorted], sorted_lengths[unsorted]
    padded = _rows_with_padding(sequence.data, index.T if batch_first else index, padding_value)
    return padded, Tensor(lengths.astype(xp.int64))


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of sequences (L_i, *): ``pack_padded_sequence(pad_sequence(...), lengths)``."""
    sequences = _check_sequences(sequences, "pack_sequence")
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences (L_i, *) held in a PackedSequence, in the batch's order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
