"""A character-level LSTM language model that learns to write like Shakespeare.

The model reads characters and predicts the next one: Embedding -> LSTM -> Linear, trained
with cross-entropy (in nats per character) by truncated backpropagation through time on
random windows of the 300 KB slice of tiny Shakespeare shipped with chainrule, Adam and
gradient clipping.  A model that only knew how often each character occurs would score the
text's unigram entropy (about 3.3 nats); the LSTM goes well below it by learning spelling,
words and the layout of a play, then writes some text of its own from a prompt.

    python examples/char_lstm.py [--steps 1000] [--seed 0] [--sample-length 400] [--temperature 0.8]
    CHAINRULE_DATA=/path/to/data python examples/char_lstm.py --full-text
"""
import argparse
import time

import numpy as np

import chainrule as cr
from chainrule import nn, optim
from chainrule.datasets import shakespeare
from chainrule.nn import functional as F


class CharLSTM(nn.Module):
    """Next-character logits for every position of a batch of character-index sequences."""

    def __init__(self, vocab_size, embedding_dim, hidden_size, num_layers):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_size, num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, tokens, state=None):
        """tokens (N, L) int64 -> logits (N, L, vocab), and the LSTM's final (h, c)."""
        output, state = self.lstm(self.embed(tokens), state)
        return self.head(output), state


def unigram_entropy(codes, vocab_size):
    """-Σ p log p of the character frequencies, in nats: the loss of a model without context."""
    p = np.bincount(codes, minlength=vocab_size) / len(codes)
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def random_windows(codes, batch_size, seq_len, rng):
    """Inputs (N, L) and their next characters (N, L), from N windows at random offsets."""
    starts = rng.integers(0, len(codes) - seq_len - 1, size=batch_size)
    windows = codes[starts[:, None] + np.arange(seq_len + 1)]
    return windows[:, :-1], windows[:, 1:]


def loss_of(model, inputs, targets):
    logits, _ = model(cr.tensor(inputs))
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), cr.tensor(targets.reshape(-1)))


def evaluate(model, codes, seq_len, batches=8, batch_size=64, seed=1):
    """Mean cross-entropy (nats per character) over random windows of held-out text."""
    rng = np.random.default_rng(seed)
    model.eval()
    with cr.no_grad():
        losses = [loss_of(model, *random_windows(codes, batch_size, seq_len, rng)).item()
                  for _ in range(batches)]
    model.train()
    return float(np.mean(losses))


def sample(model, prompt, length, temperature, chars, rng):
    """``length`` characters after ``prompt``, each drawn from softmax(logits / temperature)."""
    index = {c: i for i, c in enumerate(chars)}
    model.eval()
    with cr.no_grad():
        logits, state = model(cr.tensor([[index[c] for c in prompt]]))
        written = []
        for _ in range(length):
            scaled = logits.numpy()[0, -1].astype(np.float64) / temperature
            p = np.exp(scaled - scaled.max())
            code = int(rng.choice(len(chars), p=p / p.sum()))
            written.append(chars[code])
            logits, state = model(cr.tensor([[code]]), state)
    model.train()
    return "".join(written)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000, help="training steps (batches)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seq-len", type=int, default=64, help="characters per window (BPTT length)")
    parser.add_argument("--hidden-size", type=int, default=256)
    parser.add_argument("--embedding-dim", type=int, default=64)
    parser.add_argument("--num-layers", type=int, default=1)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--clip", type=float, default=1.0, help="max gradient norm")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--full-text", action="store_true",
                        help="train on the whole 1.1 MB text, found in $CHAINRULE_DATA/shakespeare/")
    parser.add_argument("--prompt", default="ROMEO:\n")
    parser.add_argument("--sample-length", type=int, default=400)
    parser.add_argument("--temperature", type=float, default=0.8)
    parser.add_argument("--print-every", type=int, default=100)
    return parser.parse_args(argv)


def main(argv=None):
    """Train, report, and write; returns the losses, the unigram entropy and the sample."""
    args = parse_args(argv)
    cr.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    text = shakespeare.load_data(full=args.full_text)
    chars = sorted(set(text))
    unknown = sorted(set(args.prompt) - set(chars))
    if unknown:
        raise SystemExit(f"char_lstm: the prompt has characters the text never uses: {unknown}")
    codes = np.searchsorted(np.array(chars), np.array(list(text))).astype(np.int64)
    split = int(0.9 * len(codes))
    train_codes, held_out = codes[:split], codes[split:]
    entropy = unigram_entropy(train_codes, len(chars))
    print(f"{len(text):,} characters, {len(chars)} distinct; unigram entropy {entropy:.3f} nats/char")

    model = CharLSTM(len(chars), args.embedding_dim, args.hidden_size, args.num_layers)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    losses, start = [], time.perf_counter()
    for step in range(1, args.steps + 1):
        loss = loss_of(model, *random_windows(train_codes, args.batch_size, args.seq_len, rng))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        optimizer.step()
        losses.append(loss.item())
        if step % args.print_every == 0 or step == args.steps:
            recent = np.mean(losses[-args.print_every:])
            print(f"step {step:5d}  loss {recent:.3f} nats/char  {time.perf_counter() - start:6.1f} s")
    seconds = time.perf_counter() - start
    held_out_loss = evaluate(model, held_out, args.seq_len)
    print(f"held-out loss {held_out_loss:.3f} nats/char (unigram entropy {entropy:.3f})")

    written = sample(model, args.prompt, args.sample_length, args.temperature, chars, rng)
    print(f"--- sample (temperature {args.temperature}) ---\n{args.prompt}{written}")
    return {"losses": losses, "unigram_entropy": entropy, "held_out_loss": held_out_loss,
            "sample": written, "vocab": chars, "seconds": seconds}


if __name__ == "__main__":
    main()
