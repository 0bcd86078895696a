"""A Derivation written out for people: a plain-text table, Markdown, or LaTeX.

The document is built once as sections of notes and tables, with every formula spelled by a
``Notation`` (Unicode for text and Markdown, LaTeX commands for LaTeX); the three writers
only lay the sections out.  Symbols: zˡⱼ is the pre-activation of unit j in layer l,
aˡⱼ = f(zˡⱼ) its activation (a⁰ = x, the last a = ŷ), wˡᵢⱼ the weight from unit i of layer
l-1 to unit j of layer l, bˡⱼ its bias, δˡⱼ = ∂L/∂zˡⱼ its error signal.
"""
_SUB = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉,")
_SUP = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")
FORMATS = ("text", "markdown", "latex")
_MAX_EXPANDED = 6  # sums with more terms are written Σ, without every product spelled out


class Unicode:
    """Formulas in Unicode: z¹₁ = w¹₁₁·x₁ + ..., for the terminal and Markdown."""

    dot, eta, sum, half, minus = " · ", "η", "Σ", "½", "-"

    def sym(self, base, layer=None, *indices):
        sub = ("," if any(isinstance(i, int) and i > 9 for i in indices) else "").join(str(i) for i in indices)
        sup = "" if layer is None else str(layer).translate(_SUP)
        return base + sup + sub.translate(_SUB)

    def hat_y(self, k):
        return "ŷ" + str(k).translate(_SUB)

    def dL(self, inner):
        return "∂L/∂" + inner

    def squared(self, inner):
        return f"({inner})²"

    def function(self, activation, argument):
        return {"sigmoid": f"σ({argument})", "tanh": f"tanh({argument})",
                "relu": f"ReLU({argument})", "identity": argument}[activation]

    def slope_name(self, activation, argument):
        return {"sigmoid": f"σ'({argument})", "tanh": f"tanh'({argument})",
                "relu": f"ReLU'({argument})", "identity": "1"}[activation]

    def slope_rule(self, activation, a, z):
        return {"sigmoid": f"{a}(1 - {a})", "tanh": f"1 - {a}²", "relu": f"[{z} > 0]",
                "identity": "1"}[activation]

    def mean(self, count):
        return self.half if count == 2 else f"(1/{count})"

    def sum_over(self, index):
        return "Σ" + index.translate(str.maketrans("jkn", "ⱼₖₙ"))

    def log(self, argument):
        return f"log {argument}"

    def softmax(self, layer, j):
        z = self.sym("z", layer)
        return f"exp({self.sym('z', layer, j)}) / Σₖ exp({z}ₖ)"

    def math(self, text):
        return text


class Latex(Unicode):
    """The same formulas in LaTeX math: z^{(1)}_{1} = w^{(1)}_{11} x_{1} + ..."""

    dot, eta, sum, half, minus = r" \cdot ", r"\eta", r"\sum", r"\tfrac{1}{2}", "-"

    def sym(self, base, layer=None, *indices):
        base = {"δ": r"\delta", "ŷ": r"\hat{y}"}.get(base, base)
        sub = ("," if any(isinstance(i, int) and i > 9 for i in indices) else "").join(str(i) for i in indices)
        sup = "" if layer is None else f"^{{({layer})}}"
        return f"{base}{sup}_{{{sub}}}" if sub else base + sup

    def hat_y(self, k):
        return rf"\hat{{y}}_{{{k}}}"

    def dL(self, inner):
        return rf"\frac{{\partial L}}{{\partial {inner}}}"

    def squared(self, inner):
        return f"({inner})^2"

    def function(self, activation, argument):
        return {"sigmoid": rf"\sigma({argument})", "tanh": rf"\tanh({argument})",
                "relu": rf"\mathrm{{ReLU}}({argument})", "identity": argument}[activation]

    def slope_name(self, activation, argument):
        return {"sigmoid": rf"\sigma'({argument})", "tanh": rf"\tanh'({argument})",
                "relu": rf"\mathrm{{ReLU}}'({argument})", "identity": "1"}[activation]

    def slope_rule(self, activation, a, z):
        return {"sigmoid": f"{a}(1 - {a})", "tanh": f"1 - ({a})^2", "relu": f"[{z} > 0]",
                "identity": "1"}[activation]

    def mean(self, count):
        return self.half if count == 2 else rf"\tfrac{{1}}{{{count}}}"

    def sum_over(self, index):
        return rf"\sum_{{{index}}}"

    def log(self, argument):
        return rf"\log {argument}"

    def softmax(self, layer, j):
        return rf"e^{{{self.sym('z', layer, j)}}} / \sum_k e^{{{self.sym('z', layer, 'k')}}}"

    def math(self, text):
        return f"${text}$"


class Table:
    def __init__(self, header, rows):
        self.header, self.rows = header, rows


class Section:
    """A heading, then notes (paragraphs) and tables in order."""

    def __init__(self, title):
        self.title, self.parts = title, []

    def note(self, text):
        self.parts.append(text)

    def table(self, header, rows):
        self.parts.append(Table(header, rows))


# ---------------------------------------------------------------------------- building the document
class _Writer:
    def __init__(self, derivation, notation, digits):
        self.d, self.n, self.digits = derivation, notation, digits

    def num(self, value):
        text = f"{float(value):.{self.digits}g}"
        return "0" if text == "-0" else text

    def factor(self, value):
        """A number as a factor of a product: negative numbers in parentheses."""
        text = self.num(value)
        return f"({text})" if text.startswith("-") else text

    def input_sym(self, layer, i):
        """The i-th input of layer ``layer``: xᵢ for the first layer, else the previous activation."""
        return self.n.sym("x", None, i) if layer == 1 else self.n.sym("a", layer - 1, i)

    def inputs(self, layer, sample):
        return self.d.x[sample] if layer == 1 else self.d.layers[layer - 2].a[sample]

    def sample_label(self, sample):
        return [str(sample + 1)] if self.d.samples > 1 else []

    def sample_header(self):
        return ["sample"] if self.d.samples > 1 else []

    # ------------------------------------------------------------ sections
    def document(self):
        return [self.overview(), self.forward(), self.loss(), self.backward(), self.update()]

    def overview(self):
        d, n = self.d, self.n
        section = Section("Backpropagation, step by step")
        network = d.network
        latex = isinstance(n, Latex)
        if d.loss_name == "mse":
            loss = n.math(f"L = {n.sum_over('k')} " + n.squared(r"y_k - \hat{y}_k" if latex else "yₖ - ŷₖ"))
            description = "squared error summed over the outputs"
        else:
            loss = n.math(f"L = -{n.sum_over('k')} " + (r"y_k \log \hat{y}_k" if latex else "yₖ log ŷₖ"))
            description = "cross-entropy of a softmax output"
        shape = network.describe().replace("->", r"$\to$") if latex else network.describe()
        section.note(f"Network {shape}; loss {loss} ({description}"
                     + (f", averaged over the {d.samples} samples of the batch" if d.samples > 1 else "")
                     + f"); learning rate {n.math(n.eta + ' = ' + self.num(d.lr))}.")
        section.note(self.legend())
        rows = []
        for sample in range(d.samples):
            xs = ", ".join(self.num(v) for v in d.x[sample])
            ys = ", ".join(self.num(v) for v in d.target[sample])
            rows.append(self.sample_label(sample) + [n.math(f"({xs})"), n.math(f"({ys})")])
        section.table(self.sample_header() + ["input x", "target y"], rows)
        return section

    def legend(self):
        n = self.n
        if isinstance(n, Latex):
            return (r"Notation: $z^{(l)}_j$ is the pre-activation of unit $j$ in layer $l$, "
                    r"$a^{(l)}_j = f(z^{(l)}_j)$ its activation ($a^{(0)} = x$, the last $a = \hat{y}$), "
                    r"$w^{(l)}_{ij}$ the weight from unit $i$ of layer $l-1$ to unit $j$, "
                    r"$\delta^{(l)}_j = \partial L / \partial z^{(l)}_j$ the error signal. Every number "
                    r"comes from the chainrule engine; every gradient is checked against a central "
                    r"finite difference.")
        return ("Notation: zˡⱼ is the pre-activation of unit j in layer l, aˡⱼ = f(zˡⱼ) its activation "
                "(a⁰ = x, the last a = ŷ), wˡᵢⱼ the weight from unit i of layer l-1 to unit j, "
                "δˡⱼ = ∂L/∂zˡⱼ the error signal. Every number comes from the chainrule engine; every "
                "gradient is checked against a central finite difference.")

    def forward(self):
        d, n = self.d, self.n
        section = Section("1. Forward pass")
        rows = []
        last = len(d.layers)
        for layer in d.layers:
            l, inputs = layer.number, layer.weight.shape[1]
            for sample in range(d.samples):
                values = self.inputs(l, sample)
                for j in range(1, layer.units + 1):
                    terms = [f"{n.sym('w', l, i, j)}{n.dot}{self.input_sym(l, i)}" for i in range(1, inputs + 1)]
                    numbers = [f"{self.factor(layer.weight[j - 1, i - 1])}{n.dot}{self.factor(values[i - 1])}"
                               for i in range(1, inputs + 1)]
                    bias = n.sym("b", l, j)
                    if inputs <= _MAX_EXPANDED:
                        formula = (" + ".join(terms) + f" + {bias} = " + " + ".join(numbers)
                                   + f" + {self.factor(layer.bias[j - 1])}")
                    else:
                        formula = f"{n.sum_over('i')} {n.sym('w', l)}_ij{n.dot}{self.input_sym(l, 0)[:-1]}ᵢ + {bias}"
                    rows.append(self.sample_label(sample)
                                + [n.math(n.sym("z", l, j)), n.math(formula), self.num(layer.z[sample, j - 1])])
                for j in range(1, layer.units + 1):
                    name = n.sym("a", l, j) + (f" = {n.hat_y(j)}" if l == last else "")
                    z = n.sym("z", l, j)
                    if layer.activation == "softmax":
                        formula = n.softmax(l, j)
                    else:
                        formula = (f"{n.function(layer.activation, z)} = "
                                   f"{n.function(layer.activation, self.num(layer.z[sample, j - 1]))}")
                    rows.append(self.sample_label(sample)
                                + [n.math(name), n.math(formula), self.num(layer.a[sample, j - 1])])
        section.table(self.sample_header() + ["quantity", "formula", "value"], rows)
        return section

    def loss(self):
        d, n = self.d, self.n
        section = Section("2. Loss")
        output = d.layers[-1].a
        rows = []
        for sample in range(d.samples):
            y, yhat = d.target[sample], output[sample]
            k_range = range(1, len(y) + 1)
            if d.loss_name == "mse":
                symbolic = " + ".join(n.squared(f"{n.sym('y', None, k)} - {n.hat_y(k)}") for k in k_range)
                numeric = " + ".join(n.squared(f"{self.num(y[k - 1])} - {self.num(yhat[k - 1])}")
                                     for k in k_range)
            else:
                used = [k for k in k_range if y[k - 1] != 0]
                symbolic = "-(" + " + ".join(f"{n.sym('y', None, k)}{n.dot}{n.log(n.hat_y(k))}" for k in used) + ")"
                numeric = "-(" + " + ".join(f"{self.factor(y[k - 1])}{n.dot}{n.log(self.num(yhat[k - 1]))}"
                                            for k in used) + ")"
            name = "L" if d.samples == 1 else f"L{n.sym('', None, sample + 1) if not isinstance(n, Latex) else '_{' + str(sample + 1) + '}'}"
            rows.append([n.math(name), n.math(f"{symbolic} = {numeric}"), self.num(d.sample_losses[sample])])
        if d.samples > 1:
            terms = " + ".join(self.num(v) for v in d.sample_losses)
            rows.append([n.math("L"), n.math(f"{n.mean(d.samples)}({terms})"), self.num(d.loss)])
        section.table(["quantity", "formula", "value"], rows)
        return section

    def delta_rows(self, layer):
        d, n = self.d, self.n
        l, rows = layer.number, []
        following = d.layers[l] if l < len(d.layers) else None
        for sample in range(d.samples):
            for j in range(1, layer.units + 1):
                z, a = n.sym("z", l, j), n.sym("a", l, j)
                value = layer.delta[sample, j - 1]
                if following is None and layer.activation == "softmax" and d.loss_name == "cross_entropy":
                    y = d.target[sample, j - 1]
                    formula = (f"{n.hat_y(j)} - {n.sym('y', None, j)} = "
                               f"{self.num(layer.a[sample, j - 1])} - {self.factor(y)}")
                elif following is None and layer.activation == "softmax":
                    g = layer.dL_da[sample]
                    inner = sum(g * layer.a[sample])
                    formula = (f"{n.hat_y(j)}({n.dL(n.hat_y(j))} - {n.sum_over('k')} {n.dL(n.hat_y('k'))}{n.dot}"
                               f"{n.hat_y('k')}) = {self.num(layer.a[sample, j - 1])}{n.dot}"
                               f"({self.num(g[j - 1])} - {self.factor(inner)})")
                elif following is None:
                    y, yhat = d.target[sample, j - 1], layer.a[sample, j - 1]
                    dL_da = "-2(" + f"{n.sym('y', None, j)} - {n.hat_y(j)})"
                    formula = (f"{n.dL(n.hat_y(j))}{n.dot}{n.slope_name(layer.activation, z)} = {dL_da}{n.dot}"
                               f"{n.slope_rule(layer.activation, n.hat_y(j), z)} = "
                               f"{self.factor(layer.dL_da[sample, j - 1])}{n.dot}{self.factor(layer.slope[sample, j - 1])}")
                else:
                    k_count = following.units
                    back = [f"{n.sym('w', l + 1, j, k)}{n.dot}{n.sym('δ', l + 1, k)}" for k in range(1, k_count + 1)]
                    nums = [f"{self.factor(following.weight[k - 1, j - 1])}{n.dot}"
                            f"{self.factor(following.delta[sample, k - 1])}" for k in range(1, k_count + 1)]
                    if k_count > _MAX_EXPANDED:
                        back = [f"{n.sum_over('k')} {n.sym('w', l + 1)}_jk {n.sym('δ', l + 1)}_k"]
                        nums = [f"{self.factor(layer.dL_da[sample, j - 1])}"]
                    formula = (f"{n.slope_name(layer.activation, z)}{n.dot}{n.dL(a)} = "
                               f"{n.slope_rule(layer.activation, a, z)}{n.dot}(" + " + ".join(back) + ") = "
                               f"{self.factor(layer.slope[sample, j - 1])}{n.dot}(" + " + ".join(nums) + ") = "
                               f"{self.factor(layer.slope[sample, j - 1])}{n.dot}{self.factor(layer.dL_da[sample, j - 1])}")
                rows.append(self.sample_label(sample) + [n.math(n.sym("δ", l, j)), n.math(formula), self.num(value)])
        return rows

    def gradient_formula(self, products):
        """``products``: per sample, (symbolic, numeric) of one term; the batch mean around them."""
        n, count = self.n, self.d.samples
        symbolic = products[0][0]
        numeric = [numbers for _, numbers in products]
        if count == 1:
            return f"{symbolic} = {numeric[0]}"
        return f"{n.mean(count)}{n.sum_over('n')} {symbolic} = {n.mean(count)}(" + " + ".join(numeric) + ")"

    def backward(self):
        d, n = self.d, self.n
        section = Section("3. Backward pass")
        if d.loss_name == "cross_entropy":
            if isinstance(n, Latex):
                chain = (r"\frac{\partial L}{\partial z_j} = \sum_k \frac{\partial L}{\partial \hat{y}_k}"
                         r"\frac{\partial \hat{y}_k}{\partial z_j} = \sum_k \left(-\frac{y_k}{\hat{y}_k}\right)"
                         r"\hat{y}_k([k = j] - \hat{y}_j) = \hat{y}_j - y_j")
            else:
                chain = "∂L/∂zⱼ = Σₖ ∂L/∂ŷₖ · ∂ŷₖ/∂zⱼ = Σₖ (-yₖ/ŷₖ) · ŷₖ([k = j] - ŷⱼ) = ŷⱼ - yⱼ"
            section.note("With a softmax output and cross-entropy loss the chain rule through the softmax "
                         f"simplifies: {n.math(chain)} (the targets sum to 1), so the error signal of the "
                         "output is the prediction minus the target.")
        if d.samples > 1:
            section.note("Each sample has its own error signals (the gradient of its own loss); the loss is the "
                         "batch mean, so every gradient is the mean over the samples.")
        section.note("Error signals, from the output back to the first layer:")
        rows = []
        for layer in reversed(d.layers):
            rows.extend(self.delta_rows(layer))
        section.table(self.sample_header() + ["quantity", "chain rule", "value"], rows)

        check = (r"(L(\theta + \varepsilon) - L(\theta - \varepsilon)) / 2\varepsilon" if isinstance(n, Latex)
                 else "(L(θ + ε) - L(θ - ε)) / 2ε")
        section.note(f"Gradients, each beside its central finite difference {n.math(check)}:")
        header = ["quantity", "chain rule", "engine", "finite difference", "|difference|"]
        rows = []
        for layer in reversed(d.layers):
            l = layer.number
            for i in range(1, layer.weight.shape[1] + 1):
                for j in range(1, layer.units + 1):
                    products = [(f"{n.sym('δ', l, j)}{n.dot}{self.input_sym(l, i)}",
                                 f"{self.factor(layer.delta[s, j - 1])}{n.dot}{self.factor(self.inputs(l, s)[i - 1])}")
                                for s in range(d.samples)]
                    rows.append(self.gradient_row(n.dL(n.sym("w", l, i, j)), self.gradient_formula(products),
                                                  layer.grad_weight[j - 1, i - 1], layer.fd_weight[j - 1, i - 1]))
            for j in range(1, layer.units + 1):
                products = [(n.sym("δ", l, j), self.num(layer.delta[s, j - 1])) for s in range(d.samples)]
                rows.append(self.gradient_row(n.dL(n.sym("b", l, j)), self.gradient_formula(products),
                                              layer.grad_bias[j - 1], layer.fd_bias[j - 1]))
        first = d.layers[0]
        for sample in range(d.samples):
            for i in range(1, first.weight.shape[1] + 1):
                terms = [f"{n.sym('w', 1, i, j)}{n.dot}{n.sym('δ', 1, j)}" for j in range(1, first.units + 1)]
                nums = [f"{self.factor(first.weight[j - 1, i - 1])}{n.dot}{self.factor(first.delta[sample, j - 1])}"
                        for j in range(1, first.units + 1)]
                if first.units > _MAX_EXPANDED:
                    terms, nums = [f"{n.sum_over('j')} {n.sym('w', 1)}_ij {n.sym('δ', 1)}_j"], ["…"]
                formula = " + ".join(terms) + " = " + " + ".join(nums)
                if d.samples > 1:
                    formula = f"{n.mean(d.samples)}(" + " + ".join(terms) + f") = {n.mean(d.samples)}(" + " + ".join(nums) + ")"
                name = n.dL(n.sym("x", None, i)) + (f" (sample {sample + 1})" if d.samples > 1 and not isinstance(n, Latex)
                                                  else (rf"\ \mathrm{{(sample\ {sample + 1})}}" if d.samples > 1 else ""))
                rows.append(self.gradient_row(name, formula, d.grad_x[sample, i - 1], d.fd_x[sample, i - 1]))
        section.table(header, rows)
        return section

    def gradient_row(self, name, formula, engine, finite):
        n = self.n
        return [n.math(name), n.math(formula), self.num(engine), self.num(finite), f"{abs(engine - finite):.1e}"]

    def update(self):
        d, n = self.d, self.n
        section = Section("4. Gradient-descent update")
        section.note("Each parameter moves against its gradient: " + n.math(
            f"{n.sym('w', None)}_{{new}} = {n.sym('w', None)}_{{old}} - {n.eta}{n.dot}{n.dL('w')}"
            if isinstance(n, Latex) else f"w_new = w_old - η · ∂L/∂w") + f", with {n.math(n.eta + ' = ' + self.num(d.lr))}.")
        rows = []
        for layer in d.layers:
            l = layer.number
            entries = [(n.sym("w", l, i, j), layer.weight[j - 1, i - 1], layer.grad_weight[j - 1, i - 1],
                        layer.new_weight[j - 1, i - 1])
                       for i in range(1, layer.weight.shape[1] + 1) for j in range(1, layer.units + 1)]
            entries += [(n.sym("b", l, j), layer.bias[j - 1], layer.grad_bias[j - 1], layer.new_bias[j - 1])
                        for j in range(1, layer.units + 1)]
            for name, old, grad, new in entries:
                formula = f"{self.num(old)} - {self.num(d.lr)}{n.dot}{self.factor(grad)}"
                rows.append([n.math(name), self.num(old), self.num(grad), n.math(formula), self.num(new)])
        section.table(["parameter", "old", "gradient", "old - η·gradient", "new"]
                      if not isinstance(n, Latex) else
                      ["parameter", "old", "gradient", r"old $- \eta\cdot$ gradient", "new"], rows)
        section.note(f"Loss after the step: {self.num(d.loss_after)} (before: {self.num(d.loss)}).")
        return section


# ---------------------------------------------------------------------------- laying it out
def _text(sections):
    lines = []
    for section in sections:
        lines += [section.title, "=" * len(section.title)]
        for part in section.parts:
            if isinstance(part, Table):
                widths = [max(len(str(row[c])) for row in [part.header] + part.rows)
                          for c in range(len(part.header))]
                def line(cells):
                    return "  " + "  ".join(str(cell).ljust(width) for cell, width in zip(cells, widths)).rstrip()
                lines.append(line(part.header))
                lines.append("  " + "  ".join("-" * width for width in widths))
                lines += [line(row) for row in part.rows]
            else:
                lines.append(part)
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _markdown(sections):
    lines = []
    for position, section in enumerate(sections):
        lines += [("# " if position == 0 else "## ") + section.title, ""]
        for part in section.parts:
            if isinstance(part, Table):
                lines.append("| " + " | ".join(cell.replace("|", r"\|") for cell in part.header) + " |")
                lines.append("|" + "|".join("---" for _ in part.header) + "|")
                lines += ["| " + " | ".join(str(cell).replace("|", r"\|") for cell in row) + " |"
                          for row in part.rows]
            else:
                lines.append(part)
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _latex(sections):
    lines = ["% Backpropagation step by step, written by chainrule explain (needs amsmath)"]
    for section in sections:
        lines += [rf"\subsection*{{{section.title}}}", ""]
        for part in section.parts:
            if isinstance(part, Table):
                lines.append(r"\begin{tabular}{" + "l" * len(part.header) + "}")
                lines.append(" & ".join(cell.replace("|", "$|$") for cell in part.header) + r" \\ \hline")
                lines += [" & ".join(_latex_cell(cell) for cell in row) + r" \\" for row in part.rows]
                lines.append(r"\end{tabular}")
            else:
                lines.append(part.replace("|", r"$|$"))
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _latex_cell(cell):
    cell = str(cell)
    if cell.startswith("$"):
        return cell
    return f"${cell}$" if cell[:1].isdigit() or cell[:1] == "-" else cell


def render(derivation, format="text", digits=6):
    """The derivation as a string in ``format``: 'text', 'markdown' or 'latex'."""
    if format not in FORMATS:
        raise ValueError(f"explain: unknown format {format!r}; choose text, markdown or latex")
    notation = Latex() if format == "latex" else Unicode()
    sections = _Writer(derivation, notation, digits).document()
    return {"text": _text, "markdown": _markdown, "latex": _latex}[format](sections)
